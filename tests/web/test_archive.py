"""档案管理 as archivists meet it: the closed cases of their agency, the 案卷 PDF and the archival package (each
download an 调阅 record), and the offline check of a package, as a page and as the API.

Cases are produced with the engine's demo driver over the `简易程序` scenario (closed in five steps, two documents), so
the one test that compiles (LibreOffice) stays short; it runs on every backend of `db_url`.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import struct
import zipfile
from datetime import datetime

import pytest
from sqlalchemy import func, select

from engine import audit, bagit
from engine.casefile import NUMBERED, gather
from engine.demo import ACTORS, drive, load_scenario
from engine.models import Agency, AuditEvent, Document, User
from engine.runtime import Actor
from tests.web.conftest import PASSWORD
from web import accounts
from web.extensions import db

SOFFICE = shutil.which("soffice")
if SOFFICE is None:
    print("LibreOffice (soffice) is not installed: the archive download test is skipped")
NOT_CLOSED = "尚未结案，不能立卷归档"
NOT_A_ZIP = "不是 ZIP 格式的档案包"
ARCHIVISTS = {"zhou.li": ("周立", "X"), "sun.yan": ("孙燕", "Y")}
ZIP = {"Content-Type": "application/zip"}


# ------------------------------------------------------------------ fixtures and helpers
@pytest.fixture
def archivists(app, people) -> dict[str, str]:
    """An archivist in each agency; returns {username: API token}."""
    tokens = {}
    with app.app_context():
        for username, (name, agency) in ARCHIVISTS.items():
            user = accounts.create_user(db.session, username=username, display_name=name, password=PASSWORD,
                                        agency=db.session.get(Agency, people[agency]), roles=["archivist"])
            _token, tokens[username] = accounts.issue_token(db.session, user, "档案")
        for username in ("li.ming", "chen.jing", "wang.jianguo", "admin"):
            _token, tokens[username] = accounts.issue_token(db.session, db.session.get(User, people[username]), "t")
        db.session.commit()
    return tokens


def drive_case(app, agency_id: int, scenario: str = "simple", steps: int | None = None) -> int:
    """A case of the agency driven through a demo scenario (all of it: closed; `steps`: still open)."""
    with app.app_context():
        runtime = app.extensions["enforceflow.runtime"]
        actor = ACTORS["handler"]
        case = runtime.start_case(db.session, "penalty", agency_id, Actor(actor.name, actor.role, agency_id))
        drive(runtime, db.session, case, load_scenario("penalty", scenario)["steps"][:steps], runtime.clock, agency_id)
        return case.id


def listed(response) -> set[int]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return {int(i) for i in re.findall(r'data-case-id="(\d+)"', response.get_data(as_text=True))}


def views(app, case_id: int) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent.data).where(AuditEvent.case_id == case_id,
                                                                AuditEvent.kind == "viewed").order_by(AuditEvent.seq))
        return [json.loads(data) for data in rows]


def event_count(app, case_id: int, kind: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.case_id == case_id)
    with app.app_context():
        return db.session.scalar(query.where(AuditEvent.kind == kind) if kind else query)


def api(client, token: str | None, method: str, path: str, **kw):
    headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **kw.pop("headers", {})}
    return getattr(client, method)(f"/api/v1{path}", headers=headers, **kw)


def upload(client, data: bytes, name: str = "casefile.zip"):
    return client.post("/archive/verify", data={"package": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def rezip(package: bytes, change) -> bytes:
    """The package with one payload file changed by `change(path, data)` and zipped again (a valid zip)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename.split("/", 1)[1], src.read(info)))
    return out.getvalue()


def flip_raw_byte(package: bytes, suffix: str) -> bytes:
    """Bit rot: one byte of a member's compressed data flipped in the zip itself (the zip still opens)."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        info = next(i for i in archive.infolist() if i.filename.endswith(suffix))
    raw = bytearray(package)
    name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
    raw[info.header_offset + 30 + name_len + extra_len + info.compress_size // 2] ^= 0xFF
    return bytes(raw)


def small_bag(app, case_id: int) -> bytes:
    """A bag of the case's documents and audit chain, built without LibreOffice (all that verification needs)."""
    with app.app_context():
        docs = db.session.scalars(select(Document).where(Document.case_id == case_id).order_by(Document.id))
        payload = {f"data/documents/{d.id:02d}-{d.template_key}.docx": d.content for d in docs}
        events = audit.event_dicts(db.session, case_id)
    payload["data/audit/events.json"] = bagit.json_bytes(events)
    return bagit.write_bag(payload, [("Source-Organization", "X")], base="casefile-test",
                           when=datetime.fromisoformat(events[-1]["at"]))


