"""Archival packages (BagIt, RFC 8493) are byte-stable, and any altered, missing or extra byte is named offline."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime

import pytest

from engine import bagit
from engine.audit import GENESIS, canonical_json, link_hash, sha256_text
from engine.cli import main

WHEN = datetime(2026, 5, 11, 9, 14)
DOCX = b"PK\x03\x04 a stand-in for a decision .docx"
PHOTO = b"\x89PNG\r\n\x1a\n a stand-in photo"


def chain(*events: tuple[str, dict]) -> list[dict]:
    """A valid audit chain, as engine.audit.event_dicts gives it."""
    out, prev = [], GENESIS
    for seq, (kind, data) in enumerate(events, start=1):
        at = datetime(2026, 3, 2, 9, seq)
        payload = canonical_json(data)
        digest = sha256_text(payload)
        link = link_hash(prev, seq, at, "李明", "handler", kind, "step", digest)
        out.append({"seq": seq, "at": at.isoformat(), "actor": "李明", "role": "handler", "kind": kind, "step": "step",
                    "data": payload, "data_digest": digest, "prev_hash": prev, "hash": link})
        prev = link
    return out


def payload(events: list[dict] | None = None) -> dict[str, bytes]:
    events = events if events is not None else chain(
        ("case_started", {"procedure": "penalty"}),
        ("document_generated", {"document_id": 1, "title": "行政处罚决定书", "sha256": hashlib.sha256(DOCX).hexdigest()}),
        ("attachment_added", {"attachment_id": 1, "filename": "现场照片.png", "sha256": hashlib.sha256(PHOTO).hexdigest()}),
    )
    return {
        "data/documents/01-penalty_decision-v1.docx": DOCX,
        "data/attachments/01-现场照片.png": PHOTO,
        "data/audit/events.json": json.dumps(events, ensure_ascii=False).encode(),
        "data/case.json": json.dumps({"case_no": "X市监案〔2026〕1号"}, ensure_ascii=False).encode(),
    }


def bag(files: dict[str, bytes] | None = None) -> bytes:
    return bagit.write_bag(files if files is not None else payload(), [("Case-Number", "X市监案〔2026〕1号")],
                           base="casefile-20260001", when=WHEN)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def flipped(data: bytes, at: int = -1) -> bytes:
    at = at % len(data)
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def test_a_fresh_package_verifies_clean_and_says_what_it_checked():
    report = bagit.verify_package(bag())
    assert report.ok, report.problems
    assert any("4 个文件" in c for c in report.checked)
    assert any("3 条" in c for c in report.checked)
    assert report.text().startswith("档案包校验通过")


def test_the_same_payload_gives_the_same_bytes_with_the_given_timestamp():
    first, second = bag(), bag()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 5, 11, 9, 14, 0)}
        names = z.namelist()
    assert names == sorted(names) and all(n.startswith("casefile-20260001/") for n in names)
    assert {"casefile-20260001/bagit.txt", "casefile-20260001/bag-info.txt", "casefile-20260001/manifest-sha256.txt",
            "casefile-20260001/tagmanifest-sha256.txt"} <= set(names)


def test_bag_info_carries_the_payload_oxum():
    files = members(bag())
    info = files["casefile-20260001/bag-info.txt"].decode()
    total = sum(len(v) for v in payload().values())
    assert f"Payload-Oxum: {total}.4\n" in info
    assert "Case-Number: X市监案〔2026〕1号\n" in info


@pytest.mark.parametrize("name", sorted(payload()))
def test_one_flipped_byte_in_any_payload_file_is_named(name):
    files = members(bag())
    member = f"casefile-20260001/{name}"
    files[member] = flipped(files[member])
    report = bagit.verify_package(rezip(files))
    assert not report.ok
    assert f"{name} 的 SHA-256 与清单不符" in report.problems


def test_a_deleted_file_is_named():
    files = members(bag())
    del files["casefile-20260001/data/documents/01-penalty_decision-v1.docx"]
    problems = bagit.verify_package(rezip(files)).problems
    assert any("data/documents/01-penalty_decision-v1.docx" in p and "缺少" in p for p in problems), problems
    assert any("Payload-Oxum" in p for p in problems)
    assert any("行政处罚决定书" in p and "缺失或已被改动" in p for p in problems)


def test_an_extra_file_is_named():
    files = members(bag())
    files["casefile-20260001/data/extra.txt"] = b"slipped in"
    problems = bagit.verify_package(rezip(files)).problems
    assert any("data/extra.txt" in p and "多余" in p for p in problems), problems


def test_an_edited_tag_file_is_named_by_the_tag_manifest():
    files = members(bag())
    name = "casefile-20260001/bag-info.txt"
    files[name] = files[name].replace(b"Case-Number: X", b"Case-Number: Y")
    assert "bag-info.txt 的 SHA-256 与清单不符" in bagit.verify_package(rezip(files)).problems


def test_an_audit_chain_forged_with_fresh_manifests_is_caught_by_recomputing_it():
    events = json.loads(payload()["data/audit/events.json"])
    events[0]["actor"] = "王五"  # rewrite who started the case, then re-hash every manifest as a forger would
    problems = bagit.verify_package(bag({**payload(), "data/audit/events.json": json.dumps(events).encode()})).problems
    assert any(p.startswith("全过程记录（data/audit/events.json）：第1条记录") for p in problems), problems


def test_a_document_swapped_with_fresh_manifests_is_caught_by_the_audit_chain():
    files = {**payload(), "data/documents/01-penalty_decision-v1.docx": DOCX + b" altered"}
    problems = bagit.verify_package(bag(files)).problems
    assert len(problems) == 1
    assert "全过程记录第2条所载文书《行政处罚决定书》" in problems[0] and "data/documents/" in problems[0]


def test_evidence_swapped_with_fresh_manifests_is_caught_by_the_audit_chain():
    files = {**payload(), "data/attachments/01-现场照片.png": PHOTO + b"!"}
    problems = bagit.verify_package(bag(files)).problems
    assert problems and "证据材料“现场照片.png”" in problems[0]


def test_file_names_with_percent_and_newline_survive_the_manifest():
    files = {**payload(), "data/attachments/02-50%\n.txt": b"odd name"}
    data = bag(files)
    manifest = members(data)["casefile-20260001/manifest-sha256.txt"].decode()
    assert "data/attachments/02-50%25%0A.txt" in manifest
    assert bagit.verify_package(data).ok


def test_payload_outside_data_is_refused():
    with pytest.raises(ValueError):
        bagit.write_bag({"../evil": b""}, [], base="x", when=WHEN)


def test_something_that_is_not_a_zip_is_reported_not_raised():
    report = bagit.verify_package(b"not a zip at all")
    assert not report.ok and report.problems[0].startswith("无法读取档案包")


def test_verify_package_command_exits_1_on_problems_and_0_when_clean(tmp_path, capsys):
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    good.write_bytes(bag())
    files = members(bag())
    files["casefile-20260001/data/case.json"] = b"{}"
    bad.write_bytes(rezip(files))
    assert main(["verify-package", str(good)]) == 0
    assert "档案包校验通过" in capsys.readouterr().out
    assert main(["verify-package", str(bad)]) == 1
    assert "data/case.json 的 SHA-256 与清单不符" in capsys.readouterr().out
    assert main(["verify-package", str(tmp_path / "missing.zip")]) == 2
