"""Render .docx templates with a case context; the only module that imports docxtpl.

Templates are real Word files with Jinja tags (the source of truth designers edit in Word or WPS). They run in a
sandboxed Jinja environment with StrictUndefined, so a missing variable or an unsafe expression is a `TemplateError`
naming the template, never a silently blank field or code execution. User data is XML-escaped, and the output is
byte-for-byte deterministic for the same context (core properties and zip timestamps come from `doc.date`).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from docx import Document
from docx.opc.pkgwriter import PackageWriter
from docx.table import Table
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError, nodes
from jinja2.runtime import Undefined
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from jinja2.utils import missing

from engine import chinese
from engine.errors import EngineError, TemplateError
from engine.workdays import as_date

FILTERS = {
    "cn_date": chinese.cn_date,
    "ymd": chinese.ymd,
    "cn_amount": chinese.cn_amount,
    "cn_upper": chinese.cn_upper,
    "yuan": chinese.yuan,
    "join_cn": chinese.join_cn,
}
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # stamp for documents whose context carries no doc.date


# --- the sandbox -------------------------------------------------------------------------------------------------


class MissingVariable(UndefinedError):
    """A template read a variable the context does not have; `path` is the dotted path, e.g. party.name."""

    def __init__(self, path: str | None = None) -> None:
        super().__init__(path)
        self.path = path or "?"


class _PathUndefined(StrictUndefined):
    """StrictUndefined that fails with MissingVariable carrying the full dotted path of the missing variable."""

    __slots__ = ()

    def __init__(self, hint: str | None = None, obj: Any = missing, name: str | None = None,
                 exc: type[Exception] = MissingVariable) -> None:
        super().__init__(hint, obj, name, exc)

    @property
    def _undefined_message(self) -> str:
        if self._undefined_exception is MissingVariable:
            return self._undefined_name or "?"
        return super()._undefined_message


class _CaseEnvironment(SandboxedEnvironment):
    """Sandbox that knows where each dict/list of the context sits, to name a missing `party.name` in full."""

    def __init__(self, context: Mapping[str, Any] | None = None, autoescape: bool = False) -> None:
        super().__init__(undefined=_PathUndefined, autoescape=autoescape, finalize=_finalize)
        self.filters.update(FILTERS)
        self._own_paths = _path_index(context)

    @property
    def _paths(self) -> dict[int, str]:
        return _RENDER_PATHS.get() or self._own_paths

    def _named(self, obj: Any, name: Any, value: Any) -> Any:
        if isinstance(value, Undefined):
            parent = self._paths.get(id(obj))
            step = f"[{name}]" if isinstance(name, int) else f".{name}"
            return self.undefined(name=f"{parent}{step}" if parent else str(name))
        return value

    def getattr(self, obj: Any, attribute: str) -> Any:
        return self._named(obj, attribute, super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        return self._named(obj, argument, super().getitem(obj, argument))

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe")


# While a document renders in the shared environment, where each dict/list of its context sits (by id).
_RENDER_PATHS: ContextVar[dict[int, str] | None] = ContextVar("render_paths", default=None)


def _path_index(context: Mapping[str, Any] | None) -> dict[int, str]:
    paths: dict[int, str] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, Mapping):
            paths.setdefault(id(value), path)
            for key, item in value.items():
                walk(item, f"{path}.{key}")
        elif isinstance(value, list | tuple):
            paths.setdefault(id(value), path)
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")

    for key, value in (context or {}).items():
        walk(value, key)
    return paths


def _finalize(value: Any) -> Any:
    """None prints as an empty field, not as the word None."""
    return "" if value is None else value


def make_environment(context: Mapping[str, Any] | None = None) -> SandboxedEnvironment:
    """The sandboxed Jinja environment every template renders in, with the Chinese filters."""
    return _CaseEnvironment(context)


# --- rendering ---------------------------------------------------------------------------------------------------


# One sandboxed environment for every render (autoescape=True: docxtpl XML-escapes every value, so `&` or `<w:t>`
# in user data stays text). Template sources compile once and are reused while the .docx is unchanged: the compiled
# template is keyed by its source text, so an edited template simply compiles anew.
_SHARED = _CaseEnvironment(autoescape=True)


@functools.lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    return _SHARED.from_string(source)


@functools.lru_cache(maxsize=512)
def _patched(xml: str) -> str:
    return DocxTemplate.patch_xml(None, xml)  # docxtpl's tag clean-up is a pure function of the XML text


class _CompiledDocxTemplate(DocxTemplate):
    """DocxTemplate that reuses compiled Jinja templates and patched XML instead of redoing both per document."""

    def patch_xml(self, src_xml: str) -> str:
        return _patched(src_xml)

    def render_xml_part(self, src_xml, part, context, jinja_env=None):
        """docxtpl 0.20's render_xml_part, with the compiled-template cache."""
        src_xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
        self.current_rendering_part = part
        dst_xml = _compiled(src_xml).render(context)
        dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", dst_xml)
        dst_xml = dst_xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        return self.resolve_listing(dst_xml)

    def render_properties(self, context, jinja_env=None) -> None:
        props = self.docx.core_properties
        for prop in ("author", "comments", "identifier", "language", "subject", "title"):
            value = getattr(props, prop)
            if "{" in value:  # only templated properties need Jinja
                setattr(props, prop, _compiled(value).render(context))


