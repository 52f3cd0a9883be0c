"""Another agency's case is refused with the Chinese 403 page; an unknown case gives the Chinese 404 page."""

from __future__ import annotations

import pytest

from engine.casework import Actor
from tests.browser.conftest import screenshot
from web.extensions import db

pytestmark = pytest.mark.browser


def start_case(live_server) -> tuple[int, str]:
    """A case of X市监 started by li.ming, and the id of its first task (案件来源登记)."""
    app = live_server.app
    runtime = app.extensions["enforceflow.runtime"]
    with app.app_context():
        actor = Actor("李明", "handler", live_server.ids["X"], live_server.ids["li.ming"])
        case = runtime.start_case(db.session, "penalty", live_server.ids["X"], actor)
        task = runtime.ready_tasks(db.session, case_id=case.id)[0]
        ids = case.id, task.id
        db.session.remove()
    return ids


def assert_error_page(page, response, status: int, title: str, message: str) -> None:
    assert response.status == status, response.status
    assert page.locator(".error-page h1").inner_text() == title
    assert message in page.locator(".error-page .error-message").inner_text()
    body = page.locator("main").inner_text()
    for english in ("Forbidden", "Not Found", "Internal Server Error", "permission"):
        assert english not in body, body


def test_other_agency_and_unknown_case_get_chinese_error_pages(live_server, sign_in):
    case_id, task_id = start_case(live_server)
    page = sign_in("zhao.lei")  # a handler of Y市监

    response = page.goto(f"/cases/{case_id}")
    assert_error_page(page, response, 403, "无权访问", "您无权查看其他执法机关的案件")
    screenshot(page, "20-forbidden-other-agency")

    response = page.goto(f"/tasks/{task_id}")
    assert_error_page(page, response, 403, "无权访问", "无权办理其他执法机关的案件")

    response = page.goto("/cases/999999")
    assert_error_page(page, response, 404, "找不到页面", "案件不存在")
    screenshot(page, "21-not-found")
    page.get_by_role("link", name="返回首页").click()
    page.wait_for_url(live_server.url("/"))
    assert page.locator("h1").first.inner_text().startswith("待办")