# ------------------------------------------------------------------ the list
def test_the_archivist_lists_the_closed_cases_of_the_agency_and_filters_them(app, people, archivists, as_user):
    simple, not_filed = drive_case(app, people["X"]), drive_case(app, people["X"], "not-filed")
    still_open, elsewhere = drive_case(app, people["X"], steps=1), drive_case(app, people["Y"])
    with app.app_context():  # a first compile allocates the 归档号 and the 保管期限 (简易程序: 30年)
        gather(db.session, simple, Actor("周立", "archivist", people["X"]))
    archivist = as_user("zhou.li")
    page = archivist.get("/archive/")
    assert listed(page) == {simple, not_filed}, "closed cases of my agency only"
    body = page.get_data(as_text=True)
    assert "20260001" in body and "30年" in body and "未立卷" in body and "档案管理" in body
    assert '<option value="2026"' in body and "数十秒" in body and "下一次生成的归档包" in body
    assert listed(archivist.get("/archive/?retention=30年")) == {simple}
    assert listed(archivist.get("/archive/?retention=未立卷")) == {not_filed}
    assert listed(archivist.get("/archive/?retention=永久")) == set()
    assert listed(archivist.get("/archive/?year=2026&procedure=penalty")) == {simple, not_filed}
    assert listed(archivist.get("/archive/?year=2025")) == set()
    assert listed(archivist.get("/archive/?procedure=permit")) == set()
    assert listed(archivist.get("/archive/?year=abc&retention=&page=9")) == {simple, not_filed}
    assert listed(as_user("sun.yan").get("/archive/")) == {elsewhere}
    assert still_open not in listed(archivist.get("/archive/?retention=未立卷"))
    assert views(app, simple) == [], "listing is not a download"


def test_only_archivists_see_the_archive_link(archivists, as_user):
    assert 'href="/archive/"' in as_user("zhou.li").get("/cases").get_data(as_text=True)
    assert 'href="/archive/"' not in as_user("li.ming").get("/cases").get_data(as_text=True)


# ------------------------------------------------------------------ who may do what
def test_only_archivists_of_the_agency_may_download_or_verify(app, people, archivists, as_user):
    closed = drive_case(app, people["X"])
    pages = ["/archive/", f"/archive/cases/{closed}/casefile.pdf", f"/archive/cases/{closed}/package.zip"]
    endpoints = [f"/cases/{closed}/casefile.pdf", f"/cases/{closed}/package.zip"]
    for username in ("li.ming", "chen.jing", "wang.jianguo", "admin"):
        client = as_user(username)
        for path in pages:
            response = client.get(path)
            assert response.status_code == 403 and "档案管理员" in response.get_data(as_text=True), (username, path)
        assert upload(client, b"PK").status_code == 403
        for path in endpoints:
            response = api(app.test_client(), archivists[username], "get", path)
            assert response.status_code == 403 and "档案管理员" in response.get_json()["error"], (username, path)
        assert api(app.test_client(), archivists[username], "post", "/packages/verify", data=b"PK",
                   headers=ZIP).status_code == 403
    for path in pages[1:]:
        assert as_user("sun.yan").get(path).status_code == 403, "another agency's archivist"
        assert as_user("zhou.li").get(path.replace(f"/{closed}/", "/999999/")).status_code == 404
    for path in endpoints:
        assert api(app.test_client(), archivists["sun.yan"], "get", path).status_code == 403
        assert api(app.test_client(), archivists["zhou.li"], "get", path.replace(f"/{closed}/", "/999999/")
                   ).status_code == 404
        assert api(app.test_client(), None, "get", path).status_code == 401
    assert app.test_client().get("/archive/").status_code == 302, "strangers are sent to sign in"
    assert event_count(app, closed, "viewed") == 0 and event_count(app, closed, NUMBERED) == 0


def test_an_open_case_is_409_with_the_engines_chinese_message(app, people, archivists, as_user):
    still_open = drive_case(app, people["X"], steps=1)
    before = event_count(app, still_open)
    for kind in ("casefile.pdf", "package.zip"):
        response = as_user("zhou.li").get(f"/archive/cases/{still_open}/{kind}")
        assert response.status_code == 409 and NOT_CLOSED in response.get_data(as_text=True)
        response = api(app.test_client(), archivists["zhou.li"], "get", f"/cases/{still_open}/{kind}")
        assert response.status_code == 409 and NOT_CLOSED in response.get_json()["error"]
    assert event_count(app, still_open) == before, "nothing is recorded or numbered for an open case"


# ------------------------------------------------------------------ verification (no LibreOffice needed)
def test_a_package_is_verified_from_its_bytes_and_a_flipped_byte_is_named(app, people, archivists, as_user):
    bag = small_bag(app, drive_case(app, people["X"]))
    archivist, token = as_user("zhou.li"), archivists["sun.yan"]  # verifying needs no case of one's own agency
    page = upload(archivist, bag).get_data(as_text=True)
    assert "校验通过" in page and "哈希链重新计算完整" in page
    assert api(app.test_client(), token, "post", "/packages/verify", data=bag, headers=ZIP).get_json() == {
        "ok": True, "problems": [], "checked": bagit.verify_package(bag).checked}
    name = next(p for p in bagit.read_bag(bag) if p.startswith("data/documents/"))
    for altered in (rezip(bag, lambda p, d: d[:-1] + bytes([d[-1] ^ 1]) if p == name else d),
                    flip_raw_byte(bag, name)):
        response = upload(archivist, altered)
        assert response.status_code == 200 and "校验未通过" in response.get_data(as_text=True)
        assert name in response.get_data(as_text=True)
        report = api(app.test_client(), token, "post", "/packages/verify", data=altered, headers=ZIP).get_json()
        assert report["ok"] is False and any(name in p for p in report["problems"]), report