def render_docx(template_path: str | Path, context: Mapping[str, Any]) -> bytes:
    """Render a .docx template with a case context; the same context always gives the same bytes."""
    path = Path(template_path)
    name = path.name
    if not path.is_file():
        raise TemplateError(f"模板文件 {name} 不存在", file=str(path))
    tpl = _CompiledDocxTemplate(str(path))
    token = _RENDER_PATHS.set(_path_index(context))
    try:
        tpl.render(dict(context), jinja_env=_SHARED, autoescape=True)
    except MissingVariable as exc:
        raise TemplateError(f"模板 {name} 缺少变量 {exc.path}", file=str(path), field=exc.path) from None
    except UndefinedError as exc:
        raise TemplateError(f"模板 {name} 缺少变量：{exc.message}", file=str(path)) from None
    except SecurityError:
        raise TemplateError(f"模板 {name} 含有不安全的表达式", file=str(path)) from None
    except TemplateSyntaxError as exc:
        raise TemplateError(f"模板 {name} 语法错误（第{exc.lineno}行）：{exc.message}", file=str(path)) from None
    except EngineError as exc:  # a filter refused a value, e.g. a malformed date
        raise TemplateError(f"模板 {name} 无法渲染：{exc.message}", file=str(path), field=exc.field) from None
    except (TypeError, ValueError) as exc:
        raise TemplateError(f"模板 {name} 无法渲染：{exc}", file=str(path)) from None
    finally:
        _RENDER_PATHS.reset(token)
    stamp = _stamp(context)
    props = tpl.docx.core_properties
    props.created = props.modified = stamp
    props.revision = 1
    return _save_package(tpl.docx.part.package, stamp)


