"""Generate the first version of the 案卷 forms (doc_templates/casefile/*.docx and documents.json).

Run once: `.venv/bin/python doc_templates/tools/generate_casefile.py`. After that the committed .docx files are the
source of truth (designers edit them in Word or WPS); running this again OVERWRITES them and the registry.

Layout after GB/T 9705-2008 (文书档案案卷格式) on A4 pages: 卷宗封面 with the case's particulars and a box for the
archive office (全宗号/目录号/案卷号), 卷内文件目录 (序号, 文号, 责任者, 题名, 日期, 页号; the header row repeats on every
page) and 卷内备考表 (本卷情况说明, 立卷人, 检查人). These three pages carry no page number: only the documents of the
case are numbered. The context they read is built by engine.casefile (see sample_context.json).

documents.json also says, per procedure, how the case's documents are filed: the 正卷/副卷 order (REFERENCE §7;
`@attachments` marks where uploaded evidence goes), which document dates the 立案 and which one is the decision.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docxbuild import TABLE_LINE_PT, TABLE_PT, Form, lab, val

OUT = Path(__file__).resolve().parent.parent / "casefile"

PENALTY_ORDER = {
    # 正卷: documents to and from the party and the evidence, in the order of REFERENCE §7
    "正卷": ["filing_approval",
             "penalty_decision", "no_penalty_decision", "onsite_decision", "transfer_letter",
             "rectification_order", "inquiry_notice", "preservation_notice", "preservation_release_notice",
             "test_commission", "test_period_notice", "test_result_notice", "suspension_decision",
             "resumption_decision", "penalty_notice", "hearing_notice", "payment_extension_notice",
             "performance_reminder", "service_announcement", "enforcement_application",
             "service_address_confirmation", "service_receipt",
             "hearing_record", "statement_record",
             "onsite_record", "inquiry_record", "evidence_extraction", "sampling_record", "@attachments",
             "property_disposal_record"],
    # 副卷: the agency's internal papers
    "副卷": ["case_source_register", "non_filing_approval", "investigation_report", "legal_review_opinion",
             "hearing_report", "collective_discussion", "matter_approval", "decision_approval",
             "case_revocation_approval", "case_closing_approval"],
}

REGISTRY = {
    "procedure": "casefile",
    "templates": {
        "cover": {"file": "cover.docx", "title": "卷宗封面", "number_kind": None, "volume": "正卷",
                  "statute": "GB/T 9705-2008", "statutory_fields": ["案件名称", "决定书文号", "办案机构", "立案日期",
                                                                 "结案日期", "保管期限", "件数", "页数", "归档号"]},
        "contents": {"file": "contents.docx", "title": "卷内文件目录", "number_kind": None, "volume": "正卷",
                     "statute": "GB/T 9705-2008", "statutory_fields": ["序号", "文号", "责任者", "题名", "日期", "页号"]},
        "notes": {"file": "notes.docx", "title": "卷内备考表", "number_kind": None, "volume": "正卷",
                  "statute": "GB/T 9705-2008", "statutory_fields": ["本卷情况说明", "立卷人", "检查人"]},
    },
    "archives": {
        "penalty": {"filing": ["filing_approval"],
                    "decision": ["penalty_decision", "no_penalty_decision", "onsite_decision"],
                    "order": PENALTY_ORDER},
    },
}


def without_page_number(form: Form) -> None:
    """The forms of the 案卷 itself are not numbered: empty the footer docxbuild gives every page."""
    p = form.doc.sections[0].footer.paragraphs[0]._p
    for child in list(p):
        if child.tag != qn("w:pPr"):
            p.remove(child)


def repeat_header_row(form: Form) -> None:
    """The first row of the last table repeats at the top of every page (w:tblHeader)."""
    row = form.doc.tables[-1].rows[0]._tr
    row.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def cover() -> Form:
    f = Form("{{ case.procedure }}案卷")
    agency, title = f.doc.paragraphs[0], f.doc.paragraphs[1]
    agency.runs[0].font.size = Pt(22)
    agency.paragraph_format.space_before, agency.paragraph_format.space_after = Pt(30), Pt(18)
    title.runs[0].font.size = Pt(36)
    title.paragraph_format.space_after = Pt(48)
    h = 14
    f.table([32, 46, 32, 46], [
        (h + 4, [lab("案件名称"), val("{{ case.title }}", 3)]),
        (h, [lab("案件编号"), val("{{ case.no }}", 3)]),
        (h, [lab("决定书文号"), val("{{ casefile.decision_no }}", 3)]),
        (h, [lab("办案机构"), val("{{ agency.name }}", 3)]),
        (h, [lab("立案日期"), val("{{ casefile.filed_on|ymd }}"), lab("结案日期"), val("{{ casefile.closed_on|ymd }}")]),
        (h, [lab("本卷件数"), val("{{ casefile.count }} 件"), lab("本卷页数"), val("{{ casefile.pages }} 页")]),
        (h, [lab("保管期限"), val("{{ casefile.retention }}"), lab("归档号"), val("{{ casefile.archive_no }}")]),
    ], size=14)
    f.table([26, 26, 26, 26, 26, 26], [
        (11, [lab("全宗号"), val(""), lab("目录号"), val(""), lab("案卷号"), val("")]),
    ], size=14)
    _centre_values(f)
    return f


def _centre_values(f: Form) -> None:
    """Cover values sit in the middle of their boxes, as on the printed covers."""
    for table in f.doc.tables:
        for row in table.rows:
            for cell in row.cells:
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def contents() -> Form:
    f = Form("卷内文件目录", agency=False)
    f.para("案件编号：{{ case.no }}　　归档号：{{ casefile.archive_no }}", indent=False, align="right", size=TABLE_PT,
           line=TABLE_LINE_PT, after=4)
    f.table([14, 38, 30, 55, 21, 17], [
        [lab("序号"), lab("文号"), lab("责任者"), lab("题名"), lab("日期"), lab("页号")],
        ("tr", "for volume in volumes"),
        [lab("{{ volume.name }}（{{ volume.count }}件，{{ volume.pages }}页）", 6)],
        ("tr", "for item in volume.entries"),
        [val("{{ item.seq }}", align="center"), val("{{ item.doc_no }}"), val("{{ item.author }}"),
         val("{{ item.title }}"), val("{{ item.date }}", align="center"), val("{{ item.page_range }}", align="center")],
        ("tr", "endfor"),
        ("tr", "endfor"),
    ], size=10.5)
    repeat_header_row(f)
    return f


def notes() -> Form:
    f = Form("卷内备考表", agency=False)
    f.para("案件编号：{{ case.no }}　　归档号：{{ casefile.archive_no }}", indent=False, align="right", size=TABLE_PT,
           line=TABLE_LINE_PT, after=4)
    summary = [
        "本卷共有文件材料{{ casefile.count }}件，共{{ casefile.pages }}页（不含卷宗封面、卷内文件目录和本表）。"
        "{% for volume in volumes %}{{ volume.name }}{{ volume.count }}件{{ volume.pages }}页"
        "{% if not loop.last %}，{% else %}。{% endif %}{% endfor %}",
        "{%p for note in notes %}",
        "{{ loop.index }}．{{ note }}",
        "{%p endfor %}",
    ]
    f.table([30, 48, 30, 48], [
        (150, [lab("本卷情况说明"), val(summary, 3)]),
        (14, [lab("立卷人"), val("{{ casefile.compiled_by }}"), lab("立卷日期"), val("{{ casefile.compiled_on|ymd }}")]),
        (14, [lab("检查人"), val(""), lab("检查日期"), val("　　年　　月　　日")]),
    ], size=12)
    for row in f.doc.tables[-1].rows[1:]:  # the signature rows: values in the middle, like their labels
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return f


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for key, build in (("cover", cover), ("contents", contents), ("notes", notes)):
        form = build()
        without_page_number(form)
        form.doc.core_properties.title = REGISTRY["templates"][key]["title"]
        form.save(OUT / REGISTRY["templates"][key]["file"])
    (OUT / "documents.json").write_text(json.dumps(REGISTRY, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"wrote {len(REGISTRY['templates'])} templates to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
