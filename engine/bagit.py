"""BagIt archival packages (RFC 8493) as deterministic zips, and their offline verification.

A package holds one bag under a single top folder: `bagit.txt`, `bag-info.txt`, `manifest-sha256.txt`,
`tagmanifest-sha256.txt` and the payload under `data/`. `verify_package` needs nothing but the zip: it checks both
manifests, the Payload-Oxum, recomputes the audit chain carried in the package (全过程记录, 防删改) and checks that
every document and evidence file the chain says was produced is there with the SHA-256 the chain recorded.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from engine.audit import verify_events

BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
MANIFEST, TAGMANIFEST, BAG_INFO = "manifest-sha256.txt", "tagmanifest-sha256.txt", "bag-info.txt"
EVENTS = "data/audit/events.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def json_bytes(value) -> bytes:
    """Stable JSON for a payload file: sorted keys, indented, non-ASCII kept, dates in ISO 8601."""
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=_iso) + "\n").encode()


def _iso(value) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


def safe_name(filename: str) -> str:
    """A file name fit for a payload path: no separators, control characters or percent signs."""
    return re.sub(r"[\x00-\x1f%/\\]+", "_", filename).strip(" .") or "file"


def _encode_path(path: str) -> str:
    """Manifest file paths percent-encode only CR, LF and % (RFC 8493 2.1.3)."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _decode_path(path: str) -> str:
    return path.replace("%0A", "\n").replace("%0a", "\n").replace("%0D", "\r").replace("%0d", "\r").replace("%25", "%")


def _manifest(files: Mapping[str, bytes]) -> str:
    return "".join(f"{sha256(files[name])}  {_encode_path(name)}\n" for name in sorted(files))


def payload_oxum(payload: Mapping[str, bytes]) -> str:
    return f"{sum(len(v) for v in payload.values())}.{len(payload)}"


