"""Our own checks of a procedure beyond the XSD: scripts, forms, templates and the data they share."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from engine.deadlines import parse_period
from engine.documents import template_variables
from engine.errors import EngineError
from engine.properties import ROLES, conditions_of
from engine.scripting import check_syntax

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
BUILTINS = {"agency", "case", "doc", "task", "actor", "today", "deadlines", "doc_nos"}
EXPRESSIONS = {
    f"{BPMN}script": "exec", f"{BPMN}conditionExpression": "eval", f"{BPMN}timeDate": "eval",
    f"{BPMN}timeDuration": "eval", f"{BPMN}timeCycle": "eval", f"{SPIFF}preScript": "exec",
    f"{SPIFF}postScript": "exec",
}


@dataclass(frozen=True)
class Problem:
    file: str
    element: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file} [{self.element}]" if self.element else self.file
        return f"{where}: {self.message}"


def check_definitions(procedure, trees: dict, root: Path) -> list[Problem]:
    """All problems that would make a case fail later; each names the file, element and reason."""
    files = {}
    problems = _check_expressions(trees, root, files)
    problems += _check_forms(procedure)
    provided = _provided_data(procedure, trees)
    for cfg in procedure.elements.values():
        where = files.get(cfg.bpmn_id, procedure.key)
        problems += [Problem(where, cfg.bpmn_id, m) for m in _element_problems(procedure, cfg, provided)]
    return problems


def _check_expressions(trees: dict, root: Path, files: dict) -> list[Problem]:
    problems = []
    for path, tree in trees.items():
        rel = str(path.relative_to(root))
        for node in tree.iter():
            if isinstance(node.tag, str) and node.get("id"):
                files.setdefault(node.get("id"), rel)
            mode = EXPRESSIONS.get(node.tag) if isinstance(node.tag, str) else None
            if mode and (node.text or "").strip():
                owner = next((a.get("id") for a in node.iterancestors() if a.get("id")), "")
                owner = node.getparent().get("id") or owner
                problem = check_syntax(node.text.strip(), mode)
                if problem:
                    problems.append(Problem(rel, owner, f"表达式有误：{problem}"))
    return problems


def _check_forms(procedure) -> list[Problem]:
    problems = []
    for name, schema in procedure.forms.schemas.items():
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            problems.append(Problem(f"forms/{name}", "", f"不是有效的 JSON Schema：{exc.message}"))
    return problems


def _element_problems(procedure, cfg, provided: dict) -> list[str]:
    out = []
    if cfg.manual and cfg.role is None:
        out.append(f"人工任务“{cfg.name}”不在已知泳道中（泳道名称应为：{'、'.join(ROLES)}）")
    if cfg.form and cfg.form not in procedure.forms.schemas:
        out.append(f"引用的表单 {cfg.form} 不存在")
    for expr in conditions_of(cfg):
        problem = check_syntax(expr, "eval")
        if problem:
            out.append(f"条件表达式有误：{expr}：{problem}")
    for period in [o.period for o in cfg.opens if o.period != "AT"] + [p for _, p in cfg.extends] + (
        [cfg.task_deadline] if cfg.task_deadline else []
    ):
        try:
            parse_period(period)
        except EngineError as exc:
            out.append(exc.message)
    for rule in cfg.documents:
        try:
            meta = procedure.templates.get(rule.template)
        except EngineError as exc:
            out.append(exc.message)
            continue
        out += _template_problems(rule.template, meta, provided)
    return out


def _template_problems(key: str, meta, provided: dict) -> list[str]:
    out = []
    path = meta.path
    if not Path(path).is_file():
        return [f"模板文件 {path} 不存在"]
    for var in sorted(template_variables(path)):
        head, *rest = var.split(".")
        if head in BUILTINS:
            continue
        if head not in provided:
            out.append(f"模板 {key} 使用的变量 {var} 没有任何表单、脚本或决策表提供")
        elif rest and provided[head] is not None and rest[0] not in provided[head]:
            out.append(f"模板 {key} 使用的变量 {var}：表单中的“{head}”没有字段 {rest[0]}")
    return out


def _provided_data(procedure, trees: dict) -> dict[str, set | None]:
    """Top-level data keys some element provides, with the sub-fields forms declare (None = unknown)."""
    provided: dict[str, set | None] = {}
    for name in procedure.forms.schemas:
        validator = procedure.forms.validator(name)
        for key, sub in _form_properties(validator, validator.schema).items():
            provided[key] = sub if provided.get(key, set()) is not None else None
    for cfg in procedure.elements.values():
        for o in cfg.opens:
            provided[o.key] = None
    for tree in trees.values():
        for node in tree.iter():
            tag = node.tag if isinstance(node.tag, str) else ""
            if tag.endswith("}output") and node.get("name"):
                provided.setdefault(node.get("name"), None)
            if tag in (f"{BPMN}script", f"{SPIFF}preScript", f"{SPIFF}postScript") and node.text:
                for name in _assigned_names(node.text):
                    provided.setdefault(name, None)
            if tag.endswith("}messageVariable") and node.text:
                provided.setdefault(node.text.strip(), None)
    return provided


def _form_properties(validator, schema) -> dict[str, set | None]:
    from engine.forms import _resolve

    schema = _resolve(validator, schema)
    props = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []) + [schema.get("then", {}), schema.get("else", {})]:
        props.update(_resolve(validator, part).get("properties", {}))
    out = {}
    for key, sub in props.items():
        sub = _resolve(validator, sub)
        nested = _form_properties(validator, sub) if sub.get("type") == "object" else None
        out[key] = set(nested) if nested else None
    return out


def _assigned_names(script: str) -> set[str]:
    try:
        tree = ast.parse(script)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
