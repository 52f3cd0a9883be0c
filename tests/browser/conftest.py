"""Browser fixtures: the real app served over HTTP on 127.0.0.1, driven by Debian's Chromium through Playwright.

Browser tests run on SQLite only (one file per test under tmp_path): they test the pages, the forms and the
JavaScript as a person uses them, not the database; the suites under tests/web and tests/integration cover
PostgreSQL. CSRF protection stays on: every form posts the token the page rendered.

Chromium is the distribution's package (/usr/bin/chromium, installed by bin/test when it can), never a browser
downloaded by `playwright install`. Without it every browser test is skipped with the reason in the -ra summary.
"""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from engine.demo import DEMO_AGENCY, SimulatedClock, load_scenario, substitute
from web import accounts, create_app
from web.extensions import db
from web.seed import OTHER_AGENCY

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PASSWORD = "correct-horse-9"
PEOPLE = {  # username: (display name, agency, roles)
    "li.ming": ("李明", "X", ["handler"]),
    "chen.jing": ("陈静", "X", ["reviewer"]),
    "wang.jianguo": ("王建国", "X", ["head"]),
    "zhao.lei": ("赵磊", "Y", ["handler"]),
}
TIMEOUT_MS = 30_000


def chromium_executable() -> str | None:
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = chromium_executable()
    if path is None:
        pytest.skip("browser tests need Debian's chromium (/usr/bin/chromium or `chromium` on PATH), which is not "
                    "installed; bin/test installs it with apt when run as root (never `playwright install`)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path)
        yield browser
        browser.close()


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request (a failing test shows the app's own error log, not hundreds of GETs)."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@dataclass
class LiveServer:
    """The app on a real port: `url('/cases')`, the simulated `clock`, the people's user ids and the agencies'
    ids (under 'X' and 'Y')."""

    app: Any
    base_url: str
    clock: SimulatedClock
    ids: dict[str, int] = field(default_factory=dict)

    def url(self, path: str = "/") -> str:
        return self.base_url + path


@pytest.fixture
def clock():
    return SimulatedClock(date(2026, 3, 2))


@pytest.fixture
def live_server(tmp_path, clock):
    app = create_app({"TESTING": False, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/b.sqlite3", "CLOCK": clock,
                      "SECRET_KEY": "browser-test-secret-0123456789abcdef"})
    with app.app_context():
        agencies = {"X": accounts.create_agency(db.session, **DEMO_AGENCY),
                    "Y": accounts.create_agency(db.session, **OTHER_AGENCY)}
        ids = {code: agency.id for code, agency in agencies.items()}
        for username, (name, agency, roles) in PEOPLE.items():
            user = accounts.create_user(db.session, username=username, display_name=name, password=PASSWORD,
                                        agency=agencies[agency], roles=roles)
            ids[username] = user.id
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}", clock, ids)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def sign_in(browser, live_server):
    """sign_in('li.ming') → a Page in its own browser context, signed in through the login form
    (`screenshot_as`: a name for a screenshot of the filled-in login page)."""
    contexts = []

    def make(username: str, password: str = PASSWORD, screenshot_as: str | None = None):
        context = browser.new_context(base_url=live_server.base_url, locale="zh-CN", accept_downloads=True,
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", password)
        if screenshot_as:
            screenshot(page, screenshot_as)
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
        assert page.url.rstrip("/") == live_server.base_url, f"{username} was not signed in: {page.url}"
        return page

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    """A full-page PNG under test-artifacts/screenshots/ (gitignored) to look at after the run."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def scenario_step(scenario: str, task: str, today: date, occurrence: int = 0) -> dict:
    """The data a penalty scenario submits for a task (its `occurrence`-th time), $today tokens resolved."""
    steps = [s for s in load_scenario("penalty", scenario)["steps"] if s.get("task") == task]
    return substitute(steps[occurrence].get("data", {}), today)


# ---- filling a rendered schema form the way a person does ---------------------------------------------------


def fill_form(page, data: dict, prefix: str = "", form: str = "#task-form") -> None:
    """Fill the form rendered by web/schemaform.py from nested data: each leaf's control is found by its dotted
    name and typed into, selected or ticked; arrays of objects get rows through 添加一项 first.

    Keys are filled in the data's order, so a switch (party.type, outcome …) comes before the fields it shows.
    """
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            fill_form(page, value, path, form)
        elif isinstance(value, list):
            _fill_list(page, path, value, form)
        else:
            _fill_leaf(page, path, value, form)


def _fill_list(page, path: str, values: list, form: str) -> None:
    boxes = page.locator(f'{form} input[type=checkbox][name="{path}"]')
    if boxes.count():  # an array of enum values: one checkbox per option
        wanted = {_text(v) for v in values}
        for i in range(boxes.count()):
            box = boxes.nth(i)
            box.set_checked(box.get_attribute("value") in wanted)
        return
    group = page.locator(f'{form} fieldset[data-repeat="{path}"]')
    rows = group.locator(":scope > .repeat-rows > .repeat-row")
    while rows.count() < len(values):
        before = rows.count()
        group.locator(":scope > button.repeat-add").click()
        assert rows.count() == before + 1, f"添加一项 added no row to {path}"
    for i, value in enumerate(values):
        if isinstance(value, dict):
            fill_form(page, value, f"{path}.{i}", form)
        else:
            _fill_leaf(page, f"{path}.{i}", value, form)


def _fill_leaf(page, path: str, value: Any, form: str) -> None:
    text = _text(value)
    controls = page.locator(f'{form} [name="{path}"]')
    assert controls.count(), f"the form has no control named {path!r}"
    first = controls.first
    if text == "" and not (first.is_visible() and first.is_enabled()):
        return  # an empty answer for a field the form hides (e.g. 举报人 of a 监督检查 source)
    tag = first.evaluate("el => el.tagName.toLowerCase()")
    kind = (first.get_attribute("type") or "").lower()
    if tag == "select":
        first.select_option(value=text)
    elif kind == "radio":
        page.locator(f'{form} input[type=radio][name="{path}"][value="{text}"]').check()
    elif kind == "checkbox":
        first.set_checked(bool(value))
    else:  # text, number, date (ISO yyyy-mm-dd) and textarea
        first.fill(text)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def submit_task(page, expect_ok: bool = True) -> None:
    """Click 提交 and wait for the next page; by default assert the task was done without field errors."""
    with page.expect_navigation():
        page.locator("#task-form button[type=submit]").click()
    if expect_ok:
        errors = page.locator(".field-error, .form-errors, .flash-error")
        assert errors.count() == 0, f"form rejected at {page.url}: {errors.all_inner_texts()}"
        flash = page.locator(".flash-ok").first.inner_text()
        assert "已办理完毕" in flash, flash
