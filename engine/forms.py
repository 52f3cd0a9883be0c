"""Form schemas: validate a submission against its JSON Schema, with field-level messages in Chinese."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from engine.errors import FormErrors

MONEY = re.compile(r"^\d+(\.\d{1,2})?$")
FORMAT_CHECKER = FormatChecker()


@FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    dt.date.fromisoformat(value)
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))


@FORMAT_CHECKER.checks("money")
def _is_money(value: object) -> bool:
    return not isinstance(value, str) or bool(MONEY.match(value))


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character_at(data: Any) -> str | None:
    """The dotted path of the first string (key or value) with a control character other than tab and newlines."""
    stack: list[tuple[str, object]] = [("", data)]  # a loop, not recursion: nesting depth is the client's choice
    while stack:
        path, value = stack.pop()
        if isinstance(value, str) and CONTROL.search(value):
            return path
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, item in items:
            if isinstance(key, str) and CONTROL.search(key):
                return path
            stack.append((f"{path}.{key}" if path else str(key), item))
    return None


class FormSet:
    """The forms of one procedure version, resolving `$ref`s between them."""

    def __init__(self, schemas: dict[str, dict]) -> None:
        self.schemas = schemas
        resources = [(name, Resource.from_contents(s, default_specification=_spec())) for name, s in schemas.items()]
        self.registry = Registry().with_resources(resources)

    def validator(self, name: str) -> Draft202012Validator:
        return Draft202012Validator(self.schemas[name], registry=self.registry, format_checker=FORMAT_CHECKER)

    def validate(self, name: str, data: Any) -> dict:
        """Validate and return the data with money fields as Decimal; raise FormErrors listing every problem."""
        if not isinstance(data, dict):
            raise FormErrors([{"field": "", "label": "", "message": "提交的内容必须是一个表单对象"}])
        validator = self.validator(name)
        where = control_character_at(data)
        if where is not None:  # PostgreSQL text and .docx XML cannot hold them: refuse here, not with a 500 later
            label = self.label_for(validator, [int(p) if p.isdigit() else p for p in where.split(".") if p])
            raise FormErrors([{"field": where, "label": label,
                               "message": "含有不可见的控制字符（如 \\u0000），请删除后重新提交"}])
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            raise FormErrors(_one_per_field([self._describe(validator, e) | {"kind": e.validator} for e in errors]))
        return to_decimal(data, self.schemas[name], validator)

    def _describe(self, validator: Draft202012Validator, err) -> dict:
        path = list(err.absolute_path)
        if err.validator == "required":
            missing = re.findall(r"'([^']+)' is a required property", err.message)
            path = path + missing[:1]
        field = ".".join(str(p) for p in path)
        label = self.label_for(validator, path)
        return {"field": field, "label": label, "message": chinese_message(err)}

    def expanded(self, name: str) -> dict:
        """The schema `name` with every `$ref` replaced by its target (sibling keys at the ref site win), cached.

        For renderers that walk the schema; the result is shared between callers, so treat it as read-only.
        """
        cache = self.__dict__.setdefault("_expanded", {})
        if name not in cache:
            cache[name] = _expand(self.schemas[name], self.registry.resolver(base_uri=name), ())
        return cache[name]

    def label_for(self, validator: Draft202012Validator, path: list) -> str:
        """The chain of Chinese titles for a field path, e.g. 当事人 / 名称."""
        schema = validator.schema
        titles = []
        for part in path:
            schema = _resolve(validator, schema)
            if isinstance(part, int):
                schema = schema.get("items", {})
                titles.append(f"第{part + 1}项")
            else:
                schema = schema.get("properties", {}).get(part, {})
                titles.append(_resolve(validator, schema).get("title", part))
        return "／".join(titles)


def _expand(schema: Any, resolver, seen: tuple[int, ...]) -> Any:
    """Inline `$ref`s recursively, each resolved against the base URI of the resource it appears in."""
    if isinstance(schema, list):
        return [_expand(item, resolver, seen) for item in schema]
    if not isinstance(schema, dict):
        return schema
    siblings = {k: _expand(v, resolver, seen) for k, v in schema.items() if k != "$ref"}
    if "$ref" not in schema:
        return siblings
    resolved = resolver.lookup(schema["$ref"])
    target_id = id(resolved.contents)  # the target object in the registry: a repeat on the way down is a cycle
    if target_id in seen:
        raise ValueError(f"表单定义中的引用 {schema['$ref']} 形成了循环，无法展开")
    return {**_expand(resolved.contents, resolved.resolver, (*seen, target_id)), **siblings}


def _one_per_field(described: list[dict]) -> list[dict]:
    """Keep the most telling message per field: a format message beats the bare pattern one."""
    best: dict[str, dict] = {}
    for item in described:
        kind = item.pop("kind")
        if item["field"] not in best or kind == "format":
            best[item["field"]] = item
    return list(best.values())


def _spec():
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012


def _resolve(validator: Draft202012Validator, schema: dict) -> dict:
    if isinstance(schema, dict) and "$ref" in schema:
        # `_resolver` is the validator's own referencing.Resolver (jsonschema 4.18+, pinned): it resolves
        # against the FormSet registry with the right base URI.
        return validator._resolver.lookup(schema["$ref"]).contents
    return schema if isinstance(schema, dict) else {}


def chinese_message(err) -> str:
    """A plain Chinese sentence for one jsonschema error."""
    v, val = err.validator, err.validator_value
    messages = {
        "required": lambda: "必须填写",
        "type": lambda: f"类型不正确，应为{_TYPES.get(val if isinstance(val, str) else val[0], val)}",
        "enum": lambda: "必须是以下之一：" + "、".join(str(x) for x in val),
        "const": lambda: f"必须为 {val}",
        "minItems": lambda: f"至少需要 {val} 项",
        "maxItems": lambda: f"最多 {val} 项",
        "minLength": lambda: "不能为空" if val == 1 else f"至少 {val} 个字符",
        "maxLength": lambda: f"不能超过 {val} 个字符",
        "pattern": lambda: "格式不正确",
        "minimum": lambda: f"不能小于 {val}",
        "maximum": lambda: f"不能大于 {val}",
        "additionalProperties": lambda: "含有表单中没有的字段",
        "format": lambda: {"date": "日期格式不正确，应为 YYYY-MM-DD 的有效日期",
                           "money": "金额格式不正确，应为数字，最多两位小数"}.get(val, "格式不正确"),
    }
    return messages.get(v, lambda: f"不符合要求（{v}）")()


_TYPES = {"string": "文字", "number": "数字", "integer": "整数", "boolean": "是/否", "array": "列表", "object": "对象"}


def to_decimal(data: Any, schema: dict, validator: Draft202012Validator) -> Any:
    """Convert every `format: money` string into Decimal (money is never float)."""
    schema = _resolve(validator, schema)
    if isinstance(data, dict):
        props = schema.get("properties", {})
        extra = [s.get("then", {}).get("properties", {}) for s in schema.get("allOf", [])] + [
            schema.get("then", {}).get("properties", {})
        ]
        for more in extra:
            props = {**more, **props}
        return {k: to_decimal(v, props.get(k, {}), validator) for k, v in data.items()}
    if isinstance(data, list):
        return [to_decimal(v, schema.get("items", {}), validator) for v in data]
    if isinstance(data, str) and schema.get("format") == "money":
        return Decimal(data)
    return data
