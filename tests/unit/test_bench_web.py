"""The web benchmark (bench/bench_web.py) must not rot: its data builder and measurements at a tiny size.

No timing is asserted here; the numbers live in bench/RESULTS.md.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import audit
from engine.casework import Actor
from engine.db import make_engine, make_session_factory
from engine.models import Case, Document, OpenTask

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_web.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_web", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_clones_are_cases_the_engine_can_complete(bench, tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    world = bench.build(url, 6, agencies=2, mix=[("investigate", 1, 1), ("review_case", 1, 1)], handlers=1)
    assert (world["cases"], world["open_tasks"]) == (6, 6)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    task_ids = session.scalars(select(OpenTask.id)).all()
    assert len(set(task_ids)) == 6  # every clone got its own Spiff task UUIDs
    clone = session.scalars(select(OpenTask).where(OpenTask.bpmn_id == "investigate",
                                                   OpenTask.case_id != world["real_case"])).first()
    docs_before = session.scalar(select(func.count()).select_from(Document).where(Document.case_id == clone.case_id))
    handler = Actor("办案人员", "handler", clone.agency_id)
    world["runtime"].complete_task(session, clone.id, {"investigation_action": "现场检查"}, handler)
    assert [t.bpmn_id for t in world["runtime"].ready_tasks(session, case_id=clone.case_id)] == ["onsite_inspection"]
    assert docs_before == 2 and audit.verify_case(session, clone.case_id).ok
    assert len(set(session.scalars(select(Case.case_no)))) == 6
    session.close()
    engine.dispose()


def test_the_benchmark_runs_at_a_tiny_size(bench):
    args = bench.parse(["--cases", "40", "--agencies", "2", "--requests", "3", "--completions", "3", "--warmup", "1",
                        "--clients", "2", "--seconds", "2"])
    args.mix = [("investigate", 1, 1)]
    result = bench.run(args)
    assert (result["cases"], result["open_tasks"]) == (40, 40)
    assert result["inbox_rows"] == 21  # agency X: the real case and 20 of the 39 clones
    assert {name: m["n"] for name, m in result["measures"].items()} == {name: 3 for name in result["measures"]}
    assert len(result["measures"]) == 12 + 2 + 4 + 5  # reads × 2 clients, services.inbox, completions, floors
    one = {"investigate": [0], "onsite_inspection": [1]}
    assert result["documents"] == {"in-process": one, "HTTP": one}
    crowd = result["concurrent"]
    assert crowd["errors"] == 0, crowd["error_samples"]
    assert crowd["completions"] > 0 and crowd["requests"] >= 3 * crowd["completions"]
    assert "GET / (待办 page 1, 50 rows) [HTTP]" in bench.report(result, bench.machine())
