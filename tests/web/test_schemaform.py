"""The schema form: every demo submission survives render → browser post → parse → validate unchanged."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from engine.catalog import WORKFLOWS, Catalog
from engine.demo import substitute
from engine.errors import FormErrors
from web.schemaform import error_map, parse_form, render_form

SCENARIOS = json.loads((WORKFLOWS / "penalty" / "demo" / "scenarios.json").read_text("utf-8"))["scenarios"]
VOID = {"input", "br", "hr", "img", "meta", "link", "source", "wbr", "col", "area", "base", "embed", "track"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def procedure():
    return Catalog().current("penalty")


class Page(HTMLParser):
    """What a browser makes of the rendered fields: controls, options, labels, and what it would post."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.names: set[str] = set()  # enabled controls outside <template>
        self.all_names: set[str] = set()
        self.options: dict[str, set[str]] = {}
        self.posted: list[tuple[str, str]] = []
        self.controls: dict[str, dict] = {}  # name -> attributes, "disabled", "cond": the wrapper making it conditional
        self.labels: list[str] = []
        self.ids: list[str] = []
        self.label_for: list[str] = []
        self.text: list[str] | None = None
        self.select: list | None = None  # [name, posts?, [(value, selected)]]
        self.textarea: str | None = None  # the name a textarea's text posts under
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = {k: ("" if v is None else v) for k, v in attrs}
        if "id" in a and not self._in("template"):
            self.ids.append(a["id"])
        if tag == "label" and "for" in a and not self._in("template"):
            self.label_for.append(a["for"])
        if tag in ("label", "legend", "textarea"):
            self.text = []
        if tag in ("input", "select", "textarea"):
            self.textarea = None
            self._control(tag, a)
        if tag == "option" and self.select is not None:
            self.select[2].append((a.get("value", ""), "selected" in a))
            self.options.setdefault(self.select[0], set()).add(a.get("value", ""))
        if tag not in VOID:
            self.stack.append((tag, a))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass
        if tag in ("label", "legend") and self.text is not None and not self._in("template"):
            self.labels.append("".join(self.text).replace("*", "").strip())
        if tag == "textarea" and self.textarea:
            self.posted.append((self.textarea, "".join(self.text or [])))
        if tag == "select" and self.select and self.select[1]:
            chosen = [v for v, on in self.select[2] if on] or [v for v, _ in self.select[2][:1]]
            self.posted += [(self.select[0], v) for v in chosen]
        self.select = None if tag == "select" else self.select
        self.text = None if tag in ("label", "legend", "textarea") else self.text

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)

    def _in(self, tag: str) -> bool:
        return any(t == tag for t, _ in self.stack)

    def _control(self, tag: str, a: dict) -> None:
        if self._in("template"):
            return
        name = a["name"]
        disabled = "disabled" in a or any(t == "fieldset" and "disabled" in x for t, x in self.stack)
        cond = next((x for _, x in reversed(self.stack) if {"data-show-when", "data-require-when"} & set(x)), {})
        self.all_names.add(name)
        self.controls[name] = a | {"cond": cond, "disabled": disabled}
        if not disabled:
            self.names.add(name)
        kind = a.get("type", "text")
        if kind in ("radio", "checkbox"):
            self.options.setdefault(name, set()).add(a["value"])
        posts = not disabled and (kind not in ("radio", "checkbox") or "checked" in a)
        self.textarea = name if tag == "textarea" and posts else None
        if tag == "select":
            self.select = [name, posts, []]
        elif tag == "input" and posts:
            self.posted.append((name, a.get("value", "")))


def browser_post(html: str) -> MultiDict:
    return MultiDict(Page(html).posted + [("csrf_token", "token")])


def flatten(value, schema: dict, path: str = ""):
    """A submission as (name, value) pairs, the way the rendered form posts it."""
    if isinstance(value, dict):
        for key, item in value.items():
            sub = schema.get("properties", {}).get(key, {})
            if "const" not in sub:
                yield from flatten(item, sub, f"{path}.{key}" if path else key)
    elif isinstance(value, list) and "enum" in schema.get("items", {}):
        yield from ((path, str(item)) for item in value)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from flatten(item, schema.get("items", {}), f"{path}.{i}")
    else:
        yield path, ("true" if value else "false") if isinstance(value, bool) else str(value)


def in_enum_order(value, schema: dict):
    if isinstance(value, dict):
        return {k: in_enum_order(v, schema.get("properties", {}).get(k, {})) for k, v in value.items()}
    items = schema.get("items", {})
    if isinstance(value, list) and "enum" in items:
        return sorted(value, key=items["enum"].index)
    return [in_enum_order(v, items) for v in value] if isinstance(value, list) else value


