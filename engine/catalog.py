"""Load, validate and version procedures (BPMN + DMN + forms + template links); parse once per version."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser

from engine import effects
from engine.definitions import Problem, check_definitions
from engine.errors import DefinitionError
from engine.forms import FormSet
from engine.properties import ElementConfig, parse_properties
from engine.templates import TemplateSet
from engine.xmlsafe import parse_xml_bytes

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / "workflows"
TEMPLATES = ROOT / "doc_templates"
SOURCE_SUFFIXES = (".bpmn", ".dmn", ".json")


@dataclass
class Procedure:
    """One procedure version, parsed once and shared by every case on it."""

    key: str
    name: str
    manifest: dict
    content_hash: str
    folder: Path
    spec: object
    subprocess_specs: dict
    forms: FormSet
    templates: TemplateSet
    elements: dict[str, ElementConfig] = field(default_factory=dict)
    events: dict[str, ElementConfig] = field(default_factory=dict)  # message name -> the element that catches it
    diagram_xml: str = ""  # the main .bpmn file of this version, for the diagram viewer

    def element(self, bpmn_id: str) -> ElementConfig | None:
        return self.elements.get(bpmn_id)


def source_files(folder: Path) -> list[Path]:
    """The files that make up a procedure version: its folder and the shared call activities."""
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix in SOURCE_SUFFIXES and "demo" not in p.parts]
    shared = folder.parent / "shared"
    files += [p for p in shared.rglob("*") if p.is_file() and p.suffix in SOURCE_SUFFIXES]
    return sorted(files)


def content_hash(files: list[Path], base: Path) -> str:
    """SHA-256 over names and bytes: the identity of a procedure version."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class Catalog:
    """Every procedure under workflows/, each parsed once per content hash."""

    def __init__(self, workflows: Path = WORKFLOWS, templates: Path = TEMPLATES) -> None:
        self.workflows = workflows
        self.templates = templates
        self._by_hash: dict[str, Procedure] = {}

    def keys(self) -> list[str]:
        return sorted(p.parent.name for p in self.workflows.glob("*/procedure.json"))

    def current(self, key: str) -> Procedure:
        """The version on disk now (parsed at most once per content hash)."""
        folder = self.workflows / key
        if not (folder / "procedure.json").is_file():
            raise DefinitionError(f"没有名为“{key}”的执法程序", file=str(folder))
        digest = content_hash(source_files(folder), self.workflows)
        if digest not in self._by_hash:
            procedure, problems = self._build(folder, digest)
            if problems:
                raise DefinitionError(
                    "程序定义有误：\n" + "\n".join(str(p) for p in problems), file=str(folder)
                )
            self._by_hash[digest] = procedure
        return self._by_hash[digest]

    def by_hash(self, digest: str) -> Procedure | None:
        return self._by_hash.get(digest)

    def remember(self, procedure: Procedure) -> None:
        self._by_hash[procedure.content_hash] = procedure

    def validate(self, key: str) -> list[Problem]:
        """Every problem of one procedure, without raising."""
        folder = self.workflows / key
        _, problems = self._build(folder, content_hash(source_files(folder), self.workflows))
        return problems

    def _build(self, folder: Path, digest: str) -> tuple[Procedure | None, list[Problem]]:
        problems: list[Problem] = []
        manifest = json.loads((folder / "procedure.json").read_text("utf-8"))
        trees = {}
        for path in source_files(folder):
            if path.suffix in (".bpmn", ".dmn"):
                try:
                    trees[path] = parse_xml_bytes(path.read_bytes(), str(path.relative_to(self.workflows.parent)))
                except DefinitionError as exc:
                    problems.append(Problem(exc.file or str(path), "", exc.message))
        if problems:
            return None, problems
        try:
            spec, subprocess_specs = _parse(trees, manifest["process"])
        except ValidationException as exc:
            return None, [Problem(str(getattr(exc, "file_name", "") or folder), str(getattr(exc, "id", "") or ""),
                                  f"BPMN 校验失败：{exc}")]
        forms = _load_forms(folder / "forms", problems)
        templates = TemplateSet(self.templates / manifest.get("templates", manifest["key"]))
        elements = _elements(spec, subprocess_specs, problems)
        procedure = Procedure(
            key=manifest["key"], name=manifest["name"], manifest=manifest, content_hash=digest, folder=folder,
            spec=spec, subprocess_specs=subprocess_specs, forms=forms, templates=templates, elements=elements,
            events=_message_catchers(spec, subprocess_specs, elements),
            diagram_xml=Path(spec.file).read_text("utf-8") if spec.file else "",
        )
        problems += check_definitions(procedure, trees, self.workflows.parent)
        effects.instrument(spec, subprocess_specs)
        return procedure, problems


def _parse(trees: dict, process_id: str):
    parser = SpiffBpmnParser(validator=VALIDATOR)
    for path, tree in trees.items():
        if path.suffix == ".dmn":
            parser.add_dmn_xml(tree.getroot(), filename=str(path))
    for path, tree in trees.items():
        if path.suffix == ".bpmn":
            parser.add_bpmn_xml(tree, filename=str(path))
    return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)


def _load_forms(folder: Path, problems: list[Problem]) -> FormSet:
    schemas = {}
    for path in sorted(folder.glob("*.json")):
        try:
            schemas[path.name] = json.loads(path.read_text("utf-8"))
        except json.JSONDecodeError as exc:
            problems.append(Problem(str(path), "", f"表单 JSON 格式错误：第{exc.lineno}行：{exc.msg}"))
    return FormSet(schemas)


def _message_catchers(spec, subprocess_specs: dict, elements: dict) -> dict[str, ElementConfig]:
    """Which element catches each message, so an event can be named, permitted and validated like a task."""
    out = {}
    for process in [spec, *subprocess_specs.values()]:
        for ts in process.task_specs.values():
            definition = getattr(ts, "event_definition", None)
            if type(definition).__name__ == "MessageEventDefinition" and ts.bpmn_id in elements:
                out.setdefault(definition.name, elements[ts.bpmn_id])
    return out


def _elements(spec, subprocess_specs: dict, problems: list[Problem]) -> dict[str, ElementConfig]:
    elements: dict[str, ElementConfig] = {}
    for process in [spec, *subprocess_specs.values()]:
        for ts in process.task_specs.values():
            bpmn_id = getattr(ts, "bpmn_id", None)
            if not bpmn_id or bpmn_id in elements:
                continue
            props = (getattr(ts, "extensions", None) or {}).get("properties", {})
            try:
                elements[bpmn_id] = parse_properties(
                    bpmn_id, getattr(ts, "bpmn_name", "") or "", process.name, getattr(ts, "lane", None),
                    bool(getattr(ts, "manual", False)), props,
                )
            except ValueError as exc:
                problems.append(Problem(process.file or process.name, bpmn_id, str(exc)))
    return elements
