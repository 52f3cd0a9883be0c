"""The pages of case work, as handlers, reviewers, heads and admins meet them (Flask test client)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from engine.models import AuditEvent, Case, Document, OpenTask
from tests.web.conftest import flatten, login, scenario_step
from web.extensions import db


def text_of(response) -> str:
    return response.get_data(as_text=True)


def start_case(client) -> tuple[int, str]:
    """A handler creates a case; the app sends them straight to 案件来源登记. Returns (case id, task id)."""
    response = client.post("/cases/new", data={"procedure": "penalty"})
    assert response.status_code == 302
    task_id = response.headers["Location"].rsplit("/", 1)[-1]
    with client.application.app_context():
        case_id = db.session.get(OpenTask, task_id).case_id
    return case_id, task_id


def snapshot(app, case_id: int) -> tuple:
    with app.app_context():
        case = db.session.get(Case, case_id)
        events = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.case_id == case_id))
        docs = db.session.scalar(select(func.count()).select_from(Document).where(Document.case_id == case_id))
        return case.version, case.state, events, docs


def test_strangers_are_sent_to_the_login_page_and_wrong_passwords_are_refused_in_chinese(client, people):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = login(client, "li.ming", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in text_of(response)
    assert login(client, "li.ming").status_code == 302
    assert "待办" in text_of(client.get("/"))


def test_handler_registers_a_case_and_gets_the_source_registration_form(as_user, app, clock):
    handler = as_user("li.ming")
    case_id, task_id = start_case(handler)
    page = text_of(handler.get(f"/tasks/{task_id}"))
    assert "案件来源登记" in page and "当事人类型" in page and "线索内容" in page
    assert "办理后生成文书" in page and "立案（不予立案）审批表" in page or "案件来源登记表" in page
    before = snapshot(app, case_id)
    response = handler.post(f"/tasks/{task_id}", data={"cause": ""})
    assert response.status_code == 400
    body = text_of(response)
    assert "表单填写有误" in body and 'aria-invalid="true"' in body
    assert snapshot(app, case_id) == before  # a refused step changes nothing
    data = scenario_step("hearing", "register_source", clock().date())
    response = handler.post(f"/tasks/{task_id}", data=flatten(data))
    assert response.status_code == 302, text_of(response)[:2000]
    page = text_of(handler.get(f"/cases/{case_id}"))
    assert data["party"]["name"] in page
    assert "案件来源登记表" in page
    assert re.search(r"/documents/\d+\.docx", page)


def test_the_inbox_lists_only_my_roles_and_my_agency_most_urgent_first(as_user, clock):
    case_id, task_id = start_case(as_user("li.ming"))
    assert task_id in text_of(as_user("li.ming").get("/"))
    assert task_id not in text_of(as_user("chen.jing").get("/"))  # a reviewer does not see handler tasks
    assert task_id not in text_of(as_user("zhao.lei").get("/"))  # another agency never sees this case


PAGES = ["/", "/done", "/cases", "/cases/new", "/admin/", "/case", "/task"]
# expected status per (page, user); 'case'/'task' are X's case and its first (handler) task
MATRIX = {
    "li.ming":      [200, 200, 200, 200, 403, 200, 200],
    "chen.jing":    [200, 200, 200, 403, 403, 200, 403],
    "wang.jianguo": [200, 200, 200, 403, 403, 200, 403],
    "admin":        [302, 403, 200, 403, 200, 200, 403],
    "zhao.lei":     [200, 200, 200, 200, 403, 403, 403],
}


@pytest.mark.parametrize("username", MATRIX)
def test_permissions_matrix_of_pages_by_role_and_agency(as_user, username):
    case_id, task_id = start_case(as_user("li.ming"))
    client = as_user(username)
    for page, expected in zip(PAGES, MATRIX[username], strict=True):
        url = {"/case": f"/cases/{case_id}", "/task": f"/tasks/{task_id}"}.get(page, page)
        response = client.get(url)
        assert response.status_code == expected, f"{username} GET {url}: {response.status_code}"
        if expected == 403:
            assert "无权" in text_of(response) or "仅限" in text_of(response) or "没有该角色" in text_of(response)


def test_another_agency_cannot_complete_or_download_and_nothing_changes(as_user, app, clock):
    handler = as_user("li.ming")
    case_id, task_id = start_case(handler)
    handler.post(f"/tasks/{task_id}", data=flatten(scenario_step("hearing", "register_source", clock().date())))
    with app.app_context():
        doc_id = db.session.scalar(select(Document.id).where(Document.case_id == case_id))
        next_task = db.session.scalar(select(OpenTask.id).where(OpenTask.case_id == case_id))
    before = snapshot(app, case_id)
    stranger = as_user("zhao.lei")
    assert stranger.post(f"/tasks/{next_task}", data={}).status_code == 403
    assert stranger.get(f"/documents/{doc_id}.docx").status_code == 403
    assert stranger.get(f"/cases/{case_id}/progress.json").status_code == 403
    assert snapshot(app, case_id) == before


def test_unknown_ids_are_chinese_404_pages_not_stack_traces(as_user):
    client = as_user("li.ming")
    for url in ("/cases/999999", "/tasks/no-such-task", "/documents/999999", "/documents/999999.pdf",
                "/attachments/999999", "/no-such-page"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "<html" in text_of(response) and ("不存在" in text_of(response)) and "Traceback" not in text_of(response)


def test_completing_a_task_twice_is_a_409_and_the_second_submission_changes_nothing(as_user, app, clock):
    handler = as_user("li.ming")
    case_id, task_id = start_case(handler)
    data = flatten(scenario_step("hearing", "register_source", clock().date()))
    assert handler.post(f"/tasks/{task_id}", data=data).status_code == 302
    before = snapshot(app, case_id)
    response = handler.post(f"/tasks/{task_id}", data=data)
    assert response.status_code == 404 and "已经办理完毕" in text_of(response)
    assert snapshot(app, case_id) == before


def test_evidence_files_are_kept_with_the_case_and_their_hash_is_in_the_record(as_user, app, clock):
    import io

    handler = as_user("li.ming")
    case_id, task_id = start_case(handler)
    data = flatten(scenario_step("hearing", "register_source", clock().date()))
    data.add("attachments", (io.BytesIO("现场照片".encode()), "现场照片1.jpg"))
    response = handler.post(f"/tasks/{task_id}", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    page = text_of(handler.get(f"/cases/{case_id}"))
    assert "现场照片1.jpg" in page and "上传证据材料" in page
    link = re.search(r'/attachments/(\d+)', page).group(0)
    download = handler.get(link)
    assert download.status_code == 200 and download.data == "现场照片".encode()
    assert "attachment" in download.headers["Content-Disposition"]


def test_an_oversized_upload_is_refused_with_the_limit_in_chinese(app, as_user):
    handler = as_user("li.ming")
    case_id, task_id = start_case(handler)
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    boundary = "enforceflowboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"big.bin\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + b"x" * (2 * 1024 * 1024) + \
        f"\r\n--{boundary}--\r\n".encode()
    response = handler.post(f"/tasks/{task_id}", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "超过了 1 MB 的限制" in text_of(response)
    assert snapshot(app, case_id)[2] == 1  # only case_started: nothing was recorded


def test_case_page_shows_deadlines_documents_timeline_and_the_diagram_progress(as_user, clock):
    handler = as_user("li.ming")
    case_id, task_id = start_case(handler)
    handler.post(f"/tasks/{task_id}", data=flatten(scenario_step("hearing", "register_source", clock().date())))
    page = text_of(handler.get(f"/cases/{case_id}"))
    for section in ("当前环节", "流程图", "期限", "文书", "办理记录", "案件信息"):
        assert section in page
    assert "线索内容" in page  # case data shown with the forms' Chinese labels, not field names
    data = page[page.index('id="case-data"'):]
    assert data.index("当事人类型") < data.index("姓名或名称") < data.index("住所或地址")  # in the form's order
    progress = handler.get(f"/cases/{case_id}/progress.json").get_json()
    assert "register_source" in progress["completed"]
    assert progress["ready"] and "bpmn_xml" in progress


def test_csrf_token_is_required_on_every_form(db_url, clock, people):
    from web import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": db_url, "CLOCK": clock})
    try:
        response = app.test_client().post("/login", data={"username": "li.ming", "password": "x"})
        assert response.status_code == 400
        assert "页面已过期或表单来源无法验证" in text_of(response)
    finally:
        with app.app_context():
            db.engine.dispose()


def test_production_mode_refuses_the_development_secret(monkeypatch):
    from web.config import ConfigError, load_config

    monkeypatch.setenv("ENFORCEFLOW_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config()
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    config = load_config()
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]


def test_admin_adds_an_agency_and_a_user_and_duplicates_are_refused(as_user):
    admin = as_user("admin")
    response = admin.post("/admin/agencies", data={"code": "Z环", "name": "Z市生态环境局",
                                                   "parent_government": "Z市人民政府", "court": "Z市中级人民法院"})
    assert response.status_code == 302
    assert "Z市生态环境局" in text_of(admin.get("/admin/"))
    response = admin.post("/admin/users", data={"username": "li.ming", "display_name": "重名", "password": "12345678",
                                                "agency_id": "1", "roles": ["handler"]})
    assert response.status_code == 400 and "已存在" in text_of(response)
    response = admin.post("/admin/users", data={"username": "new.user", "display_name": "新人", "password": "123",
                                                "agency_id": "1", "roles": ["handler"]})
    assert response.status_code == 400 and "密码至少 8 位" in text_of(response)


def test_api_tokens_are_shown_once_and_stored_only_as_hashes(as_user, app):
    from engine.models import ApiToken

    client = as_user("li.ming")
    response = client.post("/me", data={"action": "create_token", "name": "统计系统"})
    secret = re.search(r'id="new-token">([^<]+)<', text_of(response)).group(1)
    assert secret.startswith("ef_")
    assert secret not in text_of(client.get("/me"))
    with app.app_context():
        token = db.session.scalars(select(ApiToken)).one()
        assert token.token_hash != secret and secret not in token.token_hash


def test_a_long_inbox_is_paged_fifty_at_a_time_most_urgent_first(as_user, app):
    handler = as_user("li.ming")
    for _ in range(51):
        handler.post("/cases/new", data={"procedure": "penalty"})
    first = text_of(handler.get("/"))
    assert '<span class="count">51</span>' in first and "第 1 / 2 页" in first
    assert first.count('href="/tasks/') == 50
    second = text_of(handler.get("/?page=2"))
    assert second.count('href="/tasks/') == 1
    assert text_of(handler.get("/?page=99")).count('href="/tasks/') == 1  # past the end: the last page


def test_invisible_control_characters_are_refused_by_field_not_stored(as_user, app, clock):
    handler = as_user("li.ming")
    case_id, task_id = start_case(handler)
    data = flatten(scenario_step("hearing", "register_source", clock().date()))
    data["party.name"] = "某某\x00公司"
    before = snapshot(app, case_id)
    response = handler.post(f"/tasks/{task_id}", data=data)
    assert response.status_code == 400 and "控制字符" in text_of(response)
    assert snapshot(app, case_id) == before


def test_a_document_made_again_by_a_later_round_is_not_marked_superseded():
    from web.services import latest_versions

    first = Document(id=1, template_key="legal_review_opinion", task_id="round-1", version=1)
    second = Document(id=2, template_key="legal_review_opinion", task_id="round-2", version=1)
    redone = Document(id=3, template_key="legal_review_opinion", task_id="round-2", version=2)
    assert latest_versions([first, second]) == {1, 2}
    assert latest_versions([first, second, redone]) == {1, 3}


def complete_on_page(as_user, app, case_id: int, bpmn_id: str, data) -> None:
    """The person whose role the ready task needs opens it from the case and submits it."""
    with app.app_context():
        task = db.session.scalars(select(OpenTask).where(OpenTask.case_id == case_id,
                                                         OpenTask.bpmn_id == bpmn_id)).one()
    user = {"handler": "li.ming", "reviewer": "chen.jing", "head": "wang.jianguo"}[task.role]
    response = as_user(user).post(f"/tasks/{task.id}", data=flatten(data))
    assert response.status_code == 302, text_of(response)[:3000]


def filed_case(as_user, app, clock) -> int:
    """A case registered, checked and filed (立案) through the pages; it now waits in 调查取证."""
    case_id, _task = start_case(as_user("li.ming"))
    for step in ("register_source", "verify_source", "approve_filing"):
        complete_on_page(as_user, app, case_id, step, scenario_step("suspended", step, clock().date()))
    return case_id


def test_a_special_branch_offered_as_a_message_is_raised_from_the_case_page(as_user, app, clock):
    handler = as_user("li.ming")
    case_id = filed_case(as_user, app, clock)
    page = text_of(handler.get(f"/cases/{case_id}"))
    url = f"/cases/{case_id}/events/extension_requested"
    assert "申请延长办案期限" in page and url in page
    assert url not in text_of(as_user("chen.jing").get(f"/cases/{case_id}"))  # not the reviewer's to raise
    assert as_user("chen.jing").post(url, data={"reason": "案情复杂需要延期"}).status_code == 403
    assert as_user("zhao.lei").get(url).status_code == 403
    form = text_of(handler.get(url))
    assert "延期理由" in form and "处罚法第六十条" in form
    before = snapshot(app, case_id)
    refused = handler.post(url, data={"reason": "太短", "period": "30日"})
    assert refused.status_code == 400 and "延期理由" in text_of(refused) and snapshot(app, case_id) == before
    assert handler.post(url, data={"reason": "当事人住院期间无法询问，案情复杂。", "period": "30日"}).status_code == 302
    assert "延长办案期限审批" in text_of(as_user("wang.jianguo").get("/"))
    again = handler.post(url, data={"reason": "当事人住院期间无法询问，案情复杂。", "period": "30日"})
    assert again.status_code == 409 and "已经提出过" in text_of(again)
    assert handler.get(f"/cases/{case_id}/events/no_such_event").status_code == 404


def test_shortcuts_preselect_a_special_branch_in_the_task_that_offers_it(as_user, app, clock):
    handler = as_user("li.ming")
    case_id = filed_case(as_user, app, clock)
    page = text_of(handler.get(f"/cases/{case_id}"))
    link = re.search(r'href="(/tasks/[^"?]+\?preset=investigation_action:[^"]+)"', page)
    assert link and "中止调查" in page
    import html

    form = text_of(handler.get(html.unescape(link.group(1))))
    assert re.search(r'<option value="中止调查"[^>]*selected', form)


def test_ids_no_database_column_can_hold_are_404_pages_not_errors(as_user):
    for url in ("/cases/99999999999", "/documents/99999999999", "/documents/99999999999.pdf",
                "/attachments/99999999999", "/tasks/99999999999"):
        response = as_user("li.ming").get(url)
        assert response.status_code == 404 and "不存在" in text_of(response), url
    admin = as_user("admin")
    assert admin.post("/admin/users/99999999999", data={"roles": ["handler"]}).status_code == 404
    response = admin.post("/admin/users", data={"agency_id": "99999999999", "username": "a.b", "display_name": "某",
                                                "password": "12345678", "roles": ["handler"]})
    assert response.status_code == 400 and "请选择用户所属的执法机关" in text_of(response)
    response = as_user("li.ming").post("/me", data={"action": "revoke_token", "token_id": "x"})
    assert response.status_code == 400 and "令牌不存在" in text_of(response)
