""".docx → PDF through LibreOffice headless (one profile per worker), cached by the .docx's SHA-256."""

from __future__ import annotations

import atexit
import io
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pdfplumber
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.clock import Clock
from engine.errors import EngineError
from engine.models import Document, PdfCache

DEFAULT_TIMEOUT = 90.0
UNAVAILABLE = "本机未安装 LibreOffice，无法生成 PDF（请安装 libreoffice-writer 后重试；.docx 文书仍可下载）"


class ConversionUnavailable(EngineError):
    """LibreOffice (`soffice`, or $ENFORCEFLOW_SOFFICE) is not installed on this machine."""


class ConversionFailed(EngineError):
    """LibreOffice ran but gave no PDF; `pid` is its process (and process-group) id, when it was started."""

    def __init__(self, message: str, *, pid: int | None = None) -> None:
        super().__init__(message)
        self.pid = pid


def soffice_path() -> str | None:
    """The LibreOffice executable: $ENFORCEFLOW_SOFFICE (a name on PATH or a path), default `soffice`."""
    return shutil.which(os.environ.get("ENFORCEFLOW_SOFFICE", "soffice"))


def is_available() -> bool:
    return soffice_path() is not None


def default_timeout() -> float:
    """Seconds one conversion may take: $ENFORCEFLOW_PDF_TIMEOUT, default 90."""
    raw = os.environ.get("ENFORCEFLOW_PDF_TIMEOUT", "").strip()
    try:
        return float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        raise EngineError(f"ENFORCEFLOW_PDF_TIMEOUT 应为秒数，当前为 {raw!r}", field="ENFORCEFLOW_PDF_TIMEOUT") from None


PROFILE_ROOT = Path(tempfile.gettempdir()) / "enforceflow-lo"
_POOL_LOCK = threading.Lock()
_FREE_SLOTS: list[int] = []
_SLOTS = [0]  # how many profiles this process has made


@contextmanager
def profile_slot() -> Iterator[Path]:
    """A LibreOffice profile no other running conversion uses (two soffice processes sharing one block or fail
    each other); freed profiles are reused, so a process keeps at most as many as it ran conversions at once."""
    with _POOL_LOCK:
        if not _SLOTS[0]:
            _remove_stale_profiles()
        if _FREE_SLOTS:
            slot = _FREE_SLOTS.pop()
        else:
            slot, _SLOTS[0] = _SLOTS[0], _SLOTS[0] + 1
    try:
        yield PROFILE_ROOT / f"{os.getpid()}-{slot}"
    finally:
        with _POOL_LOCK:
            _FREE_SLOTS.append(slot)


def _remove_stale_profiles() -> None:
    """Profiles left by processes that no longer run (a killed worker, an earlier test run)."""
    for path in PROFILE_ROOT.glob("*-*") if PROFILE_ROOT.is_dir() else ():
        pid = path.name.split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@atexit.register
def _remove_own_profiles() -> None:
    for path in PROFILE_ROOT.glob(f"{os.getpid()}-*") if PROFILE_ROOT.is_dir() else ():
        shutil.rmtree(path, ignore_errors=True)


FONTS_CONF = Path(__file__).resolve().parent.parent / "doc_templates" / "fonts.conf"


def _environment() -> dict[str, str]:
    """LibreOffice's environment: the templates' font names (仿宋, 宋体 …) mapped to installed fonts."""
    env = dict(os.environ)
    if FONTS_CONF.is_file():
        env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    return env


def convert_docx(data: bytes, *, timeout: float | None = None) -> bytes:
    """Convert one .docx to PDF; ConversionUnavailable without LibreOffice, ConversionFailed on error or timeout."""
    executable = soffice_path()
    if executable is None:
        raise ConversionUnavailable(UNAVAILABLE)
    if not data.startswith(b"PK\x03\x04"):
        # soffice would "convert" any bytes (as plain text) and exit 0: refuse what cannot be a .docx.
        raise ConversionFailed("文书转换为 PDF 失败：文件不是 .docx 格式")
    timeout = default_timeout() if timeout is None else timeout
    with profile_slot() as profile:
        profile.mkdir(parents=True, exist_ok=True)
        return _run_soffice(executable, profile, data, timeout)


def _run_soffice(executable: str, profile: Path, data: bytes, timeout: float) -> bytes:
    with tempfile.TemporaryDirectory(prefix="enforceflow-pdf-") as tmp:
        work = Path(tmp)
        source, output, log_path = work / "in.docx", work / "in.pdf", work / "soffice.log"
        source.write_bytes(data)
        command = [executable, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(work), str(source)]
        # Output goes to a file, not a pipe: a pipe held open by a stray child could block us after the kill.
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    cwd=work, start_new_session=True, env=_environment())
            try:
                code = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                # A profile killed mid-write (or its stale lock) must not break this worker's next conversion.
                shutil.rmtree(profile, ignore_errors=True)
                raise ConversionFailed(f"文书转换为 PDF 超时（{timeout:g} 秒），已终止转换进程", pid=proc.pid) from None
        tail = _tail(log_path)
        if code != 0:
            raise ConversionFailed(f"文书转换为 PDF 失败：LibreOffice 退出码 {code}（{tail}）", pid=proc.pid)
        if not output.is_file() or output.stat().st_size == 0:
            # soffice exits 0 when it cannot load the file; the only sign is the missing output.
            raise ConversionFailed(f"文书转换为 PDF 失败：LibreOffice 未生成 PDF 文件（{tail}）", pid=proc.pid)
        return output.read_bytes()


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL soffice and everything it started (its own session, so pgid == pid); return once none is running."""
    deadline = time.monotonic() + 5
    while True:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        # soffice.bin is a grandchild: it is reaped by init, not us, so wait until it is dead (a zombie at most).
        if not group_members(proc.pid) or time.monotonic() > deadline:
            return
        time.sleep(0.02)


def group_members(pgid: int) -> list[int]:
    """The running (not zombie) processes of a process group, read from /proc; [] where there is no /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        if int(group) == pgid and state not in "ZX":
            members.append(int(stat.parent.name))
    return members


def _tail(log_path: Path, limit: int = 400) -> str:
    lines = [line for line in log_path.read_text("utf-8", errors="replace").splitlines()
             if line.strip() and "javaldx" not in line]
    text = " ".join(lines).strip()
    return text[-limit:] if text else "无输出"


def pdf_page_count(pdf: bytes) -> int:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def pdf_for(session: Session, document: Document) -> bytes:
    """The PDF of a stored document, converted once per .docx SHA-256 and kept in `pdf_cache`.

    A miss inserts the row inside a SAVEPOINT and then commits the session: callers are read-only request
    handlers (download, 案卷), so there is nothing else of theirs to commit. Two workers converting the same
    document at once both succeed; the loser's insert fails on the primary key and it returns the stored row.
    """
    cached = session.get(PdfCache, document.sha256)
    if cached is not None:
        return cached.pdf
    pdf = convert_docx(document.content)
    row = PdfCache(docx_sha256=document.sha256, pdf=pdf, pages=pdf_page_count(pdf),
                   created_at=Clock.now().replace(tzinfo=None, microsecond=0))
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        stored = session.get(PdfCache, document.sha256)
        session.commit()
        return stored.pdf if stored is not None else pdf
    session.commit()
    return pdf