def scenario_steps():
    for name, scenario in SCENARIOS.items():
        start = dt.date.fromisoformat(scenario["start"])
        for n, step in enumerate(scenario["steps"]):
            if "data" in step and ("task" in step or "event" in step):
                data = substitute(step["data"], start)
                yield pytest.param(step.get("task"), step.get("event"), data, id=f"{name}-{n}-{step.get('task') or step['event']}")


def form_of(procedure, task: str | None, event: str | None) -> str:
    return (procedure.element(task) if task else procedure.events[event]).form


@pytest.mark.parametrize(("task", "event", "data"), list(scenario_steps()))
def test_every_demo_submission_round_trips_through_the_rendered_form(procedure, task, event, data):
    name = form_of(procedure, task, event)
    schema = procedure.forms.expanded(name)
    html = render_form(schema, data)
    page = Page(html)
    pairs = list(flatten(data, schema))
    for key, value in pairs:
        assert key in page.names, f"{name}: the form has no enabled field {key!r}"
        if key in page.options:
            assert value in page.options[key], f"{name}: {key} offers no option {value!r}"
    expected = procedure.forms.validate(name, data)
    assert procedure.forms.validate(name, parse_form(schema, MultiDict([*pairs, ("csrf_token", "t")]))) == expected
    # the prefilled page, submitted as it stands, says the same again (ticked boxes post in the page's order)
    as_posted = procedure.forms.validate(name, in_enum_order(data, schema))
    assert procedure.forms.validate(name, parse_form(schema, browser_post(html))) == as_posted


def _keys(schema) -> set[str]:
    if isinstance(schema, dict):
        return set(schema.get("properties", {})) | {k for v in schema.values() for k in _keys(v)}
    return {k for v in schema for k in _keys(v)} if isinstance(schema, list) else set()


def test_every_form_labels_its_fields_in_chinese_with_unique_ids(procedure):
    for name in procedure.forms.schemas:
        if name == "common.json":
            continue
        schema = procedure.forms.expanded(name)
        page = Page(render_form(schema))
        assert page.labels and page.all_names, name
        raw = _keys(schema) & set(page.labels)
        assert not raw, f"{name}: property keys shown as labels: {raw}"
        assert all(CJK.search(text) for text in page.labels), (name, page.labels)
        assert len(page.ids) == len(set(page.ids)), f"{name}: duplicate ids"
        assert set(page.label_for) <= set(page.ids), name


def test_an_empty_submission_shows_chinese_messages_at_the_fields(procedure):
    schema = procedure.forms.expanded("register_source.json")
    blank = render_form(schema)
    parsed = parse_form(schema, browser_post(blank))
    assert parsed["party"]["name"] == ""  # required text kept, so the validator says 不能为空
    with pytest.raises(FormErrors) as exc:
        procedure.forms.validate("register_source.json", parsed)
    errors = error_map(exc.value.errors)
    assert errors["party.name"] == "不能为空" and errors["procedure_kind"] == "必须填写"
    html = render_form(schema, parsed, errors)
    field = re.search(r'<div class="field is-invalid">(?:(?!</div>).)*name="party\.name".*?</div>\s*</div>', html)
    assert field, "party.name is not wrapped as an invalid field"
    assert 'aria-invalid="true"' in field.group(0) and "f-party-name-error" in field.group(0)
    assert '<div class="field-error" id="f-party-name-error">不能为空</div>' in field.group(0)
    assert Page(html).controls["party.name"]["aria-invalid"] == "true"
    assert 'class="form-errors"' not in html  # every message sits at its own field
    whole = render_form(schema, {}, error_map([{"field": "party", "message": "必须填写"},
                                               {"field": "", "message": "提交的内容必须是一个表单对象"}]))
    assert re.search(r'<fieldset class="field field-object is-invalid" id="f-party">.*?必须填写', str(whole))
    assert '<div class="form-errors" role="alert"><ul><li>提交的内容必须是一个表单对象</li></ul></div>' in whole


def test_legal_representative_appears_only_for_organisations(procedure):
    schema = procedure.forms.expanded("register_source.json")
    person = Page(render_form(schema, {"party": {"type": "自然人"}})).controls
    cond = person["party.legal_rep"]["cond"]
    assert (cond["data-show-when"], cond["data-show-value"]) == ("party.type", "法人或其他组织")
    assert person["party.legal_rep"]["disabled"] and "hidden" in cond and "required" not in person["party.legal_rep"]
    assert person["party.name"]["cond"] == {} and "required" in person["party.name"]
    company = Page(render_form(schema, {"party": {"type": "法人或其他组织"}})).controls
    assert not company["party.legal_rep"]["disabled"] and "hidden" not in company["party.legal_rep"]["cond"]
    assert "required" not in person["source.reporter"]  # required but may be left blank (监督检查发现的留空)


