"""Benchmark: the `hearing` penalty case through the engine vs. the floor of bare SpiffWorkflow + bare docxtpl.

Usage: .venv/bin/python bench/bench_penalty.py [--runs 10] [--scenario hearing]
Prints medians; copy them with the machine description into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from docxtpl import DocxTemplate  # noqa: E402
from sqlalchemy import select  # noqa: E402

import engine.casework as casework  # noqa: E402
from engine.catalog import Catalog  # noqa: E402
from engine.db import make_engine, make_session_factory  # noqa: E402
from engine.demo import run_demo  # noqa: E402
from engine.models import Document  # noqa: E402
from engine.runtime import Runtime  # noqa: E402


def timed_engine_run(runtime: Runtime, scenario: str, out: Path) -> tuple[float, list[float], list[float]]:
    task_times, render_times = [], []
    original_complete, original_render = Runtime.complete_task, casework.render_docx

    def complete(self, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original_complete(self, *args, **kwargs)
        finally:
            task_times.append(time.perf_counter() - t0)

    def render(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original_render(*args, **kwargs)
        finally:
            render_times.append(time.perf_counter() - t0)

    Runtime.complete_task, casework.render_docx = complete, render
    try:
        t0 = time.perf_counter()
        run_demo("penalty", scenario, "2026-03-02", str(out), runtime=runtime)
        total = time.perf_counter() - t0
    finally:
        Runtime.complete_task, casework.render_docx = original_complete, original_render
    return total, task_times, render_times


def stored_contexts(db_file: Path, catalog: Catalog) -> list[tuple[Path, dict]]:
    engine = make_engine(f"sqlite:///{db_file}")
    session = make_session_factory(engine)()
    templates = catalog.current("penalty").templates
    rows = session.scalars(select(Document).order_by(Document.id)).all()
    out = [(templates.get(d.template_key).path, json.loads(d.context)) for d in rows]
    session.close()
    engine.dispose()
    return out


def floor_render(contexts: list[tuple[Path, dict]]) -> list[float]:
    """Bare docxtpl, default Jinja environment, no sandbox, no persistence (filters as plain functions)."""
    from jinja2 import Environment

    from engine import chinese

    env = Environment()
    env.filters.update(cn_date=chinese.cn_date, ymd=chinese.ymd, cn_amount=chinese.cn_amount,
                       cn_upper=chinese.cn_upper, yuan=chinese.yuan, join_cn=chinese.join_cn)
    times = []
    for path, ctx in contexts:
        t0 = time.perf_counter()
        tpl = DocxTemplate(str(path))
        tpl.render(ctx, jinja_env=env, autoescape=True)
        tpl.save(io.BytesIO())
        times.append(time.perf_counter() - t0)
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--scenario", default="hearing")
    args = parser.parse_args()
    import bare_spiff

    catalog = Catalog()
    runtime = Runtime(catalog)
    specs = bare_spiff.load_specs()
    engine_cases, tasks, renders, floor_cases, floor_wf, floor_docs = [], [], [], [], [], []
    floor_renders = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs + 1):
            out = Path(tmp) / f"run{i}"
            total, task_times, render_times = timed_engine_run(runtime, args.scenario, out)
            contexts = stored_contexts(out / "case.sqlite3", catalog)
            t0 = time.perf_counter()
            bare_spiff.run_scenario(args.scenario, specs)
            wf_time = time.perf_counter() - t0
            doc_times = floor_render(contexts)
            if i == 0:
                continue  # warm-up run
            engine_cases.append(total)
            tasks += task_times
            renders += render_times
            floor_wf.append(wf_time)
            floor_docs.append(sum(doc_times))
            floor_renders += doc_times
            floor_cases.append(wf_time + sum(doc_times))
    med = statistics.median
    report = {
        "machine": f"{platform.node()} {platform.machine()} {platform.processor() or ''} "
                   f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "runs": args.runs, "scenario": args.scenario, "documents_per_case": len(contexts),
        "engine_case_ms": round(med(engine_cases) * 1000, 1),
        "engine_task_ms": round(med(tasks) * 1000, 2),
        "engine_render_ms_median": round(med(renders) * 1000, 2),
        "engine_render_ms_max": round(max(renders) * 1000, 2),
        "floor_case_ms": round(med(floor_cases) * 1000, 1),
        "floor_workflow_ms": round(med(floor_wf) * 1000, 1),
        "floor_documents_ms": round(med(floor_docs) * 1000, 1),
        "floor_render_ms_median": round(med(floor_renders) * 1000, 2),
        "floor_render_ms_max": round(max(floor_renders) * 1000, 2),
    }
    report["ratio_to_floor"] = round(report["engine_case_ms"] / report["floor_case_ms"], 2)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
