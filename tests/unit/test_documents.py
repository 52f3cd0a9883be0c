"""engine.documents: sandboxed, strict, escaped and deterministic rendering of .docx templates."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import docx
import pytest

from engine.documents import docx_text, render_docx, template_variables
from engine.errors import TemplateError
from engine.templates import TemplateSet


def make_template(folder, *paragraphs: str, name: str = "t.docx", table: list[list[str]] | None = None):
    """A .docx whose paragraphs (each one run) hold the given Jinja source."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=0, cols=len(table[0]))
        for cells in table:
            row = grid.add_row()
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
    path = folder / name
    document.save(str(path))
    return path


CONTEXT = {
    "party": {"name": "银川市某某商贸有限公司", "type": "法人或其他组织"},
    "doc": {"no": "银西市监处罚〔2026〕12号", "title": "行政处罚决定书", "date": "2026-03-02"},
    "fine_amount": "12000",
    "evidence": [{"name": "现场照片"}, {"name": "询问笔录"}],
}


def test_missing_variable_is_refused_with_the_template_and_the_dotted_path(tmp_path):
    path = make_template(tmp_path, "当事人：{{ party.name }}", name="penalty_decision.docx")
    with pytest.raises(TemplateError) as info:
        render_docx(path, {**CONTEXT, "party": {"type": "自然人"}})
    assert info.value.message == "模板 penalty_decision.docx 缺少变量 party.name"
    assert info.value.field == "party.name"


def test_missing_top_level_variable_is_named(tmp_path):
    path = make_template(tmp_path, "{{ hearing.place }}")
    with pytest.raises(TemplateError, match="模板 t.docx 缺少变量 hearing"):
        render_docx(path, CONTEXT)


def test_missing_field_of_a_list_item_names_the_item(tmp_path):
    path = make_template(tmp_path, "{% for e in evidence %}{{ e.kind }}{% endfor %}")
    with pytest.raises(TemplateError, match=r"缺少变量 evidence\[0\]\.kind"):
        render_docx(path, CONTEXT)


def test_missing_list_item_is_named_by_index(tmp_path):
    path = make_template(tmp_path, "{{ evidence[2].name }}")
    with pytest.raises(TemplateError, match=r"缺少变量 evidence\[2\]"):
        render_docx(path, CONTEXT)


def test_optional_data_guarded_with_is_defined_renders(tmp_path):
    path = make_template(tmp_path, "{% if hearing is defined %}听证{% else %}未听证{% endif %}")
    assert "未听证" in docx_text(render_docx(path, CONTEXT))


@pytest.mark.parametrize("expression", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ party.__class__ }}",
    "{{ lipsum.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
])
def test_template_injection_is_refused(tmp_path, expression):
    path = make_template(tmp_path, "当事人：" + expression, name="evil.docx")
    with pytest.raises(TemplateError, match="模板 evil.docx 含有不安全的表达式"):
        render_docx(path, CONTEXT)


def test_user_data_with_xml_markup_renders_as_literal_text(tmp_path):
    name = 'A&B <w:t>注入</w:t></w:r> "引号" \'单\' & 1 < 2'
    path = make_template(tmp_path, "当事人：{{ party.name }}")
    data = render_docx(path, {**CONTEXT, "party": {"name": name}})
    assert docx_text(data) == "当事人：" + name
    docx.Document(io.BytesIO(data))  # still a valid package


def test_line_breaks_in_user_data_stay_line_breaks(tmp_path):
    path = make_template(tmp_path, "{{ facts }}")
    text = docx_text(render_docx(path, {**CONTEXT, "facts": "第一行\n第二行"}))
    assert text == "第一行\n第二行"


def test_filters_format_dates_money_and_lists(tmp_path):
    path = make_template(
        tmp_path,
        "{{ doc.date|cn_date }}",
        "{{ doc.date|ymd }}",
        "{{ fine_amount|cn_amount }}",
        "{{ fine_amount|cn_upper }}",
        "{{ fine_amount|yuan }}",
        "{{ evidence|map(attribute='name')|join_cn }}",
    )
    assert docx_text(render_docx(path, CONTEXT)).split("\n") == [
        "二〇二六年三月二日",
        "2026年3月2日",
        "人民币壹万贰仟元整（¥12,000.00）",
        "壹万贰仟元整",
        "12,000.00",
        "现场照片、询问笔录",
    ]


def test_a_value_a_filter_refuses_is_a_template_error(tmp_path):
    path = make_template(tmp_path, "{{ fine_amount|cn_amount }}")
    with pytest.raises(TemplateError, match="模板 t.docx 无法渲染：金额格式错误"):
        render_docx(path, {**CONTEXT, "fine_amount": "一万"})


def test_none_prints_as_an_empty_field(tmp_path):
    path = make_template(tmp_path, "见证人：{{ witness }}。")
    assert docx_text(render_docx(path, {**CONTEXT, "witness": None})) == "见证人：。"


