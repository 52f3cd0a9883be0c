"""A task's JSON Schema as an HTML form, and the posted form back into the JSON the schema describes.

Works on `FormSet.expanded()` schemas (no `$ref`). Field names are dotted paths (`party.name`, `evidence.0.name`);
web/static/js/forms.js adds and removes rows of repeatable arrays (`data-repeat`) and shows a field only while
the value it depends on matches (`data-show-when` / `data-show-value`), disabling it otherwise.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

INDEX = "__INDEX__"  # the row index in a <template> row; forms.js puts the real one in
MISSING = object()
LONG_KEY = re.compile(r"(^|_)(description|facts|reasons?|opinions?|content|summary|notes?|statements?|record|basis)$")
LONG_TITLE = re.compile("(内容|事实|理由|意见|情况|说明|记录|笔录|依据)(（[^）]*）)?$")  # not 记录员
INTEGER = re.compile(r"[-+]?\d+")
NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
MONEY = r"\d+(\.\d{1,2})?"
REMOVE = '<button type="button" class="repeat-remove">删除</button>'


@dataclass
class _Ctx:
    errors: dict[str, str]
    prefix: str
    fresh: bool  # no errors to show: schema defaults may fill empty fields
    shown: set[str] = field(default_factory=set)

    def id(self, path: str) -> str:
        return f"{self.prefix}-{path.replace('.', '-')}"

    def error(self, path: str) -> str | None:
        if path in self.errors:
            self.shown.add(path)
        return self.errors.get(path)


@dataclass
class _Field:
    path: str
    key: str
    schema: dict
    value: Any
    required: bool = False  # marked with *: required outright or under a condition
    enforce: bool = False  # the browser may check it: required outright, and so is every enclosing object
    when: tuple[str, list[str], bool] | None = None  # (controlling path, values that require it, hidden otherwise?)
    unmet: bool = False  # the condition does not hold for the current values

    @property
    def off(self) -> bool:
        """Hidden and disabled (so not posted) until its condition holds."""
        return bool(self.when and self.when[2] and self.unmet)


def render_form(schema: dict, values: dict | None = None, errors: dict[str, str] | None = None,
                *, id_prefix: str = "f") -> Markup:
    """The fields of an expanded schema as HTML to put inside a <form>; `errors` maps dotted paths to messages."""
    ctx = _Ctx(dict(errors or {}), id_prefix, not errors)
    body = _properties(schema, "", values if isinstance(values, dict) else {}, ctx, True)
    left = "".join(f"<li>{escape(msg)}</li>" for path, msg in ctx.errors.items() if path not in ctx.shown)
    top = f'<div class="form-errors" role="alert"><ul>{left}</ul></div>' if left else ""
    return Markup(f'<div class="schema-fields" data-schema-form>{top}{body}</div>')


def error_map(errors: list[dict]) -> dict[str, str]:
    """`FormErrors.errors` as {dotted path: Chinese message}, the first message per field."""
    out: dict[str, str] = {}
    for item in errors:
        out.setdefault(item.get("field", ""), item.get("message", ""))
    return out


def _properties(schema: dict, path: str, values: dict, ctx: _Ctx, enforce: bool) -> str:
    need = set(schema.get("required", []))
    conditions = _conditions(schema)
    out = []
    for key, sub in schema.get("properties", {}).items():
        if "const" in sub:
            continue
        value = values.get(key, sub.get("default") if ctx.fresh else None)
        must = key in need and not _may_be_blank(sub)
        f = _Field(_join(path, key), key, sub, value, must or key in conditions, enforce and must)
        if key in conditions:
            when, shows, hide = conditions[key]
            f.when, f.unmet = (_join(path, when), shows, hide), not _holds(values.get(when), shows)
        out.append(_field(f, ctx))
    return "".join(out)


def _may_be_blank(schema: dict) -> bool:
    """A required text the schema lets be "" (e.g. 监督检查发现的留空): neither * nor a browser check."""
    fixed = any(k in schema for k in ("enum", "format", "pattern"))
    return _type(schema) == "string" and not fixed and schema.get("minLength", 0) < 1


def _conditions(schema: dict) -> dict[str, tuple[str, list[str], bool]]:
    """Properties required only while one other property has given values (`if`/`then`, also inside `allOf`).

    One rule requiring it: the field belongs to that branch and is hidden outside it (法定代表人 for 法人). Several
    rules (证据 for 处罚 and for 不予处罚): general content, always shown, the * mark follows the condition.
    """
    found: dict[str, list[tuple[str, list[str]]]] = {}
    for rule in [schema, *schema.get("allOf", [])]:
        test = _test(rule.get("if"))
        for key in rule.get("then", {}).get("required", []) if test else []:
            found.setdefault(key, []).append(test)
    base = set(schema.get("required", []))
    return {key: (tests[0][0], [v for _, shows in tests for v in shows], len(tests) == 1)
            for key, tests in found.items() if key not in base and len({when for when, _ in tests}) == 1}


def _test(cond: Any) -> tuple[str, list[str]] | None:
    """`{properties: {X: {const | enum | contains: {const}}}}` as (X, the values as posted)."""
    props = cond.get("properties", {}) if isinstance(cond, dict) else {}
    if len(props) != 1:
        return None
    ((key, test),) = props.items()
    inner = test.get("contains", test)
    shows = [inner["const"]] if "const" in inner else list(inner.get("enum", []))
    if "contains" not in test and key not in cond.get("required", []):
        shows.append(None)  # without `required` an absent value satisfies the condition too
    return (key, [_text(v) for v in shows]) if shows else None


def _holds(value: Any, shows: list[str]) -> bool:
    return any(_text(v) in shows for v in (value if isinstance(value, list) else [value]))


def _field(f: _Field, ctx: _Ctx) -> str:
    kind, items = _type(f.schema), f.schema.get("items", {})
    if kind == "object":
        return _group(f, ctx, "field-object", _properties(f.schema, f.path, _dict(f.value), ctx, f.enforce))
    if kind == "array" and _type(items) == "object":
        return _repeat(f, ctx, _object_row)
    if kind == "array" and "enum" in items:
        return _choices(f, ctx, "checkbox", items["enum"])
    if kind == "array":
        return _repeat(f, ctx, _scalar_row)
    if "enum" in f.schema and len(f.schema["enum"]) <= 3 and f.required:
        return _choices(f, ctx, "radio", f.schema["enum"])
    return _leaf(f, ctx)


def _leaf(f: _Field, ctx: _Ctx) -> str:
    cid, msg = ctx.id(f.path), ctx.error(f.path)
    attrs = _control_attrs(f, cid, msg) | {"disabled": f.off}
    wrap = {"class": _invalid("field", msg), **_show(f)}
    return (f'<div{_attrs(wrap)}><label for="{escape(cid)}">{_label(f)}</label>{_control(f, attrs)}'
            f"{_help(f.schema, cid)}{_error(msg, cid)}</div>")


def _control_attrs(f: _Field, cid: str, msg: str | None) -> dict:
    helps = [f"{cid}-help"] * bool(f.schema.get("description")) + [f"{cid}-error"] * bool(msg)
    return {"name": f.path, "id": cid, "required": f.enforce, "class": "is-invalid" if msg else None,
            "aria-invalid": "true" if msg else None, "aria-describedby": " ".join(helps) or None}


def _control(f: _Field, attrs: dict) -> str:
    s, kind, fmt = f.schema, _type(f.schema), f.schema.get("format")
    text = "" if f.value is None else _text(f.value)
    if "enum" in s or kind == "boolean":
        return _select(f, attrs)
    if kind == "string" and not fmt and (LONG_KEY.search(f.key) or LONG_TITLE.search(s.get("title", ""))):
        return f"<textarea{_attrs(attrs | {'rows': 4, 'maxlength': s.get('maxLength')})}>{escape(text)}</textarea>"
    widget = {"type": "text", "maxlength": s.get("maxLength")}
    if fmt in ("date", "money"):
        widget = {"type": "date"} if fmt == "date" else {"type": "text", "inputmode": "decimal", "pattern": MONEY}
    elif kind in ("integer", "number"):
        widget = {"type": "number"} | _bounds(s, kind)
    box = f"<input{_attrs(attrs | widget | {'value': text})}>"
    return f'<span class="input-suffix">{box}<span class="suffix">元</span></span>' if fmt == "money" else box


def _select(f: _Field, attrs: dict) -> str:
    pairs = [("true", "是"), ("false", "否")] if _type(f.schema) == "boolean" else [
        (_text(v), _text(v)) for v in f.schema["enum"]]
    current = "" if f.value is None else _text(f.value)
    options = "".join(f"<option{_attrs({'value': v, 'selected': v == current})}>{escape(label)}</option>"
                      for v, label in pairs)  # the empty option: unanswered stays detectable (and valid HTML)
    return f'<select{_attrs(attrs)}><option value="">请选择</option>{options}</select>'


def _bounds(schema: dict, kind: str) -> dict:
    if kind == "number":
        return {"step": "any", "min": schema.get("minimum"), "max": schema.get("maximum")}
    low, high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    return {"step": 1, "min": schema.get("minimum", None if low is None else low + 1),
            "max": schema.get("maximum", None if high is None else high - 1)}


def _choices(f: _Field, ctx: _Ctx, kind: str, options: list) -> str:
    cid, msg = ctx.id(f.path), ctx.error(f.path)
    chosen = {_text(v) for v in (f.value if isinstance(f.value, list) else [f.value]) if v is not None}
    boxes = []
    for i, option in enumerate(options):
        value = _text(option)
        attrs = {"type": kind, "name": f.path, "id": f"{cid}-{i}", "value": value, "checked": value in chosen,
                 "required": f.enforce and kind == "radio", "aria-invalid": "true" if msg else None}
        boxes.append(f'<label class="choice"><input{_attrs(attrs)}> {escape(value)}</label>')
    return _group(f, ctx, f"field-choices field-{kind}", f'<div class="choices">{"".join(boxes)}</div>', msg=msg)


def _group(f: _Field, ctx: _Ctx, cls: str, inner: str, extra: dict | None = None, msg: str | None = None) -> str:
    """A fieldset with legend, help and error around grouped controls; disabled while its condition fails."""
    cid = ctx.id(f.path)
    msg = msg if msg is not None else ctx.error(f.path)
    attrs = {"class": _invalid(f"field {cls}", msg), "id": cid, **_show(f), "disabled": f.off, **(extra or {})}
    return (f"<fieldset{_attrs(attrs)}><legend>{_label(f)}</legend>{_help(f.schema, cid)}{_error(msg, cid)}"
            f"{inner}</fieldset>")


def _repeat(f: _Field, ctx: _Ctx, row) -> str:
    """Rows of an array: at least minItems (or one) rendered, plus a blank row in a <template> for 添加一项."""
    values = f.value if isinstance(f.value, list) else []
    low = f.schema.get("minItems", 0)
    rows = "".join(row(f, ctx, str(i), values[i] if i < len(values) else None, f.enforce and i < low)
                   for i in range(max(len(values), low or 1)))
    blank = row(f, _Ctx({}, ctx.prefix, True), INDEX, None, False)
    inner = (f'<div class="repeat-rows">{rows}</div><template class="repeat-template">{blank}</template>'
             '<button type="button" class="repeat-add">添加一项</button>')
    extra = {"data-repeat": f.path, "data-repeat-id": ctx.id(f.path), "data-min-items": low,
             "data-max-items": f.schema.get("maxItems")}
    return _group(f, ctx, "field-array", inner, extra)


def _object_row(f: _Field, ctx: _Ctx, i: str, value: Any, enforce: bool) -> str:
    path = f"{f.path}.{i}"
    rid, msg = ctx.id(path), ctx.error(path)
    body = _properties(f.schema.get("items", {}), path, _dict(value), ctx, enforce)
    return (f'<fieldset{_attrs({"class": _invalid("repeat-row", msg), "id": rid, "data-index": i})}>'
            f"<legend>{_row_no(i)}</legend>{_error(msg, rid)}{body}{REMOVE}</fieldset>")


def _scalar_row(f: _Field, ctx: _Ctx, i: str, value: Any, enforce: bool) -> str:
    item = _Field(f"{f.path}.{i}", f.key, f.schema.get("items", {}), value, enforce, enforce)
    rid, msg = ctx.id(item.path), ctx.error(item.path)
    return (f'<div{_attrs({"class": _invalid("repeat-row", msg), "data-index": i})}>'
            f'<label for="{escape(rid)}">{_row_no(i)}</label>{_control(item, _control_attrs(item, rid, msg))}'
            f"{_error(msg, rid)}{REMOVE}</div>")


def _row_no(i: str) -> str:
    return f'第<span class="repeat-no">{"" if i == INDEX else int(i) + 1}</span>项'


def _label(f: _Field) -> str:
    mark = '<span class="req" aria-hidden="true">*</span>' if f.required else ""
    return f"{escape(f.schema.get('title') or f.key)}{mark}"


def _help(schema: dict, cid: str) -> str:
    text = schema.get("description")
    return f'<small class="help" id="{escape(cid)}-help">{escape(text)}</small>' if text else ""


def _error(msg: str | None, cid: str) -> str:
    return f'<div class="field-error" id="{escape(cid)}-error">{escape(msg)}</div>' if msg else ""


def _show(f: _Field) -> dict:
    """data-show-when/-value(s) (hidden otherwise) or data-require-when/-value(s) (optional otherwise)."""
    if not f.when:
        return {}
    when, shows, hide = f.when
    kind = "show" if hide else "require"
    one = {f"data-{kind}-value": shows[0]} if len(shows) == 1 else {
        f"data-{kind}-values": json.dumps(shows, ensure_ascii=False)}
    return {f"data-{kind}-when": when, **one, "hidden" if hide else "data-optional": f.unmet}


def _invalid(cls: str, msg: str | None) -> str:
    return f"{cls} is-invalid" if msg else cls


def _attrs(attrs: dict) -> str:
    """` name="value"` pairs, escaped; True gives a bare attribute, None and False none."""
    return "".join(f" {k}" if v is True else f' {k}="{escape(v)}"' for k, v in attrs.items()
                   if v is not None and v is not False)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _type(schema: dict) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None and "properties" in schema:
        return "object"
    return "array" if kind is None and "items" in schema else kind


# ---- reading the posted form back ----------------------------------------------------------------------------


def parse_form(schema: dict, form) -> dict:
    """Rebuild typed, nested JSON from a posted MultiDict (`request.form`) by the schema; unknown names ignored."""
    out = _parse_object(schema, "", form, True)
    return out if isinstance(out, dict) else {}


def _parse(schema: dict, path: str, form, required: bool) -> Any:
    kind, items = _type(schema), schema.get("items", {})
    if kind == "object":
        return _parse_object(schema, path, form, required)
    if kind == "array" and "enum" in items and _type(items) != "object":
        return [v for v in form.getlist(path) if v != ""] or MISSING  # none ticked: 必须填写 where required
    if kind == "array":
        return _parse_rows(schema, path, form, required)
    return _parse_leaf(schema, form.get(path), required)


def _parse_object(schema: dict, path: str, form, required: bool) -> Any:
    if path and not _under(form, path):
        return MISSING  # not on the page, or disabled because its condition does not hold
    need = set(schema.get("required", []))
    out = {}
    for key, sub in schema.get("properties", {}).items():
        value = sub["const"] if "const" in sub and key in need else _parse(sub, _join(path, key), form, key in need)
        if value is not MISSING:
            out[key] = value
    return MISSING if path and not required and _blank(form, path) else out


def _parse_rows(schema: dict, path: str, form, required: bool) -> Any:
    """Rows from `path.<i>…` names in index order; gaps closed, rows left wholly empty dropped."""
    pattern = re.compile(re.escape(path) + r"\.(\d+)(?:\.|$)")
    indexes = sorted({int(m.group(1)) for name in form.keys() if (m := pattern.match(name))})
    rows = []
    for i in indexes:
        if not _blank(form, f"{path}.{i}"):
            rows.append(_parse(schema.get("items", {}), f"{path}.{i}", form, True))
    rows = [row for row in rows if row is not MISSING]
    return rows if rows or required else MISSING


def _parse_leaf(schema: dict, raw: str | None, required: bool) -> Any:
    if raw is None:
        return MISSING
    raw, kind = raw.replace("\r\n", "\n"), _type(schema)
    if raw.strip() == "" and kind in ("integer", "number", "boolean"):
        return MISSING
    if raw == "":  # kept where the schema decides (不能为空 or 留空), omitted where "" can never be an answer
        plain = not schema.get("enum") and not schema.get("format")
        return "" if required and plain and kind in ("string", None) else MISSING
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw.strip(), raw)
    if kind == "integer" and INTEGER.fullmatch(raw.strip()):
        return int(raw)
    if kind == "number" and NUMBER.fullmatch(raw.strip()):
        return int(raw) if INTEGER.fullmatch(raw.strip()) else float(raw)
    return raw  # unparseable numbers stay text so the validator says which type it wants


def _under(form, path: str) -> list[str]:
    """Every value posted at `path` or below it."""
    return [v for name, values in form.lists() if name == path or name.startswith(path + ".") for v in values]


def _blank(form, path: str) -> bool:
    return all(v.strip() == "" for v in _under(form, path))