def write_bag(payload: Mapping[str, bytes], info: list[tuple[str, str]], *, base: str, when: datetime) -> bytes:
    """A zip holding one bag: `payload` maps paths under data/ to bytes; every member is stamped with `when`."""
    bad = [name for name in payload if not name.startswith("data/") or ".." in name.split("/")]
    if bad:
        raise ValueError(f"payload paths must lie under data/: {bad}")
    lines = [*info, ("Payload-Oxum", payload_oxum(payload))]
    tags = {
        "bagit.txt": BAGIT_TXT.encode(),
        BAG_INFO: "".join(f"{k}: {' '.join(str(v).split())}\n" for k, v in lines).encode(),
        MANIFEST: _manifest(payload).encode(),
    }
    tags[TAGMANIFEST] = _manifest(tags).encode()
    out = io.BytesIO()
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bag:
        for name, data in sorted({**tags, **payload}.items()):
            member = zipfile.ZipInfo(f"{base}/{name}", date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            member.create_system = 3  # Unix on every platform, so the bytes do not depend on where it was built
            bag.writestr(member, data)
    return out.getvalue()


# --- reading and verifying -----------------------------------------------------------------------------------------


@dataclass
class Report:
    """What an offline check of a package found: `problems` (Chinese, naming the file) and what was checked."""

    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def text(self) -> str:
        head = "档案包校验通过" if self.ok else f"档案包校验未通过：发现 {len(self.problems)} 个问题"
        return "\n".join([head, *(f"  ✓ {c}" for c in self.checked), *(f"  ✗ {p}" for p in self.problems)])


def read_bag(data: bytes | str | Path, damaged: list[str] | None = None) -> dict[str, bytes]:
    """The files of the bag in a zip, by path relative to the bag's folder (`bagit.txt`, `data/…`).

    A member that does not unpack (corrupt data, bad CRC, encrypted) is left out and named in `damaged`,
    so the manifests report it as missing and the rest is still checked."""
    raw = Path(data).read_bytes() if isinstance(data, str | Path) else data
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        roots = {n.split("/", 1)[0] for n in names}
        strip = len(roots) == 1 and f"{next(iter(roots))}/bagit.txt" in names
        files = {}
        for name in names:
            path = name.split("/", 1)[1] if strip else name
            try:
                files[path] = archive.read(name)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
                (damaged if damaged is not None else []).append(f"{path} 已损坏（压缩数据或 CRC 校验失败），无法解压")
            except (RuntimeError, NotImplementedError):
                (damaged if damaged is not None else []).append(f"{path} 已加密或使用了不支持的压缩方式，无法读取")
        return files


def _parse_manifest(text: str, name: str, report: Report) -> dict[str, str]:
    entries = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        digest, _, path = line.partition(" ")
        if not path.strip() or len(digest) != 64:
            report.problems.append(f"{name} 第{number}行格式错误")
            continue
        entries[_decode_path(path.strip())] = digest.lower()
    return entries


def _check_manifest(files: dict[str, bytes], name: str, listed_scope: set[str], report: Report) -> dict[str, str]:
    """Every file in `listed_scope` is listed, every listed file exists and matches its SHA-256."""
    if name not in files:
        report.problems.append(f"包中缺少 {name}")
        return {}
    entries = _parse_manifest(files[name].decode("utf-8", "replace"), name, report)
    for path, digest in sorted(entries.items()):
        if path not in files:
            report.problems.append(f"{path} 列在 {name} 中，但包中缺少该文件")
        elif sha256(files[path]) != digest:
            report.problems.append(f"{path} 的 SHA-256 与清单不符")
    for path in sorted(listed_scope - entries.keys()):
        report.problems.append(f"{path} 不在 {name} 中（清单外的多余文件）")
    return entries


def _bag_info(files: dict[str, bytes]) -> dict[str, str]:
    info = {}
    for line in files.get(BAG_INFO, b"").decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        if sep:
            info[key.strip()] = value.strip()
    return info


def _check_structure(files: dict[str, bytes], report: Report) -> None:
    if files.get("bagit.txt", b"").decode("utf-8", "replace").splitlines()[:1] != ["BagIt-Version: 1.0"]:
        report.problems.append("bagit.txt 缺失或不是 BagIt 1.0 声明")
    payload = {p for p in files if p.startswith("data/")}
    entries = _check_manifest(files, MANIFEST, payload, report)
    tags = {p for p in files if not p.startswith("data/") and p != TAGMANIFEST}
    _check_manifest(files, TAGMANIFEST, tags, report)
    oxum = _bag_info(files).get("Payload-Oxum")
    actual = payload_oxum({p: files[p] for p in payload})
    if oxum != actual:
        report.problems.append(f"{BAG_INFO} 的 Payload-Oxum 与实际不符（记载 {oxum or '无'}，实际 {actual}）")
    if not report.problems:
        report.checked.append(f"清单：{len(entries)} 个文件齐全，SHA-256 全部相符；Payload-Oxum {actual}")


def _check_chain(files: dict[str, bytes], report: Report) -> list[dict]:
    try:
        events = json.loads(files[EVENTS])
    except KeyError:
        report.problems.append(f"包中缺少全过程记录 {EVENTS}")
        return []
    except ValueError:
        report.problems.append(f"{EVENTS} 不是有效的 JSON")
        return []
    try:
        chain = verify_events(events)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        report.problems.append(f"{EVENTS} 的记录格式错误：{exc}")
        return []
    report.problems += [f"全过程记录（{EVENTS}）：{p}" for p in chain.problems]
    if chain.ok:
        report.checked.append(f"全过程记录：{chain.events} 条，哈希链重新计算完整")
    return events


def _check_produced(files: dict[str, bytes], events: list[dict], report: Report) -> None:
    """Each document and evidence file the chain records is in the package with the recorded SHA-256."""
    held = {folder: {sha256(v) for p, v in files.items() if p.startswith(f"data/{folder}/")}
            for folder in ("documents", "attachments")}
    counts = {"document_generated": 0, "attachment_added": 0}
    missing = 0
    for ev in events:
        kind = ev.get("kind")
        if kind not in counts:
            continue
        counts[kind] += 1
        try:
            data = json.loads(ev.get("data") or "{}")
        except ValueError:
            data = {}
        if kind == "document_generated":
            folder, name = "documents", f"文书《{data.get('title')}》"
        else:
            folder, name = "attachments", f"证据材料“{data.get('filename')}”"
        if data.get("sha256") not in held[folder]:
            missing += 1
            report.problems.append(f"全过程记录第{ev.get('seq')}条所载{name}（SHA-256 {str(data.get('sha256'))[:12]}…）"
                                   f"在 data/{folder}/ 中缺失或已被改动")
    if not missing:
        report.checked.append(f"全过程记录所载文书 {counts['document_generated']} 份、证据材料 "
                              f"{counts['attachment_added']} 件均在包中，SHA-256 与记录相符")


def verify_package(data: bytes | str | Path) -> Report:
    """Check a package offline; every altered, missing or extra file is named in `problems`."""
    report = Report()
    try:
        files = read_bag(data, report.problems)
    except (OSError, zipfile.BadZipFile) as exc:
        report.problems.append(f"无法读取档案包：{exc}")
        return report
    _check_structure(files, report)
    events = _check_chain(files, report)
    _check_produced(files, events, report)
    return report