def test_rendering_twice_gives_identical_bytes_stamped_with_the_document_date(tmp_path):
    path = make_template(tmp_path, "{{ party.name }}{{ fine_amount|cn_amount }}")
    first = render_docx(path, CONTEXT)
    assert render_docx(path, CONTEXT) == first
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        assert {info.date_time for info in package.infolist()} == {(2026, 3, 2, 0, 0, 0)}
    props = docx.Document(io.BytesIO(first)).core_properties
    assert props.created == props.modified == dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


def test_a_different_date_gives_different_bytes(tmp_path):
    path = make_template(tmp_path, "{{ party.name }}")
    later = {**CONTEXT, "doc": {**CONTEXT["doc"], "date": "2026-03-03"}}
    assert render_docx(path, CONTEXT) != render_docx(path, later)


def test_syntax_error_is_a_template_error(tmp_path):
    path = make_template(tmp_path, "{% if party.name %}没有结束")
    with pytest.raises(TemplateError, match="模板 t.docx 语法错误"):
        render_docx(path, CONTEXT)


def test_missing_template_file_is_a_template_error(tmp_path):
    with pytest.raises(TemplateError, match="模板文件 nothing.docx 不存在"):
        render_docx(tmp_path / "nothing.docx", CONTEXT)


def test_template_variables_are_dotted_paths_without_loop_and_set_variables(tmp_path):
    path = make_template(
        tmp_path,
        "{{ party.name }}{{ agency['code'] }}{{ doc.no }}{{ fine_amount|cn_amount }}",
        "{% for e in evidence %}{{ e.name }}{{ loop.index }}{% endfor %}",
        "{% set who = actor.name %}{{ who }}",
        "{% if hearing is defined and hearing.place %}{{ hearing.date|ymd }}{% endif %}",
        "{% for k, v in review_checklist.items() %}{{ k }}{{ v }}{% endfor %}",
        "{{ test['items'] }}{{ inquiry.time[11:16] }}{{ statement.rstrip('。') }}",
        "{{ officers[0].name }}{{ range(3)|list }}",
    )
    assert template_variables(path) == {
        "party.name", "agency.code", "doc.no", "fine_amount", "evidence", "actor.name", "hearing",
        "hearing.place", "hearing.date", "review_checklist", "test.items", "inquiry.time", "statement", "officers",
    }


def test_template_variables_sees_docxtpl_row_and_paragraph_tags(tmp_path):
    path = make_template(
        tmp_path,
        "{%p if hearing_right %}",
        "可以要求听证",
        "{%p endif %}",
        table=[["{%tr for r in inquiry.record %}"], ["问：{{ r.q }} 答：{{ r.a }}"], ["{%tr endfor %}"]],
    )
    assert template_variables(path) == {"hearing_right", "inquiry.record"}
    context = {**CONTEXT, "hearing_right": False, "inquiry": {"record": [{"q": "姓名？", "a": "王某"}]}}
    assert docx_text(render_docx(path, context)) == "问：姓名？ 答：王某"


def test_docx_text_reads_paragraphs_and_table_rows_in_order(tmp_path):
    path = make_template(tmp_path, "标题", table=[["受送达人", "{{ party.name }}"]])
    assert docx_text(render_docx(path, CONTEXT)) == "标题\n受送达人\t银川市某某商贸有限公司"


def _registry(folder, templates):
    (folder / "documents.json").write_text(json.dumps({"procedure": "demo", "templates": templates}), "utf-8")


def test_template_set_returns_metadata_and_path(tmp_path):
    _registry(tmp_path, {"penalty_decision": {
        "file": "penalty_decision.docx", "title": "行政处罚决定书", "number_kind": "处罚", "volume": "正卷",
        "requires_passed_review": True, "statutory_fields": ["当事人"], "statute": "处罚法第五十九条"}})
    meta = TemplateSet(tmp_path).get("penalty_decision")
    assert meta.path == tmp_path / "penalty_decision.docx"
    assert (meta.title, meta.number_kind, meta.volume, meta.requires_passed_review) == ("行政处罚决定书", "处罚", "正卷", True)
    assert meta.statutory_fields == ("当事人",)


def test_template_set_refuses_an_unknown_key(tmp_path):
    _registry(tmp_path, {})
    with pytest.raises(TemplateError, match="文书模板 nothing 未在"):
        TemplateSet(tmp_path).get("nothing")


def test_template_set_without_registry_is_a_template_error(tmp_path):
    with pytest.raises(TemplateError, match="缺少 documents.json"):
        TemplateSet(tmp_path)


def test_template_set_refuses_an_unknown_volume(tmp_path):
    _registry(tmp_path, {"x": {"file": "x.docx", "title": "某文书", "volume": "第三卷"}})
    with pytest.raises(TemplateError, match="volume 应为正卷或副卷"):
        TemplateSet(tmp_path)
