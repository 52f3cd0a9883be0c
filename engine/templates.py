"""The template registry of a procedure: `doc_templates/<procedure>/documents.json` (what each .docx is, its 文号
kind, 卷 and statutory contents). Reading it needs no docxtpl; rendering is engine.documents."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import TemplateError

REGISTRY = "documents.json"
VOLUMES = ("正卷", "副卷")


@dataclass(frozen=True)
class TemplateInfo:
    """One entry of documents.json, with the resolved path of its .docx file."""

    key: str
    file: str
    title: str
    path: Path
    number_kind: str | None
    volume: str
    requires_passed_review: bool
    statutory_fields: tuple[str, ...]
    statute: str


class TemplateSet:
    """The templates of one procedure: `doc_templates/<procedure>/documents.json`."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        registry = self.folder / REGISTRY
        try:
            data = json.loads(registry.read_text("utf-8"))
        except FileNotFoundError:
            raise TemplateError(f"模板目录 {self.folder.name} 缺少 {REGISTRY}", file=str(registry)) from None
        except json.JSONDecodeError as exc:
            raise TemplateError(f"{REGISTRY} 格式错误：第{exc.lineno}行：{exc.msg}", file=str(registry)) from None
        self.procedure: str = data.get("procedure", self.folder.name)
        self._entries: dict[str, TemplateInfo] = {
            key: _entry(self.folder, key, meta) for key, meta in data.get("templates", {}).items()
        }

    def get(self, key: str) -> TemplateInfo:
        """The metadata and path of one template; an unknown key is a TemplateError."""
        try:
            return self._entries[key]
        except KeyError:
            raise TemplateError(
                f"文书模板 {key} 未在 {self.folder.name}/{REGISTRY} 中登记", file=str(self.folder / REGISTRY)
            ) from None

    def keys(self) -> list[str]:
        return list(self._entries)

    def __iter__(self) -> Iterator[TemplateInfo]:
        return iter(self._entries.values())

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)


def _entry(folder: Path, key: str, meta: Mapping[str, Any]) -> TemplateInfo:
    where = str(folder / REGISTRY)
    if not isinstance(meta, Mapping) or not meta.get("file") or not meta.get("title"):
        raise TemplateError(f"{REGISTRY} 中的模板 {key} 缺少 file 或 title", file=where, field=key)
    volume = meta.get("volume", "正卷")
    if volume not in VOLUMES:
        raise TemplateError(f"{REGISTRY} 中的模板 {key} 的 volume 应为正卷或副卷", file=where, field=key)
    return TemplateInfo(
        key=key,
        file=meta["file"],
        title=meta["title"],
        path=folder / meta["file"],
        number_kind=meta.get("number_kind") or None,
        volume=volume,
        requires_passed_review=bool(meta.get("requires_passed_review", False)),
        statutory_fields=tuple(meta.get("statutory_fields", ())),
        statute=meta.get("statute", ""),
    )