def test_conditions_on_choice_lists_and_several_values(procedure):
    controls = Page(render_form(procedure.forms.expanded("conclude_investigation.json"))).controls
    fine = controls["fine_amount"]["cond"]
    assert (fine["data-show-when"], fine["data-show-value"]) == ("penalty_kinds", "罚款")
    # 证据 is needed for 处罚 and for 不予处罚: always on the page (a transfer may describe evidence too), the * follows
    summary = controls["evidence_summary"]
    assert not summary["disabled"] and "data-show-when" not in summary["cond"]
    assert summary["cond"]["data-require-when"] == "outcome" and "data-optional" in summary["cond"]
    assert json.loads(summary["cond"]["data-require-values"]) == ["处罚", "不予处罚"]
    assert controls["transfer.crime"]["disabled"]  # inside the hidden 移送司法机关 fieldset
    payment = Page(render_form(procedure.forms.expanded("issue_decision.json"))).controls["payment.bank"]["cond"]
    assert json.loads(payment["data-show-values"]) == ["指定银行缴纳", "电子支付"]


def test_evidence_rows_repeat_from_a_template_and_come_back_in_order(procedure):
    schema = procedure.forms.expanded("extract_evidence.json")
    html = str(render_form(schema))
    template = re.search(r'<template class="repeat-template">(.*?)</template>', html, re.S)
    assert template and 'name="evidence.__INDEX__.name"' in template.group(1)
    assert 'data-repeat="evidence"' in html and "添加一项" in html and "删除" in html
    assert "evidence.0.name" in Page(html).names  # minItems 1: one row is there to fill in
    row = {"kind": "书证", "quantity": "1份", "source": "当事人提供", "note": ""}
    form = MultiDict([(f"evidence.{i}.{k}", v) for i, name in ((0, "进货单据"), (2, "销售记录"))
                      for k, v in {"name": name, **row}.items()])
    form.update({"evidence.5.name": "", "evidence.5.note": " "})  # a row left empty is dropped
    evidence = parse_form(schema, form)["evidence"]
    assert [e["name"] for e in evidence] == ["进货单据", "销售记录"] and evidence[1] == {"name": "销售记录", **row}


def test_values_are_typed_and_bad_numbers_reach_the_validator(procedure):
    schema = procedure.forms.expanded("commission_test.json")
    assert 'type="number"' in render_form(schema) and 'step="1"' in render_form(schema)
    parsed = parse_form(schema, MultiDict({"test.expected_days": "十天"}))
    assert parsed["test"]["expected_days"] == "十天"
    with pytest.raises(FormErrors) as exc:
        procedure.forms.validate("commission_test.json", parsed)
    assert error_map(exc.value.errors)["test.expected_days"] == "类型不正确，应为整数"
    closing = procedure.forms.expanded("close_case.json")
    assert parse_form(closing, MultiDict({"has_items": "false"}))["has_items"] is False
    assert "has_items" not in parse_form(closing, MultiDict({"has_items": ""}))  # unanswered: 必须填写


def test_widgets_follow_the_schema(procedure):
    html = str(render_form(procedure.forms.expanded("conclude_investigation.json")))
    assert re.search(r'<input type="checkbox" name="penalty_kinds" id="f-penalty_kinds-0" value="警告"', html)
    assert re.search(r'name="fine_amount"[^>]*inputmode="decimal"', html) and '<span class="suffix">元</span>' in html
    assert re.search(r'<select name="business_activity"[^>]*><option value="">请选择</option><option value="true">是', html)
    assert re.search(r'<textarea name="facts"', html) and re.search(r'<input name="violated_provisions"[^>]*type="text"', html)
    assert re.search(r'<select name="outcome"', html)  # four options: a list, not radio buttons
    assert 'type="date"' in render_form(procedure.forms.expanded("register_source.json"))
    assert 'id="g-party-name"' in render_form(procedure.forms.expanded("register_source.json"), id_prefix="g")


def test_markup_in_values_and_messages_is_escaped(procedure):
    schema = procedure.forms.expanded("register_source.json")
    evil = "<script>alert(1)</script>"
    html = render_form(schema, {"cause": evil, "party": {"name": f'"><{evil}'},
                                "source": {"description": f"</textarea>{evil}"}}, {"cause": evil})
    assert isinstance(html, Markup)
    assert "<script>" not in html and "</textarea><script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and 'value="&#34;&gt;&lt;' in html
    assert Page(html).controls["cause"]["value"] == evil
