"""FormSet.expanded: a schema with every `$ref` inlined, for renderers that walk it."""

from __future__ import annotations

import pytest

from engine.catalog import Catalog
from engine.forms import FormSet

COMMON = {
    "$id": "common.json",
    "$defs": {
        "person": {"type": "object", "title": "人员", "description": "公共定义",
                   "properties": {"role": {"$ref": "#/$defs/role"}}},
        "role": {"type": "string", "title": "身份", "enum": ["甲", "乙"]},
        "loop": {"type": "object", "properties": {"again": {"$ref": "#/$defs/loop"}}},
    },
}


def _refs(node) -> list:
    if isinstance(node, dict):
        return (["$ref"] if "$ref" in node else []) + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_refs_are_inlined_relative_to_their_own_file_and_site_keys_win():
    forms = FormSet({"common.json": COMMON, "f.json": {
        "type": "object", "properties": {"who": {"$ref": "common.json#/$defs/person", "title": "当事人"}}}})
    who = forms.expanded("f.json")["properties"]["who"]
    assert who["title"] == "当事人"  # the ref site's title beats the definition's
    assert who["description"] == "公共定义"
    assert who["properties"]["role"]["enum"] == ["甲", "乙"]  # "#/..." inside common.json resolved in common.json
    assert _refs(forms.expanded("f.json")) == []
    assert forms.expanded("f.json") is forms.expanded("f.json")  # cached per name
    assert "$ref" in forms.schemas["f.json"]["properties"]["who"]  # the source schema is left alone


def test_a_reference_cycle_is_refused_not_recursed_forever():
    forms = FormSet({"common.json": COMMON, "g.json": {"$ref": "common.json#/$defs/loop"}})
    with pytest.raises(ValueError, match="循环"):
        forms.expanded("g.json")


def test_every_penalty_form_expands_without_refs():
    forms = Catalog().current("penalty").forms
    for name in forms.schemas:
        assert _refs(forms.expanded(name)) == [], name
    party = forms.expanded("register_source.json")["properties"]["party"]
    assert party["description"] == "涉嫌违法的公民、法人或者其他组织"
    assert "legal_rep" in party["properties"] and party["then"]["required"] == ["legal_rep"]
