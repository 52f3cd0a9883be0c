"""Two OS processes complete the same task at the same moment against PostgreSQL: exactly one wins."""

from __future__ import annotations

import multiprocessing as mp
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import audit
from engine.catalog import Catalog
from engine.db import make_engine, make_session_factory
from engine.errors import ConflictError, NotReadyError
from engine.models import AuditEvent, Case, Document
from engine.runtime import Actor, Runtime
from tests.conftest import PG_OK
from tests.integration.mini_procedure import write_mini

DATA = {"party": {"name": "某某食品有限公司"}, "fine_amount": "12000", "served_on": "2026-09-12"}


def _make_runtime(root: Path) -> Runtime:
    return Runtime(Catalog(root / "workflows", root / "doc_templates"), clock=lambda: datetime(2026, 9, 12, 9))


def _complete(url: str, root: str, task_id: str, barrier, results) -> None:
    engine = make_engine(url)
    session = make_session_factory(engine)()
    runtime = _make_runtime(Path(root))
    runtime.catalog.current("mini")  # parse before the race, as a running server would have
    barrier.wait()
    try:
        runtime.complete_task(session, task_id, DATA, Actor("李明", "handler"))
        results.append("won")
    except (ConflictError, NotReadyError) as exc:
        results.append(f"refused: {exc.message}")
    finally:
        session.close()
        engine.dispose()


@pytest.mark.skipif(not PG_OK, reason="PostgreSQL is not reachable on localhost: the two-process race needs it")
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_processes_completing_one_task_leave_one_winner(db_url, session, agency, tmp_path):
    root = write_mini(tmp_path / "tree")
    runtime = _make_runtime(root)
    case = runtime.start_case(session, "mini", agency.id, Actor("李明", "handler"))
    task = runtime.ready_tasks(session, case_id=case.id)[0]
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        barrier, results = manager.Barrier(2), manager.list()
        procs = [ctx.Process(target=_complete, args=(db_url, str(root), task.id, barrier, results)) for _ in range(2)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        outcome = sorted(results)
    assert len(outcome) == 2 and outcome[1] == "won", outcome
    assert outcome[0] in ("refused: 该任务已被他人办理或案件已变化，请刷新后重试", "refused: 该任务不存在或已经办理完毕，不能重复提交")
    session.expire_all()
    assert session.get(Case, case.id).version == 2
    assert session.scalar(select(func.count()).select_from(Document).where(Document.case_id == case.id)) == 2
    completions = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "task_completed"))
    assert completions == 1
    assert [t.bpmn_id for t in runtime.ready_tasks(session, case_id=case.id)] == ["approve"]
    assert audit.verify_case(session, case.id).ok
