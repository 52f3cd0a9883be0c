"""Command line: `python -m engine validate | deadline | demo | casefile | verify-package`."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from engine.deadlines import compute_due
from engine.errors import EngineError


def cmd_validate(args) -> int:
    from engine.catalog import Catalog

    catalog = Catalog()
    failed = False
    for key in catalog.keys():
        problems = catalog.validate(key)
        print(f"{key}: {'OK' if not problems else f'{len(problems)} problem(s)'}")
        for p in problems:
            print(f"  {p}")
        failed = failed or bool(problems)
    return 1 if failed else 0


def cmd_deadline(args) -> int:
    m = re.fullmatch(r"\+?(\d+)\s*(wd|cd|m)", args.period.strip(), re.IGNORECASE)
    if not m:
        print(f"bad period {args.period!r}: use +7wd, +15cd or +3m", file=sys.stderr)
        return 2
    result = compute_due(args.start, f"{m.group(1)}{m.group(2).upper()}")
    mark = "  (provisional: the holiday calendar of that year is not published)" if result.provisional else ""
    print(f"{result.date.isoformat()}{mark}")
    return 0


def cmd_demo(args) -> int:
    from engine.demo import run_demo

    summary = run_demo(args.procedure, args.scenario, args.today, args.out, database=args.database)
    print(f"case {summary['case_no']}: {len(summary['steps'])} steps, {len(summary['documents'])} documents, "
          f"audit verified: {summary['audit_verified']}")
    print(f"documents and summary.json written to {args.out}")
    return 0


def cmd_casefile(args) -> int:
    from engine.casefile import compile_casefile
    from engine.db import make_engine, make_session_factory

    engine = make_engine(args.db)
    session = make_session_factory(engine)()
    try:
        result = compile_casefile(session, args.case_id)
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        pdf, bag = out / f"casefile-{result.archive_no}.pdf", out / f"casefile-{result.archive_no}.zip"
        pdf.write_bytes(result.pdf)
        bag.write_bytes(result.package)
    finally:
        session.close()
        engine.dispose()
    pages = sum(e.pages for e in result.entries)
    print(f"案卷 {result.case.case_no}（归档号 {result.archive_no}）：{len(result.entries)} 件 {pages} 页")
    print(f"  {pdf}\n  {bag}")
    return 0


def cmd_verify_package(args) -> int:
    from engine.bagit import verify_package

    if not Path(args.file).is_file():
        print(f"error: 文件 {args.file} 不存在", file=sys.stderr)
        return 2
    report = verify_package(args.file)
    print(report.text())
    return 0 if report.ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engine", description="EnforceFlow engine tools")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("validate", help="validate every procedure and template").set_defaults(func=cmd_validate)
    p = sub.add_parser("deadline", help="compute a statutory deadline, e.g. 2025-09-26 +7wd")
    p.add_argument("start")
    p.add_argument("period")
    p.set_defaults(func=cmd_deadline)
    p = sub.add_parser("demo", help="run a whole case headless and write its documents")
    p.add_argument("procedure", choices=["penalty"])
    p.add_argument("--scenario", default="standard")
    p.add_argument("--today", default=None, help="the case clock's start date (YYYY-MM-DD)")
    p.add_argument("--out", default="demo-out")
    p.add_argument("--database", default=None, help="database URL (default: a fresh SQLite file in --out)")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("casefile", help="compile the 案卷 PDF and the BagIt archival package of a closed case")
    p.add_argument("case_id", type=int)
    p.add_argument("--db", default=None, help="database URL (default: $DATABASE_URL, else var/enforceflow.sqlite3)")
    p.add_argument("--out", default="casefile-out")
    p.set_defaults(func=cmd_casefile)
    p = sub.add_parser("verify-package", help="check an archival package offline (manifests, audit chain, documents)")
    p.add_argument("file")
    p.set_defaults(func=cmd_verify_package)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except EngineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
