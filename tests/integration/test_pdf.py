"""Documents become PDFs through LibreOffice: readable Chinese, embedded fonts, bounded time, cached per .docx."""

from __future__ import annotations

import contextlib
import io
import json
import re
import threading
from datetime import date, datetime
from pathlib import Path

import pdfplumber
import pytest
from pdfminer.pdftypes import resolve1
from sqlalchemy import select

from engine import pdf
from engine.db import make_session_factory
from engine.demo import substitute
from engine.documents import render_docx
from engine.models import Document, PdfCache
from engine.runtime import Actor, Runtime

if not pdf.is_available():
    print("LibreOffice (soffice) is not installed: the PDF conversion tests are skipped")
    pytest.skip("LibreOffice (soffice) is not installed", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
PENALTY = ROOT / "doc_templates" / "penalty"
SAMPLE = json.loads((PENALTY / "sample_context.json").read_text("utf-8"))  # its doc is the 行政处罚决定书
FIRST_STEP = json.loads((ROOT / "workflows/penalty/demo/scenarios.json").read_text("utf-8"))["scenarios"]["standard"][
    "steps"][0]


@pytest.fixture(scope="module")
def decision() -> bytes:
    return render_docx(PENALTY / "penalty_decision.docx", SAMPLE)


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def squeeze(text: str) -> str:
    """Justified lines come out letter-spaced (当 事 人 于): compare without whitespace."""
    return re.sub(r"\s+", "", text)


def font_files(data: bytes) -> dict[str, list[str]]:
    """Every font used on any page → the FontFile* entries of its descriptor (empty: not embedded)."""
    found = {}
    with pdfplumber.open(io.BytesIO(data)) as document:
        for page in document.pages:
            fonts = resolve1(resolve1(page.page_obj.resources).get("Font")) or {}
            for ref in fonts.values():
                font = resolve1(ref)
                if "DescendantFonts" in font:  # Type0: the glyphs live in the CID font
                    font = resolve1(resolve1(font["DescendantFonts"])[0])
                descriptor = resolve1(font.get("FontDescriptor")) or {}
                found[str(font.get("BaseFont"))] = sorted(k for k in descriptor if k.startswith("FontFile"))
    return found


def running_in_group(pgid: int) -> list[str]:
    """Processes of a group that still run. Zombies are dead: this machine's init may reap them only later."""
    if not Path("/proc").is_dir():
        pytest.skip("no /proc to look for the killed processes")
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        state, _ppid, group = tail.split()[:3]
        if int(group) == pgid and state != "Z":
            found.append(f"{stat.parent.name} {head.split('(', 1)[1]} {state}")
    return found


def test_a_penalty_decision_becomes_a_pdf_with_its_title_party_and_embedded_fonts(decision):
    result = pdf.convert_docx(decision)
    assert result.startswith(b"%PDF-")
    text = pdf_text(result)
    assert "行政处罚决定书" in squeeze(text)
    assert SAMPLE["party"]["name"] in squeeze(text)
    assert SAMPLE["doc"]["no"] in squeeze(text)
    assert "\ufffd" not in text and "□" not in text  # no glyph the fonts lacked
    fonts = font_files(result)
    assert fonts, "the PDF names no fonts"
    assert {name: files for name, files in fonts.items() if not files} == {}, "fonts not embedded"
    assert pdf.pdf_page_count(result) >= 1


def test_two_workers_converting_at_once_both_get_their_pdf(decision, monkeypatch):
    results, errors, profiles = {}, [], set()
    barrier = threading.Barrier(2)
    real_slot = pdf.profile_slot

    @contextlib.contextmanager
    def recording_slot():
        with real_slot() as profile:
            profiles.add(profile)
            yield profile

    monkeypatch.setattr(pdf, "profile_slot", recording_slot)

    def work(name: str) -> None:
        try:
            barrier.wait()
            results[name] = pdf.convert_docx(decision)
        except Exception as exc:  # reported below, with the worker's name
            errors.append(f"{name}: {exc}")

    threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert errors == []
    assert len(profiles) == 2  # each conversion running at the same time has its own LibreOffice profile
    with pdf.profile_slot() as again:
        assert again in profiles  # and a later conversion reuses a freed one instead of making another
    assert sorted(results) == ["a", "b"]
    for data in results.values():
        assert "行政处罚决定书" in squeeze(pdf_text(data))


def test_a_conversion_over_its_time_is_killed_with_a_chinese_message_and_the_next_one_works(decision):
    with pytest.raises(pdf.ConversionFailed) as caught:
        pdf.convert_docx(decision, timeout=0.05)
    assert caught.value.message == "文书转换为 PDF 超时（0.05 秒），已终止转换进程"
    assert running_in_group(caught.value.pid) == []  # nothing of that run is left running
    assert "行政处罚决定书" in squeeze(pdf_text(pdf.convert_docx(decision)))


def test_the_timeout_comes_from_the_environment(decision, monkeypatch):
    monkeypatch.setenv("ENFORCEFLOW_PDF_TIMEOUT", "0.05")
    with pytest.raises(pdf.ConversionFailed, match="超时（0.05 秒）"):
        pdf.convert_docx(decision)


def test_without_libreoffice_conversion_is_unavailable_with_advice(decision, monkeypatch):
    monkeypatch.setenv("ENFORCEFLOW_SOFFICE", "/nonexistent/soffice")
    assert pdf.is_available() is False
    with pytest.raises(pdf.ConversionUnavailable) as caught:
        pdf.convert_docx(decision)
    assert str(caught.value) == "本机未安装 LibreOffice，无法生成 PDF（请安装 libreoffice-writer 后重试；.docx 文书仍可下载）"


def test_a_damaged_docx_fails_with_libreoffice_s_reason():
    with pytest.raises(pdf.ConversionFailed, match="未生成 PDF 文件.*source file could not be loaded"):
        pdf.convert_docx(b"PK\x03\x04 this is not a complete zip archive")
    with pytest.raises(pdf.ConversionFailed, match="不是 .docx"):
        pdf.convert_docx(b"plain text that soffice would happily print")


@pytest.fixture
def source_register(session, agency) -> Document:
    """The 案件来源登记表 a real penalty case produces when its source is registered."""
    runtime = Runtime(clock=lambda: datetime(2026, 3, 2, 9))
    handler = Actor("李明", "handler", agency.id)
    case = runtime.start_case(session, "penalty", agency.id, handler)
    task = next(t for t in runtime.ready_tasks(session, case_id=case.id) if t.bpmn_id == FIRST_STEP["task"])
    documents = runtime.complete_task(session, task.id, substitute(FIRST_STEP["data"], date(2026, 3, 2)), handler)
    assert [d.title for d in documents] == ["案件来源登记表"]
    return documents[0]


@pytest.fixture
def conversions(monkeypatch) -> list[int]:
    """Counts real conversions (the real convert_docx runs)."""
    calls, real = [], pdf.convert_docx

    def counting(data: bytes, *, timeout: float | None = None) -> bytes:
        calls.append(len(data))
        return real(data, timeout=timeout)

    monkeypatch.setattr(pdf, "convert_docx", counting)
    return calls


def test_a_document_is_converted_once_and_then_served_from_the_cache(session, db_engine, source_register,
                                                                      conversions):
    first = pdf.pdf_for(session, source_register)
    assert "案件来源登记表" in squeeze(pdf_text(first))
    assert "某某食品有限公司" in squeeze(pdf_text(first))
    assert pdf.pdf_for(session, source_register) == first
    other_request = make_session_factory(db_engine)()
    try:
        again = other_request.get(Document, source_register.id)
        assert pdf.pdf_for(other_request, again) == first
        row = other_request.get(PdfCache, source_register.sha256)
        assert row.pdf == first and row.pages == pdf.pdf_page_count(first) >= 1
    finally:
        other_request.close()
    assert len(conversions) == 1


def test_a_concurrent_conversion_of_the_same_document_is_harmless(session, db_engine, source_register, monkeypatch):
    real = pdf.convert_docx
    theirs = {}

    def slower_than_another_worker(data: bytes, *, timeout: float | None = None) -> bytes:
        result = real(data, timeout=timeout)
        other = make_session_factory(db_engine)()  # another worker stores the same document's PDF first
        try:
            theirs["pdf"] = result + b"%another worker\n"
            other.add(PdfCache(docx_sha256=source_register.sha256, pdf=theirs["pdf"], pages=pdf.pdf_page_count(result),
                               created_at=datetime(2026, 3, 2, 9)))
            other.commit()
        finally:
            other.close()
        return result

    monkeypatch.setattr(pdf, "convert_docx", slower_than_another_worker)
    assert pdf.pdf_for(session, source_register) == theirs["pdf"]
    assert session.scalars(select(PdfCache.docx_sha256)).all() == [source_register.sha256]
