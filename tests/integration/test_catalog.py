"""The catalog: versions by content hash, parses once, and names the file, element and reason of every problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.catalog import Catalog
from engine.errors import DefinitionError
from tests.integration.mini_procedure import write_mini


@pytest.fixture
def tree(tmp_path) -> Path:
    return write_mini(tmp_path / "tree")


def catalog(tree: Path) -> Catalog:
    return Catalog(tree / "workflows", tree / "doc_templates")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def test_a_clean_procedure_has_no_problems_and_is_parsed_once(tree):
    cat = catalog(tree)
    assert cat.validate("mini") == []
    first = cat.current("mini")
    assert cat.current("mini") is first
    edit(tree / "workflows/mini/mini.bpmn", 'name="审批"', 'name="负责人审批"')
    second = cat.current("mini")
    assert second is not first and second.content_hash != first.content_hash
    assert second.element("approve").name == "负责人审批"


def test_a_script_syntax_error_names_file_and_element(tree):
    edit(tree / "workflows/mini/mini.bpmn", "deadline_timer(pay_due)", "deadline_timer(pay_due")
    problems = catalog(tree).validate("mini")
    assert any(p.file == "workflows/mini/mini.bpmn" and p.element == "overdue_timer" and "表达式有误" in p.message
               for p in problems), problems


def test_an_escape_attempt_in_a_condition_is_a_definition_problem(tree):
    edit(tree / "workflows/mini/mini.bpmn", "fine_amount &gt;= 10000", "().__class__.__base__")
    problems = catalog(tree).validate("mini")
    assert any(p.element == "register" and "__class__" in p.message for p in problems), problems


def test_a_missing_form_and_an_unknown_template_are_reported(tree):
    edit(tree / "workflows/mini/mini.bpmn", 'value="approval.json"', 'value="approve.json"')
    edit(tree / "workflows/mini/mini.bpmn", "notice&#10;", "notce&#10;")
    messages = [(p.element, p.message) for p in catalog(tree).validate("mini")]
    assert ("approve", "引用的表单 approve.json 不存在") in messages
    assert any(el == "register" and "notce" in m for el, m in messages), messages


def test_a_template_variable_no_form_provides_is_reported(tree):
    from docx import Document

    doc = Document(tree / "doc_templates/mini/notice_big.docx")
    doc.add_paragraph("{{ party.address }} {{ violation }}")
    doc.save(tree / "doc_templates/mini/notice_big.docx")
    messages = [p.message for p in catalog(tree).validate("mini")]
    assert "模板 notice_big 使用的变量 party.address：表单中的“party”没有字段 address" in messages
    assert "模板 notice_big 使用的变量 violation 没有任何表单、脚本或决策表提供" in messages


@pytest.mark.parametrize("payload", [
    '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
])
def test_entities_and_doctypes_are_refused_before_parsing(tree, payload):
    path = tree / "workflows/mini/mini.bpmn"
    text = path.read_text("utf-8")
    path.write_text(text.replace("?>\n", "?>\n" + payload + "\n", 1), "utf-8")
    with pytest.raises(DefinitionError) as err:
        catalog(tree).current("mini")
    assert "mini.bpmn" in err.value.message and "DOCTYPE" in err.value.message


def test_an_unknown_procedure_is_a_clear_error(tree):
    with pytest.raises(DefinitionError, match="没有名为“licence”的执法程序"):
        catalog(tree).current("licence")
