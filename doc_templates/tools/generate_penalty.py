"""Generate the first version of the 行政处罚 templates (doc_templates/penalty/*.docx and documents.json).

Run once: `.venv/bin/python doc_templates/tools/generate_penalty.py` (the layouts live in penalty_filing.py,
penalty_decision.py and penalty_service.py; shared fragments in penalty_common.py). After that the committed .docx files are the
source of truth: designers edit them in Word or WPS, and this script is only a record of how they were first laid
out. Running it again OVERWRITES every penalty template and the registry, discarding designers' edits.

Layout follows the 市场监督管理行政处罚文书格式范本 (2021) on GB/T 9704 pages: agency name and title centred in bold
宋体, 文号 right-aligned, body in 仿宋 三号 with a two-character first-line indent, 落款 with the agency, a seal
placeholder and the date; approval forms and records (审批表, 笔录) are bordered tables. Templates read only the
case data dictionary and built-ins of workflows/README.md; `{%p %}` / `{%tr %}` are docxtpl paragraph and row tags.
"""

from __future__ import annotations

import json
import sys

import penalty_decision  # noqa: F401 - registers its templates
import penalty_filing  # noqa: F401 - registers its templates
import penalty_service  # noqa: F401 - registers its templates
from docxbuild import Form
from penalty_common import OUT, REGISTRY


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    registry = {"procedure": "penalty", "templates": {}}
    # the registry lists the documents in procedure order: filing and investigation, decision, service and closing
    sections = ["penalty_filing", "penalty_decision", "penalty_service"]
    for key, meta in sorted(REGISTRY.items(), key=lambda item: sections.index(item[1]["_build"].__module__)):
        form = Form(meta["title"])
        if meta["number_kind"]:
            form.number(meta["_number_label"] + "{{ doc.no }}")
        meta["_build"](form)
        form.save(OUT / meta["file"])
        registry["templates"][key] = {k: v for k, v in meta.items() if not k.startswith("_")}
    (OUT / "documents.json").write_text(json.dumps(registry, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"wrote {len(REGISTRY)} templates to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
