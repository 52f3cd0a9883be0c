"""Contract of the 行政处罚 templates: each renders with the sample case, shows its statutory contents and reads
only data the case dictionary provides."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import docx
import pytest

from engine.documents import docx_text, render_docx, template_variables
from engine.templates import TemplateSet

FOLDER = Path(__file__).resolve().parents[2] / "doc_templates" / "penalty"
REGISTRY = json.loads((FOLDER / "documents.json").read_text("utf-8"))
KEYS = list(REGISTRY["templates"])
SAMPLE = json.loads((FOLDER / "sample_context.json").read_text("utf-8"))
TEMPLATES = TemplateSet(FOLDER)


def context_for(key: str, **changes) -> dict:
    """The sample case as the engine would hand it to this template: doc.no, title and date of this document."""
    meta = TEMPLATES.get(key)
    context = copy.deepcopy(SAMPLE)
    serial = KEYS.index(key) + 1
    number = f"{SAMPLE['agency']['code']}{meta.number_kind}〔2026〕{serial}号" if meta.number_kind else None
    context["doc"] = {"no": number, "title": meta.title, "date": SAMPLE["doc"]["date"]}
    for path, value in changes.items():
        target = context
        *parents, last = path.split("__")
        for part in parents:
            target = target[part]
        if value is _DROP:
            target.pop(last, None)
        else:
            target[last] = value
    return context


_DROP = object()


def render_text(key: str, **changes) -> str:
    return docx_text(render_docx(TEMPLATES.get(key).path, context_for(key, **changes)))


def test_registry_lists_the_penalty_documents_and_every_file_exists():
    assert REGISTRY["procedure"] == "penalty"
    assert len(TEMPLATES) == 39
    files = {p.name for p in FOLDER.glob("*.docx")}
    assert files == {meta.file for meta in TEMPLATES}
    for meta in TEMPLATES:
        assert meta.volume in ("正卷", "副卷")
        assert meta.statutory_fields and meta.statute, meta.key
    assert {m.key for m in TEMPLATES if m.requires_passed_review} == {"penalty_decision", "no_penalty_decision"}


@pytest.mark.parametrize("key", KEYS)
def test_template_renders_the_sample_case_with_its_statutory_contents(key, tmp_path):
    meta = TEMPLATES.get(key)
    context = context_for(key)
    out = tmp_path / f"{key}.docx"
    out.write_bytes(render_docx(meta.path, context))
    docx.Document(str(out))  # opens as a Word document
    text = docx_text(out.read_bytes())
    assert meta.title in text
    missing = [phrase for phrase in meta.statutory_fields if phrase not in text]
    assert not missing, f"{key} lacks {missing}"
    for tag in ("{{", "}}", "{%", "%}", "None", "True", "False"):
        assert tag not in text, f"{key} shows {tag!r}"
    assert not re.search(r"[a-z]+_[a-z_]+", text), f"{key} shows a field name: {re.findall(r'[a-z]+_[a-z_]+', text)}"
    if meta.number_kind:
        assert context["doc"]["no"] in text
    assert SAMPLE["agency"]["name"] in text


def _has(context: dict, path: str) -> bool:
    value = context
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return True


@pytest.mark.parametrize("key", KEYS)
def test_template_reads_only_variables_of_the_case_dictionary(key):
    variables = template_variables(TEMPLATES.get(key).path)
    assert variables, key
    assert sorted(v for v in variables if not _has(SAMPLE, v)) == []


def test_decisions_carry_the_remedy_text():
    for key in ("penalty_decision", "no_penalty_decision"):
        text = render_text(key)
        assert "可以在收到本决定书之日起六十日内向银川市西夏区人民政府申请行政复议" in text
        assert "也可以在六个月内依法向银川市西夏区人民法院提起行政诉讼" in text


def test_onsite_decision_requires_reconsideration_first():
    text = render_text("onsite_decision")
    assert "应当先向银川市西夏区人民政府申请行政复议" in text
    assert "也可以在六个月内" not in text
    assert "编号：银西市监当罚〔2026〕" in text


def test_onsite_decision_paid_on_the_spot_shows_the_receipt():
    text = render_text("onsite_decision", onsite__paid_on_spot=True, onsite__receipt_no="NO.0012345")
    assert "当场收缴" in text and "NO.0012345" in text
    assert "到指定的银行" not in text


def test_penalty_decision_states_payment_deadline_account_and_surcharge():
    text = render_text("penalty_decision")
    assert "没收违法所得人民币壹佰伍拾陆元整（¥156.00）；罚款人民币陆万元整（¥60,000.00）" in text
    assert "自收到本决定书之日起十五日内" in text
    assert "2902012309024567891" in text
    assert "每日按罚款数额的百分之三加处罚款" in text
    assert "二〇二六年四月二十四日" in text


def test_warning_only_decision_has_no_payment_or_surcharge():
    text = render_text("penalty_decision", penalty_kinds=["警告"])
    assert "作出如下行政处罚：警告。" in text
    assert "加处罚款" not in text and "账号" not in text
    assert "履行方式和期限" in text


def test_natural_person_shows_id_card_and_no_legal_representative():
    person = {"type": "自然人", "name": "王某", "id_no": "640105199001011234", "address": "银川市西夏区某小区",
              "phone": "13800000000"}
    for key in ("penalty_decision", "filing_approval", "onsite_record"):
        text = render_text(key, party=person)
        assert "身份证号码" in text and "640105199001011234" in text
        assert "法定代表人（负责人）" not in text and "统一社会信用代码" not in text


def test_penalty_notice_offers_a_hearing_only_when_the_case_qualifies():
    with_hearing = render_text("penalty_notice")
    assert "有要求听证的权利" in with_hearing
    without = render_text("penalty_notice", hearing_right=False)
    assert "有要求听证的权利" not in without
    assert "不属于《中华人民共和国行政处罚法》第六十三条规定的应当告知听证权利的情形" in without
    assert "五个工作日内向本局提出陈述、申辩意见" in without


def test_penalty_decision_without_statement_or_hearing():
    text = render_text("penalty_decision", statement_made=False, hearing_requested=False, hearing_right=False,
                       statement_review=_DROP, hearing=_DROP)
    assert "未提出陈述、申辩意见" in text
    assert "听证" not in text


@pytest.mark.parametrize(("method", "note"), [
    ("留置送达", "留置于受送达人住所"),
    ("邮寄送达", "以回执上注明的收件日期为送达日期"),
    ("公告送达", "经过三十日，即视为送达"),
    ("电子送达", "特定系统的日期为送达日期"),
])
def test_service_receipt_notes_follow_the_service_method(method, note):
    text = render_text("service_receipt", service__method=method, service__witness="李某（社区工作人员）")
    assert method in text and note in text


def test_hearing_record_of_an_absent_party_records_the_waiver():
    text = render_text("hearing_record", hearing_attended=False, hearing_record=_DROP)
    assert "视为放弃听证权利" in text


def test_decision_approval_without_optional_steps():
    """A 不予处罚 case: no notice, no review, no discussion."""
    text = render_text("decision_approval", outcome="不予处罚", statement_made=_DROP, review_result=_DROP,
                       review_opinion=_DROP, discussion=_DROP)
    assert "建议不予行政处罚" in text
    assert "法制审核意见" not in text and "集体讨论意见" not in text


def test_matter_approval_shows_the_reason_of_the_matter_being_approved():
    assert "案情较为复杂" in render_text("matter_approval")
    preserve = render_text("matter_approval", task__name="先行登记保存审批")
    assert "涉案食品可能被转移、销售" in preserve and "某某牌纯牛奶（250mL/盒）18盒" in preserve
    suspend = render_text("matter_approval", task__name="中止调查审批")
    assert "住院治疗" in suspend


def test_user_text_ending_with_a_full_stop_is_not_doubled():
    text = render_text("suspension_decision", suspension__reason="当事人下落不明。")
    assert "下落不明，" in text and "。，" not in text