class _FixedTimeZip:
    """The writer interface python-docx's PackageWriter expects, stamping every member with the same time."""

    def __init__(self, fileobj, date_time: tuple) -> None:
        self._zip = zipfile.ZipFile(fileobj, "w", zipfile.ZIP_DEFLATED)
        self._date_time = date_time

    def write(self, pack_uri, blob: bytes) -> None:
        info = zipfile.ZipInfo(pack_uri.membername, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self._zip.writestr(info, blob)

    def close(self) -> None:
        self._zip.close()


def _save_package(package, stamp: dt.datetime) -> bytes:
    """OpcPackage.save, in one pass, with fixed member timestamps (zipfile would stamp them with the clock)."""
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    out = io.BytesIO()
    writer = _FixedTimeZip(out, (stamp.year, stamp.month, stamp.day, 0, 0, 0))
    PackageWriter._write_content_types_stream(writer, parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, parts)
    writer.close()
    return out.getvalue()


def _stamp(context: Mapping[str, Any]) -> dt.datetime:
    doc = context.get("doc")
    date = doc.get("date") if isinstance(doc, Mapping) else None
    if not date:
        return _EPOCH
    try:
        day = as_date(date)
    except (EngineError, TypeError, ValueError):
        return _EPOCH
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


# --- reading templates and documents -----------------------------------------------------------------------------


def template_source(template_path: str | Path) -> str:
    """The Jinja source docxtpl sees: the body XML plus headers and footers, tags reassembled."""
    tpl = DocxTemplate(str(template_path))
    tpl.init_docx()
    parts = [tpl.patch_xml(tpl.get_xml())]
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _, part in tpl.get_headers_footers(uri):
            parts.append(tpl.patch_xml(tpl.get_part_xml(part)))
    return "\n".join(parts)


def template_variables(template_path: str | Path) -> set[str]:
    """The dotted variable paths a template reads (`party.name`, `doc.no`), loop and set variables excluded."""
    path = Path(template_path)
    env = make_environment()
    try:
        ast = env.parse(template_source(path))
    except TemplateSyntaxError as exc:
        raise TemplateError(f"模板 {path.name} 语法错误（第{exc.lineno}行）：{exc.message}", file=str(path)) from None
    assigned = {name for node in ast.find_all((nodes.Assign, nodes.AssignBlock)) for name in _names(node.target)}
    assigned |= {m.name for m in ast.find_all(nodes.Macro)}
    found: set[str] = set()
    _collect(ast, frozenset(assigned | set(env.globals)), found)
    return found


def _names(target: nodes.Node) -> set[str]:
    """The names a `for` or `set` target binds (`x`, or `k, v`)."""
    if isinstance(target, nodes.Name):
        return {target.name}
    return {n.name for n in target.find_all(nodes.Name)}


def _chain(node: nodes.Node) -> list[str] | None:
    """`party.name` / `party['name']` as ['party', 'name'], or None when the chain does not start at a name."""
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Getattr):
        head = _chain(node.node)
        return head + [node.attr] if head else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        head = _chain(node.node)
        return head + [node.arg.value] if head else None
    return None


def _collect(node: nodes.Node, local: frozenset[str], found: set[str]) -> None:
    if isinstance(node, nodes.For):
        _collect(node.iter, local, found)
        inner = local | _names(node.target) | {"loop"}
        for child in [*node.body, *node.else_] + ([node.test] if node.test else []):
            _collect(child, inner, found)
        return
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
        # payment.items() reads `payment`, not a field called `items`
        _collect(node.node.node, local, found)
        for child in [*node.args, *node.kwargs] + [x for x in (node.dyn_args, node.dyn_kwargs) if x]:
            _collect(child, local, found)
        return
    if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
        chain = _chain(node)
        if chain is not None:
            if chain[0] not in local and (not isinstance(node, nodes.Name) or node.ctx == "load"):
                found.add(".".join(chain))
            return
        if isinstance(node, nodes.Getitem):
            _collect(node.arg, local, found)
        _collect(node.node, local, found)
        return
    for child in node.iter_child_nodes():
        _collect(child, local, found)


def docx_text(data: bytes) -> str:
    """The plain text of a .docx body: paragraphs and table rows (cells joined by tabs), one per line."""
    document = Document(io.BytesIO(data))
    return "\n".join(_block_lines(document))


def _block_lines(container: Any) -> Iterator[str]:
    for block in container.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            for row in block.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue  # a merged cell is returned once per grid column it spans
                    seen.add(id(cell._tc))
                    cells.append("\n".join(_block_lines(cell)))
                yield "\t".join(cells)