def test_what_is_not_a_package_is_a_400_in_chinese(app, archivists, as_user):
    for data in (b"", b"%PDF-1.7 not a zip", b"PK\x03\x04 broken"):
        response = upload(as_user("zhou.li"), data)
        assert response.status_code == 400 and "档案包" in response.get_data(as_text=True), data
        response = api(app.test_client(), archivists["zhou.li"], "post", "/packages/verify", data=data, headers=ZIP)
        assert response.status_code == 400 and "档案包" in response.get_json()["error"], data
    assert NOT_A_ZIP in response.get_json()["error"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as other:
        other.writestr("notes.txt", "不是归档包")
    report = api(app.test_client(), archivists["zhou.li"], "post", "/packages/verify", data=out.getvalue(),
                 headers=ZIP).get_json()
    assert report["ok"] is False and "包中缺少 manifest-sha256.txt" in report["problems"]


def test_oversized_uploads_and_zip_bombs_are_refused(app, archivists, as_user):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = upload(as_user("zhou.li"), b"PK" + b"x" * 8192)
    assert response.status_code == 413 and "MB 的限制" in response.get_data(as_text=True)
    response = api(app.test_client(), archivists["zhou.li"], "post", "/packages/verify", data=b"x" * 8192,
                   headers=ZIP)
    assert response.status_code == 413 and "MB 的限制" in response.get_json()["error"]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("casefile/data/zeros.bin", b"\0" * 200_000)
    response = api(app.test_client(), archivists["zhou.li"], "post", "/packages/verify", data=bomb.getvalue(),
                   headers=ZIP)
    assert response.status_code == 400 and "解压后超过" in response.get_json()["error"]


# ------------------------------------------------------------------ downloads (LibreOffice)
def package_views(package: bytes) -> list[str]:
    events = json.loads(bagit.read_bag(package)["data/audit/events.json"])
    return [json.loads(e["data"])["what"] for e in events if e["kind"] == "viewed"]


def download(client, path: str, mimetype: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == mimetype and "attachment" in response.headers["Content-Disposition"]
    return response.data


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: no 案卷 PDF can be made")
def test_the_archivist_downloads_the_casefile_and_the_package_and_each_download_is_recorded(
        app, people, archivists, as_user):
    case_id, archivist = drive_case(app, people["X"]), as_user("zhou.li")
    pdf = download(archivist, f"/archive/cases/{case_id}/casefile.pdf", "application/pdf")
    assert pdf.startswith(b"%PDF")
    package = download(archivist, f"/archive/cases/{case_id}/package.zip", "application/zip")
    assert [(v["what"], v["archive_no"]) for v in views(app, case_id)] == [
        ("下载案卷（PDF）", "20260001"), ("下载归档包", "20260001")]
    assert views(app, case_id)[1]["sha256"] == hashlib.sha256(package).hexdigest()
    assert views(app, case_id)[0]["file"] == "casefile-20260001.pdf"
    assert package_views(package) == ["下载案卷（PDF）"], "the package holds the record up to its compiling"
    page = upload(archivist, package).get_data(as_text=True)
    assert "校验通过" in page and "全过程记录" in page
    token = archivists["zhou.li"]
    report = api(app.test_client(), token, "post", "/packages/verify", data=package, headers=ZIP).get_json()
    assert report["ok"] is True and report["problems"] == [] and report["checked"]
    flipped = rezip(package, lambda p, d: d[:-1] + bytes([d[-1] ^ 1]) if p == "data/casefile.pdf" else d)
    assert "data/casefile.pdf 的 SHA-256 与清单不符" in upload(archivist, flipped).get_data(as_text=True)
    for altered in (flipped, flip_raw_byte(package, "data/casefile.pdf")):
        assert "data/casefile.pdf" in upload(archivist, altered).get_data(as_text=True)
        report = api(app.test_client(), token, "post", "/packages/verify", data=altered, headers=ZIP).get_json()
        assert report["ok"] is False and any("data/casefile.pdf" in p for p in report["problems"]), report
    assert len(views(app, case_id)) == 2, "verifying reads nothing from the database and records nothing"
    client = app.test_client()
    via_api = api(client, token, "get", f"/cases/{case_id}/casefile.pdf")
    assert via_api.status_code == 200 and via_api.data.startswith(b"%PDF")
    assert via_api.data != pdf, "the 备考表 counts the record, which now holds the two downloads"
    via_api = api(client, token, "get", f"/cases/{case_id}/package.zip")
    assert via_api.status_code == 200 and bagit.verify_package(via_api.data).ok
    assert package_views(via_api.data) == ["下载案卷（PDF）", "下载归档包", "API 下载案卷（PDF）"]
    assert [v["what"] for v in views(app, case_id)][2:] == ["API 下载案卷（PDF）", "API 下载归档包"]
