"""Documents and evidence of a case: preview (PDF in the page), download as .docx or PDF; each is an 调阅 record."""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, request, send_file
from flask_login import current_user, login_required

from engine import pdf
from engine.models import Attachment, Document
from web import services
from web.extensions import db
from web.ids import row

bp = Blueprint("documents", __name__)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def document_for(document_id: int, principal=None) -> Document:
    """A document of the person's agency (404 unknown, 403 another agency's); pages and the API share it."""
    doc = row(Document, document_id)
    if doc is None:
        abort(404, description="文书不存在")
    services.case_for(principal or current_user, doc.case_id)
    return doc


def file_name(doc: Document, suffix: str) -> str:
    base = f"{doc.doc_no}-{doc.title}" if doc.doc_no else doc.title
    return f"{base}（第{doc.version}版）{suffix}" if doc.version > 1 else f"{base}{suffix}"


def record_download(doc: Document, what: str, principal=None) -> None:
    """调阅记录: who fetched which document, in the case's audit chain."""
    who = principal or current_user
    services.runtime().record_view(db.session, doc.case_id, who.actor(who.roles[0]), what,
                                   {"document_id": doc.id, "title": doc.title, "doc_no": doc.doc_no})


@bp.get("/documents/<int:document_id>")
@login_required
def preview(document_id: int):
    doc = document_for(document_id)
    case = services.case_for(current_user, doc.case_id)
    return render_template("document.html", doc=doc, case=case, pdf_available=pdf.is_available())


@bp.get("/documents/<int:document_id>.docx")
@login_required
def download_docx(document_id: int):
    doc = document_for(document_id)
    record_download(doc, "下载文书（docx）")
    return send_file(io.BytesIO(doc.content), mimetype=DOCX, as_attachment=True,
                     download_name=file_name(doc, ".docx"), etag=doc.sha256)


@bp.get("/documents/<int:document_id>.pdf")
@login_required
def download_pdf(document_id: int):
    doc = document_for(document_id)
    content = pdf.pdf_for(db.session, doc)
    inline = request.args.get("inline") == "1"
    record_download(doc, "预览文书（PDF）" if inline else "下载文书（PDF）")
    return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=not inline,
                     download_name=file_name(doc, ".pdf"))


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    item = row(Attachment, attachment_id)
    if item is None:
        abort(404, description="附件不存在")
    services.case_for(current_user, item.case_id)
    services.runtime().record_view(db.session, item.case_id, current_user.actor(current_user.roles[0]), "下载证据材料",
                                   {"attachment_id": item.id, "filename": item.filename})
    return send_file(io.BytesIO(item.content), mimetype="application/octet-stream", as_attachment=True,
                     download_name=item.filename)
