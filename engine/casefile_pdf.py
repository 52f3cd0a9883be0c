"""The 案卷 PDF: each item converted (documents through LibreOffice, photos as pages), the cover, TOC and 备考表
rendered from doc_templates/casefile, page numbers stamped, bookmarks added (engine.casefile says what goes in).

The output is byte-for-byte the same for the same case state: page contents are copied (never the converters' own
dates or ids), metadata dates and the file identifier come from the case, and reportlab runs in its invariant mode.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import reportlab
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, ByteStringObject
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from engine import audit
from engine.catalog import TEMPLATES
from engine.documents import render_docx
from engine.models import Attachment, Document, PdfCache
from engine.pdf import pdf_for

if TYPE_CHECKING:
    from engine.casefile import Casefile, Entry

FORMS = TEMPLATES / "casefile"
VOLUMES = ("正卷", "副卷")

# The page numbers' font, embedded: Liberation Serif (bin/setup installs it; metric twin of Times New Roman, as the
# documents' digits), else the Bitstream Vera that ships inside reportlab.
NUMBER_FONTS = (
    Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"),
    Path(reportlab.__file__).parent / "fonts" / "Vera.ttf",
)
NUMBER_PT = 12
NUMBER_RIGHT, NUMBER_TOP = 15 * mm, 12 * mm  # 页号 in the upper right corner of the front (REFERENCE §7, ⚠)
IMAGE_MARGIN = 15 * mm
EXIF_ORIENTATION = 0x0112
EXIF_TURN = {3: 180, 6: -90, 8: 90}  # degrees counter-clockwise that show the photo upright


@dataclass
class Part:
    """A run of pages: one document, one piece of evidence, or a form of the 案卷 itself."""

    pdf: bytes
    bookmark: str
    group: str | None = None  # the outline entry it sits under (正卷, 副卷)
    numbered: bool = True  # cover, TOC and 备考表 carry no page number


@functools.cache
def number_font() -> str:
    """Register the page-number font once per process; its reportlab name."""
    path = next(p for p in NUMBER_FONTS if p.is_file())
    pdfmetrics.registerFont(TTFont("EnforceFlowNumbers", str(path)))
    return "EnforceFlowNumbers"


def page_count(pdf: bytes) -> int | None:
    """Pages of a PDF, or None when it cannot be read or is encrypted (then it cannot be bound into the 案卷)."""
    try:
        reader = PdfReader(io.BytesIO(pdf))
        return None if reader.is_encrypted else len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        return None


def image_pdf(data: bytes) -> bytes:
    """One A4 page showing a JPEG or PNG photo, fitted within the margins and turned upright (EXIF orientation).

    A JPEG is embedded as it is (no re-encoding: the evidence stays the original pixels). ValueError when the bytes
    are not a readable image.
    """
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            width, height = img.size
            turn = EXIF_TURN.get(img.getexif().get(EXIF_ORIENTATION, 1), 0)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValueError(f"无法读取图片：{exc}") from None
    shown_w, shown_h = (height, width) if turn in (90, -90) else (width, height)
    page_w, page_h = A4
    scale = min((page_w - 2 * IMAGE_MARGIN) / shown_w, (page_h - 2 * IMAGE_MARGIN) / shown_h)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1, pageCompression=1, initialFontName=number_font())
    pdf.translate(page_w / 2, page_h / 2)
    pdf.rotate(turn)
    w, h = width * scale, height * scale
    pdf.drawImage(ImageReader(io.BytesIO(data)), -w / 2, -h / 2, w, h, mask="auto")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def number_pages(sizes: list[tuple[float, float]], first: int = 1) -> bytes:
    """Transparent pages of the given sizes, each with its number (first, first+1, …) in the upper right."""
    out = io.BytesIO()
    font = number_font()
    # initialFontName: reportlab otherwise names Helvetica (not embedded) in every page's resources
    pdf = canvas.Canvas(out, invariant=1, pageCompression=1, initialFontName=font, initialFontSize=NUMBER_PT)
    for number, (width, height) in enumerate(sizes, start=first):
        pdf.setPageSize((width, height))
        pdf.setFont(font, NUMBER_PT)
        pdf.drawRightString(width - NUMBER_RIGHT, height - NUMBER_TOP, str(number))
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _stamp(writer: PdfWriter, indices: list[int]) -> None:
    """Page numbers 1..N on the pages at `indices` (0-based positions in the writer)."""
    boxes = []
    for i in indices:
        page = writer.pages[i]
        if page.rotation:
            page.transfer_rotation_to_content()  # so "upper right" is where a reader sees it
        boxes.append(page.cropbox)
    overlay = PdfReader(io.BytesIO(number_pages([(float(b.width), float(b.height)) for b in boxes])))
    for i, box, stamp in zip(indices, boxes, overlay.pages, strict=True):
        page = writer.pages[i]
        page.merge_transformed_page(stamp, Transformation().translate(float(box.left), float(box.bottom)))
        page.compress_content_streams()


def _outline(writer: PdfWriter, parts: list[Part], starts: list[int]) -> None:
    groups: dict[str, object] = {}
    for part, start in zip(parts, starts, strict=True):
        parent = None
        if part.group:
            if part.group not in groups:
                groups[part.group] = writer.add_outline_item(title=part.group, page_number=start)
            parent = groups[part.group]
        writer.add_outline_item(title=part.bookmark, page_number=start, parent=parent)
    writer.page_mode = "/UseOutlines"


def pdf_date(moment: datetime) -> str:
    """A PDF date string in China time, e.g. D:20260511091400+08'00'."""
    return moment.strftime("D:%Y%m%d%H%M%S+08'00'")


def assemble(parts: list[Part], *, info: dict[str, str], file_id: bytes) -> bytes:
    """Bind the parts into one PDF: numbered pages, one bookmark per part, `info` as metadata, /ID from `file_id`."""
    writer = PdfWriter()
    starts: list[int] = []
    numbered: list[int] = []
    for part in parts:
        starts.append(len(writer.pages))
        for page in PdfReader(io.BytesIO(part.pdf)).pages:
            writer.add_page(page)
        if part.numbered:
            numbered += range(starts[-1], len(writer.pages))
    if numbered:
        _stamp(writer, numbered)
    _outline(writer, parts, starts)
    writer.add_metadata(info)
    # pypdf writes no /ID unless encrypting (and then a random one); a digest of the inputs keeps the bytes stable.
    identifier = ByteStringObject(file_id[:16])
    writer._ID = ArrayObject([identifier, identifier])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- the case's items -------------------------------------------------------------------------------------------------


def _evidence_pdf(attachment: Attachment) -> tuple[bytes, str]:
    """(PDF, "") for a readable PDF or a JPEG/PNG photo; (b"", why) for what cannot be bound into the 案卷."""
    data = attachment.content
    if data.startswith(b"%PDF-"):
        return (data, "") if page_count(data) else (b"", "为无法读取或已加密的 PDF 文件")
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        try:
            return image_pdf(data), ""
        except ValueError as exc:
            return b"", str(exc)
    kind = attachment.content_type.split("/")[0]
    what = {"video": "录像", "audio": "录音"}.get(kind, f"{attachment.content_type or '未知类型'}文件")
    return b"", f"为{what}，不宜打印"


def pdf_workers() -> int:
    """LibreOffice conversions run side by side when compiling: $ENFORCEFLOW_PDF_WORKERS, default CPUs (at most 4)."""
    raw = os.environ.get("ENFORCEFLOW_PDF_WORKERS", "").strip()
    return max(1, int(raw)) if raw.isdigit() else max(1, min(4, os.cpu_count() or 1))


def warm_cache(session: Session, documents: list[Document]) -> None:
    """Convert the documents not yet in pdf_cache side by side, each thread with its own session and profile."""
    bind = session.get_bind()
    in_memory = bind.dialect.name == "sqlite" and bind.url.database in (None, "", ":memory:")
    if not isinstance(bind, Engine) or in_memory:
        return  # a shared connection or a per-connection database: convert one by one on the caller's session
    todo = {d.sha256: d.content for d in documents if session.get(PdfCache, d.sha256) is None}
    if len(todo) < 2:
        return

    def convert(item: tuple[str, bytes]) -> None:
        with Session(bind) as own:  # a stand-in row: the thread never touches the caller's objects
            pdf_for(own, Document(sha256=item[0], content=item[1]))

    with ThreadPoolExecutor(max_workers=pdf_workers()) as pool:
        list(pool.map(convert, sorted(todo.items())))


def paginate(session: Session, entries: list[Entry]) -> tuple[list[Entry], list[tuple[Attachment, str]]]:
    """First pass: convert every item, so each knows its pages; number them 1..N. Returns (bound, unprintable)."""
    warm_cache(session, [e.document for e in entries if e.document is not None])
    bound, unprintable, page = [], [], 1
    for entry in entries:
        if entry.document is not None:
            entry.pdf = pdf_for(session, entry.document)
        else:
            entry.pdf, why = _evidence_pdf(entry.attachment)
            if why:
                unprintable.append((entry.attachment, why))
                continue
        entry.pages = page_count(entry.pdf) or 0
        entry.seq, entry.first = len(bound) + 1, page
        page += entry.pages
        bound.append(entry)
    return bound, unprintable


# --- the forms of the 案卷 and the binding ----------------------------------------------------------------------------


def notes(cf: Casefile) -> list[str]:
    """本卷情况说明 of the 卷内备考表."""
    out = ["本卷文件材料无缺损、修改、补充、移出、销毁等情况。"]
    old = [d for d in cf.documents if d.id not in cf.newest]
    if old:
        titles = "、".join(f"《{d.title}》第{d.version}版" for d in old)
        out.append(f"本卷收入各文书的最新版本；被替代的{len(old)}个文书版本（{titles}）未编入本卷，随电子档案包保存。")
    for attachment, why in cf.unprintable:
        out.append(f"证据材料“{attachment.filename}”（{attachment.size}字节，SHA-256 {attachment.sha256[:16]}…）"
                   f"{why}，未编入页号，原件随电子档案包保存。")
    chain = audit.verify_events(cf.events)
    state = "校验通过" if chain.ok else "校验未通过：" + "；".join(chain.problems)
    out.append(f"全过程记录共{chain.events}条，哈希链{state}。")
    out.append("本卷另有电子档案包（BagIt 格式），收存全部文书原件及其各版本、证据原件和全过程记录，"
               "并列明每个文件的 SHA-256 校验值。")
    return out


def form_context(cf: Casefile) -> dict:
    """What the cover, TOC and 备考表 templates read (doc_templates/casefile/sample_context.json shows one)."""
    volumes = []
    for name in VOLUMES:
        items = [e for e in cf.entries if e.volume == name]
        if items:
            volumes.append({"name": name, "count": len(items), "pages": sum(e.pages for e in items), "entries": [
                {"seq": e.seq, "doc_no": e.doc_no, "author": cf.agency.name, "title": e.title,
                 "date": e.day.strftime("%Y%m%d"), "page_range": e.page_range} for e in items]})
    closed = cf.closed_at.date().isoformat()
    return {
        "agency": {"name": cf.agency.name, "code": cf.agency.code},
        "case": {"no": cf.case.case_no, "title": cf.case.title, "procedure": cf.category},
        "casefile": {"decision_no": cf.decision_no, "filed_on": cf.filed_on.isoformat(), "closed_on": closed,
                     "count": len(cf.entries), "pages": sum(e.pages for e in cf.entries),
                     "retention": cf.archive["retention"], "archive_no": cf.archive_no,
                     "compiled_by": cf.archive["compiled_by"], "compiled_on": cf.archive["compiled_on"].isoformat()},
        "volumes": volumes,
        "notes": notes(cf),
        "doc": {"date": closed},  # the forms' .docx stamps: the closing date, not the clock
    }


def bind(session: Session, cf: Casefile) -> bytes:
    """Second pass: render the forms with the page ranges now known, and bind the whole 案卷."""
    context = form_context(cf)
    # Kept in pdf_cache by the .docx hash like any document: compiling an unchanged case again needs no LibreOffice.
    forms = [render_docx(FORMS / f"{name}.docx", context) for name in ("cover", "contents", "notes")]
    forms = [Document(sha256=hashlib.sha256(docx).hexdigest(), content=docx) for docx in forms]
    warm_cache(session, forms)
    cover, contents, back = (pdf_for(session, form) for form in forms)
    parts = [Part(cover, "卷宗封面", numbered=False), Part(contents, "卷内文件目录", numbered=False)]
    parts += [Part(e.pdf, f"{e.seq:02d} {e.title}", group=e.volume) for e in cf.entries]
    parts.append(Part(back, "卷内备考表", numbered=False))
    # The identifier digests what the 案卷 is made of (the converters' output carries their own dates and ids).
    sources = [(e.document or e.attachment).sha256 for e in cf.entries]
    digest = hashlib.sha256(audit.canonical_json([context, sources]).encode())
    moment = pdf_date(cf.closed_at)
    info = {"/Title": f"{cf.case.title}（案卷）", "/Author": cf.agency.name,
            "/Subject": f"{cf.category}案卷　案件编号 {cf.case.case_no}　归档号 {cf.archive_no}",
            "/Keywords": f"{cf.case.case_no}; {cf.archive_no}; {cf.archive['retention']}",
            "/Creator": "EnforceFlow", "/Producer": "EnforceFlow", "/CreationDate": moment, "/ModDate": moment}
    return assemble(parts, info=info, file_id=digest.digest())
