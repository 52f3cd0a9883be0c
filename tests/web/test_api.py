"""The JSON API: bearer tokens, the pages' permissions, and an actionable JSON error for every bad request."""

from __future__ import annotations

import json
import re
from datetime import datetime

import jsonschema
import pytest

from engine import pdf
from engine.models import ApiToken, User
from tests.web.conftest import PEOPLE, scenario_step
from web import accounts
from web.extensions import db

V1 = "/api/v1"


class Api:
    """A test client that speaks JSON to /api/v1 with one person's token."""

    def __init__(self, client, token: str | None) -> None:
        self.client, self.token = client, token

    def _headers(self, extra=None) -> dict:
        return {**({"Authorization": f"Bearer {self.token}"} if self.token else {}), **(extra or {})}

    def get(self, path: str, **kw):
        return self.client.get(V1 + path, headers=self._headers(kw.pop("headers", None)), **kw)

    def fetch(self, url: str):
        """A URL the API handed out (already under /api/v1)."""
        return self.client.get(url, headers=self._headers())

    def post(self, path: str, body=None, **kw):
        if body is not None:
            kw["json"] = body
        return self.client.post(V1 + path, headers=self._headers(kw.pop("headers", None)), **kw)


@pytest.fixture
def tokens(app, people):
    """One API token per person of the conftest: {username: secret}."""
    out = {}
    with app.app_context():
        for username in PEOPLE:
            _token, out[username] = accounts.issue_token(db.session, db.session.get(User, people[username]), "测试")
        db.session.commit()
    return out


@pytest.fixture
def api(app, tokens):
    return lambda username=None: Api(app.test_client(), tokens.get(username))


def start(api, username: str = "li.ming") -> dict:
    response = api(username).post("/cases", {"procedure": "penalty"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def register(api, case: dict, clock, scenario: str = "standard") -> dict:
    """Complete 案件来源登记 of a new case with a scenario's data; returns the completion JSON."""
    task = next(t for t in case["tasks"] if t["bpmn_id"] == "register_source")
    response = api("li.ming").post(f"/tasks/{task['id']}/complete",
                                   scenario_step(scenario, "register_source", clock().date()))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ready(api, case_id: int, bpmn_id: str, username: str = "li.ming") -> dict:
    case = api(username).get(f"/cases/{case_id}").get_json()
    return next(t for t in case["tasks"] if t["bpmn_id"] == bpmn_id)


def assert_error(response, status: int, words: str = "") -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == status and body["error"], body
    assert re.search("[\u4e00-\u9fff]", body["error"]), "the message is for a person: Chinese"
    assert words in body["error"], body["error"]
    return body


# ------------------------------------------------------------------ tokens
def test_requests_without_a_valid_bearer_token_get_401_with_a_challenge(app, api, tokens):
    with app.app_context():
        user = db.session.scalars(db.select(User).where(User.username == "chen.jing")).one()
        revoked, revoked_secret = accounts.issue_token(db.session, user, "旧令牌")
        accounts.revoke_token(db.session, user, revoked.id)
        db.session.commit()
    client = app.test_client()
    for headers in ({}, {"Authorization": "Bearer ef_wrong"}, {"Authorization": f"Basic {tokens['li.ming']}"},
                    {"Authorization": "Bearer"}, {"Authorization": f"Bearer {revoked_secret}"}):
        response = client.get(f"{V1}/cases", headers=headers)
        body = assert_error(response, 401, "API 令牌")
        assert body["error"].startswith("缺少或无效的 API 令牌")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    # the session cookie of a signed-in page user is not a credential for the API
    client.post("/login", data={"username": "li.ming", "password": "correct-horse-9"})
    assert client.get(f"{V1}/cases").status_code == 401


def test_a_token_notes_when_it_was_last_used(app, api, tokens):
    assert api("li.ming").get("/cases").status_code == 200
    with app.app_context():
        token = db.session.scalars(db.select(ApiToken).where(ApiToken.prefix == tokens["li.ming"][:10])).one()
        first = token.last_used_at
        assert first is not None and abs((datetime.now() - first).total_seconds()) < 60
    assert api("li.ming").get("/cases").status_code == 200
    with app.app_context():
        again = db.session.scalars(db.select(ApiToken).where(ApiToken.prefix == tokens["li.ming"][:10])).one()
        assert again.last_used_at == first  # not rewritten within the minute


def test_a_deactivated_user_token_stops_working(app, api, people):
    assert api("zhang.wei").get("/tasks").status_code == 200
    with app.app_context():
        db.session.get(User, people["zhang.wei"]).active = False
        db.session.commit()
    assert_error(api("zhang.wei").get("/tasks"), 401)


# ------------------------------------------------------------------ catalog, cases, tasks
def test_procedures_are_listed_with_their_version_hash(api):
    procedures = api("li.ming").get("/procedures").get_json()
    assert [p["key"] for p in procedures] == ["penalty"]
    assert procedures[0]["name"] == "行政处罚" and procedures[0]["category"] == "行政处罚"
    assert re.fullmatch(r"[0-9a-f]{64}", procedures[0]["version"])


def test_a_handler_starts_a_case_and_gets_its_first_task(api, clock):
    response = api("li.ming").post("/cases", {"procedure": "penalty"})
    assert response.status_code == 201
    case = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/cases/{case['id']}")
    assert case["status"] == "open" and case["case_no"].startswith("X市监")
    assert case["procedure"]["key"] == "penalty"
    assert [(t["bpmn_id"], t["role"]) for t in case["tasks"]] == [("register_source", "handler")]
    assert case["available_events"] == [] and case["documents"] == []
    assert api("li.ming").get(f"/cases/{case['id']}").get_json()["case_no"] == case["case_no"]


def test_only_a_handler_starts_a_case_and_only_of_a_known_procedure(api):
    assert_error(api("chen.jing").post("/cases", {"procedure": "penalty"}), 403, "承办人")
    body = assert_error(api("li.ming").post("/cases", {"procedure": "no-such"}), 400, "penalty")
    assert "procedure" in body["error"]
    assert_error(api("li.ming").post("/cases", {}), 400, "procedure")
    assert_error(api("li.ming").post("/cases", {"procedure": ["penalty"]}), 400, "procedure")


def test_a_task_shows_its_form_schema_and_the_documents_it_produces(api):
    case = start(api)
    task = api("li.ming").get(f"/tasks/{case['tasks'][0]['id']}").get_json()
    assert task["bpmn_id"] == "register_source" and task["case_no"] == case["case_no"]
    assert task["schema"]["type"] == "object"
    assert "$ref" not in str(task["schema"]), "the schema comes with its references inlined"
    assert task["schema"]["properties"]["party"]["properties"]["name"]["title"]
    assert [d["title"] for d in task["produces"]] == ["案件来源登记表"]


def test_completing_a_task_returns_its_documents_and_the_next_tasks(api, clock):
    case = start(api)
    done = register(api, case, clock)
    assert done["task"]["bpmn_id"] == "register_source"
    assert [d["title"] for d in done["documents"]] == ["案件来源登记表"]
    assert done["documents"][0]["superseded"] is False and done["documents"][0]["urls"]["docx"]
    assert [t["bpmn_id"] for t in done["tasks"]] == ["verify_source"]
    assert done["tasks"][0]["due"] and done["tasks"][0]["remaining"] == 15 and done["tasks"][0]["mark"] == "ok"
    full = api("li.ming").get(f"/cases/{case['id']}").get_json()
    assert full["party_name"] == "某某食品有限公司"
    assert full["data"]["party"]["name"] == "某某食品有限公司" and full["labels"]["party"] == "当事人"


def test_my_tasks_come_earliest_due_first(api, clock):
    older = start(api)
    register(api, older, clock)  # 核查: due in 15 working days
    clock.advance("5WD")
    newer = start(api)
    register(api, newer, clock, scenario="simple")  # 简易程序: 当场处罚 and its delivery, then 备案 within 3 WD
    for bpmn_id, scenario in (("onsite_penalty", "simple"), ("deliver_onsite_decision", "simple")):
        task = ready(api, newer["id"], bpmn_id)
        response = api("li.ming").post(f"/tasks/{task['id']}/complete", scenario_step(scenario, bpmn_id,
                                                                                       clock().date()))
        assert response.status_code == 200, response.get_json()
    untimed = start(api)
    mine = api("li.ming").get("/tasks").get_json()
    assert [(t["case_id"], t["bpmn_id"]) for t in mine] == [
        (newer["id"], "record_onsite_case"), (older["id"], "verify_source"), (untimed["id"], "register_source")]
    assert mine[0]["due"] < mine[1]["due"] and mine[2]["due"] is None
    assert mine[0]["case_no"] == newer["case_no"] and mine[0]["remaining"] == 3
    assert [t["case_id"] for t in api("li.ming").get("/tasks?limit=1").get_json()] == [newer["id"]]
    assert api("chen.jing").get("/tasks").get_json() == []  # a reviewer has none of these
    assert_error(api("li.ming").get("/tasks?limit=501"), 400, "limit")


def test_the_case_list_filters_and_pages(api, clock):
    first, second = start(api), start(api)
    register(api, first, clock)
    listed = api("li.ming").get("/cases?limit=1")
    assert listed.headers["X-Total-Count"] == "2" and len(listed.get_json()) == 1
    assert [c["id"] for c in api("li.ming").get("/cases?q=某某食品").get_json()] == [first["id"]]
    assert {c["id"] for c in api("li.ming").get("/cases?status=open&offset=0").get_json()} == {first["id"], second["id"]}
    assert api("li.ming").get("/cases?status=closed").get_json() == []
    assert api("zhao.lei").get("/cases").get_json() == []  # another agency sees none of them
    assert_error(api("li.ming").get("/cases?status=archived"), 400, "status")
    assert_error(api("li.ming").get("/cases?offset=-1"), 400, "offset")
    assert api("li.ming").get("/cases?q=%00").status_code == 200


# ------------------------------------------------------------------ permissions
def test_another_agency_gets_403_for_the_case_its_documents_and_its_tasks(api, clock):
    case = start(api)
    done = register(api, case, clock)
    document_id, task_id = done["documents"][0]["id"], done["tasks"][0]["id"]
    stranger = api("zhao.lei")  # handler, reviewer and head — of agency Y
    for response in (stranger.get(f"/cases/{case['id']}"), stranger.get(f"/cases/{case['id']}/documents"),
                     stranger.get(f"/cases/{case['id']}/audit"), stranger.get(f"/documents/{document_id}"),
                     stranger.get(f"/tasks/{task_id}"),
                     stranger.post(f"/cases/{case['id']}/events/extension_requested", {})):
        assert_error(response, 403, "其他执法机关")
    data = scenario_step("standard", "verify_source", clock().date())
    assert_error(stranger.post(f"/tasks/{task_id}/complete", data), 403, "其他执法机关")
    assert ready(api, case["id"], "verify_source")["id"] == task_id  # still there, untouched


def test_a_reviewer_cannot_complete_a_handler_task(api, clock):
    case = start(api)
    task_id = case["tasks"][0]["id"]
    body = assert_error(api("chen.jing").post(f"/tasks/{task_id}/complete",
                                              scenario_step("standard", "register_source", clock().date())), 403)
    assert "承办人" in body["error"] and "案件来源登记" in body["error"]
    assert_error(api("chen.jing").get(f"/tasks/{task_id}"), 403, "承办人")


def test_unknown_cases_tasks_documents_and_events_are_404(api):
    case = start(api)
    me = api("li.ming")
    for path, words in ((f"/cases/{case['id'] + 1000}", "案件不存在"), ("/cases/99999999999999999999", "案件不存在"),
                        ("/tasks/00000000-0000-0000-0000-000000000000", "任务不存在"), ("/tasks/..%00x", "任务"),
                        ("/documents/12345", "文书不存在"), ("/documents/99999999999999999999", "文书不存在"),
                        (f"/cases/{case['id'] + 1000}/audit/verify", "案件不存在")):
        assert_error(me.get(path), 404, words)
    assert_error(me.post(f"/cases/{case['id']}/events/no_such_event", {}), 404, "no_such_event")
    assert_error(me.get("/no-such-endpoint"), 404)


# ------------------------------------------------------------------ bad input
def test_malformed_json_and_non_object_bodies_are_400(api):
    case = start(api)
    task_id = case["tasks"][0]["id"]
    me = api("li.ming")
    for raw in (b"{not json", b'{"party": ', b"\xff\xfe", b'{"a": NaN}', b"[" * 100000):
        response = me.post(f"/tasks/{task_id}/complete", data=raw, content_type="application/json")
        assert_error(response, 400, "请求体必须是 JSON 对象")
    for value in ([1, 2], "text", 3, None):
        response = me.post(f"/tasks/{task_id}/complete", data=json.dumps(value),
                           content_type="application/json")
        assert_error(response, 400, "请求体必须是 JSON 对象")
    assert_error(me.post("/cases", data=b"procedure=penalty", content_type="application/x-www-form-urlencoded"),
                 400, "请求体必须是 JSON 对象")
    assert ready(api, case["id"], "register_source")["id"] == task_id  # nothing happened


def test_a_missing_party_name_is_a_400_naming_the_field(api, clock):
    case = start(api)
    data = scenario_step("standard", "register_source", clock().date())
    del data["party"]["name"]
    body = assert_error(api("li.ming").post(f"/tasks/{case['tasks'][0]['id']}/complete", data), 400, "表单填写有误")
    problem = next(e for e in body["errors"] if e["field"] == "party.name")
    assert (problem["label"], problem["message"]) == ("当事人／姓名或名称", "必须填写")
    data["party"]["name"], data["discovered_on"] = "某某公司", 20260302  # a wrong type is a form error too
    body = assert_error(api("li.ming").post(f"/tasks/{case['tasks'][0]['id']}/complete", data), 400)
    assert [e["field"] for e in body["errors"]] == ["discovered_on"]


def test_control_characters_deep_nesting_and_odd_numbers_are_400_not_500(api, clock):
    case = start(api)
    task_id = case["tasks"][0]["id"]
    me = api("li.ming")
    data = scenario_step("standard", "register_source", clock().date())
    data["party"]["name"] = "某某\x00公司"  # PostgreSQL text cannot hold it; a .docx cannot either
    body = assert_error(me.post(f"/tasks/{task_id}/complete", data), 400, "控制字符")
    assert body["errors"][0]["field"] == "party.name" and "当事人／姓名或名称" in body["error"]
    deep = {"party": {}}
    node = deep["party"]
    for _ in range(900):
        node["x"] = {}
        node = node["x"]
    assert me.post(f"/tasks/{task_id}/complete", deep).status_code == 400
    for query in ("limit=²", "limit=" + "9" * 5000, "limit=1.5", "limit=0"):
        assert_error(me.get(f"/cases?{query}"), 400, "limit")
    assert ready(api, case["id"], "register_source")["id"] == task_id


def test_completing_the_same_task_twice_is_409(api, clock):
    case = start(api)
    task_id = case["tasks"][0]["id"]
    register(api, case, clock)
    again = api("li.ming").post(f"/tasks/{task_id}/complete", scenario_step("standard", "register_source",
                                                                           clock().date()))
    assert_error(again, 409, "已经办理完毕")
    assert_error(api("li.ming").post("/tasks/never-a-task/complete", {}), 409, "不能重复提交")
    assert_error(api("li.ming").get(f"/tasks/{task_id}"), 404, "任务不存在")
    audit = api("li.ming").get(f"/cases/{case['id']}/audit").get_json()
    assert [e["step"] for e in audit if e["kind"] == "task_completed"] == ["register_source"]


def test_an_event_the_case_is_not_waiting_for_is_409(api):
    case = start(api)  # not yet filed: no 延长办案期限 before 立案
    body = assert_error(api("li.ming").post(f"/cases/{case['id']}/events/extension_requested", {}), 409)
    assert "申请延长办案期限" in body["error"]
    assert_error(api("chen.jing").post(f"/cases/{case['id']}/events/extension_requested", {}), 403, "承办人")


def test_a_filed_case_takes_an_extension_request_as_an_event(api, clock):
    case = start(api)
    register(api, case, clock)
    for bpmn_id, username in (("verify_source", "li.ming"), ("approve_filing", "wang.jianguo")):
        task = ready(api, case["id"], bpmn_id, username)
        response = api(username).post(f"/tasks/{task['id']}/complete",
                                      scenario_step("standard", bpmn_id, clock().date()))
        assert response.status_code == 200, response.get_json()
    waiting = api("li.ming").get(f"/cases/{case['id']}").get_json()["available_events"]
    assert [(e["name"], e["title"], e["role"]) for e in waiting] == [("extension_requested", "申请延长办案期限", "handler")]
    path = f"/cases/{case['id']}/events/extension_requested"
    body = assert_error(api("li.ming").post(path, {"reason": "短", "period": "30日"}), 400, "延期理由")
    assert [e["field"] for e in body["errors"]] == ["reason"]
    response = api("li.ming").post(path, {"reason": "案情复杂，需要补充检验", "period": "30日"})
    assert response.status_code == 200, response.get_json()
    assert "approve_extension" in [t["bpmn_id"] for t in response.get_json()["tasks"]]
    assert_error(api("li.ming").post(path, {"reason": "案情复杂，需要补充检验", "period": "30日"}), 409, "已经提出过")


def test_an_oversized_body_is_413_json(app, api):
    case = start(api)
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    big = b'{"x": "' + b"a" * (1024 * 1024 + 10) + b'"}'
    response = api("li.ming").post(f"/tasks/{case['tasks'][0]['id']}/complete", data=big,
                                   content_type="application/json")
    assert_error(response, 413, "1 MB")


# ------------------------------------------------------------------ documents and audit
def test_a_document_downloads_as_docx_and_the_download_is_recorded(api, clock):
    case = start(api)
    doc = register(api, case, clock)["documents"][0]
    response = api("chen.jing").get(f"/documents/{doc['id']}")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert response.mimetype.endswith("wordprocessingml.document")
    audit = api("li.ming").get(f"/cases/{case['id']}/audit").get_json()
    views = [e for e in audit if e["kind"] == "viewed"]
    assert views[-1]["actor"] == "陈静" and views[-1]["data"]["document_id"] == doc["id"]
    assert_error(api("chen.jing").get(f"/documents/{doc['id']}?format=odt"), 400, "format")
    report = api("li.ming").get(f"/cases/{case['id']}/audit/verify").get_json()
    assert report == {"ok": True, "events": len(audit), "problems": []}


def test_a_pdf_without_libreoffice_is_a_503_with_the_reason(api, clock, monkeypatch):
    case = start(api)
    doc = register(api, case, clock)["documents"][0]
    monkeypatch.setenv("ENFORCEFLOW_SOFFICE", "no-such-soffice-here")
    assert_error(api("li.ming").get(f"/documents/{doc['id']}?format=pdf"), 503, "LibreOffice")


@pytest.mark.skipif(not pdf.is_available(), reason="LibreOffice is not installed")
def test_a_document_downloads_as_pdf_and_the_download_is_recorded(api, clock):
    case = start(api)
    doc = register(api, case, clock)["documents"][0]
    response = api("li.ming").fetch(doc["urls"]["pdf"])
    assert response.status_code == 200 and response.data[:5] == b"%PDF-", response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf" and ".pdf" in response.headers["Content-Disposition"]
    audit = api("li.ming").get(f"/cases/{case['id']}/audit").get_json()
    assert [e["data"]["what"] for e in audit if e["kind"] == "viewed"] == ["API 下载文书（pdf）"]


def test_progress_names_the_ready_element(api):
    case = start(api)
    progress = api("li.ming").get(f"/cases/{case['id']}/progress").get_json()
    assert progress["process_id"] == "penalty" and "register_source" in progress["ready"]
    assert progress["bpmn_xml"].startswith("<?xml")


# ------------------------------------------------------------------ the OpenAPI document
OPENAPI_SHAPE = {
    "type": "object", "required": ["openapi", "info", "paths", "components"],
    "properties": {
        "openapi": {"const": "3.1.0"},
        "info": {"type": "object", "required": ["title", "version"]},
        "paths": {"type": "object", "minProperties": 1, "additionalProperties": {
            "type": "object", "minProperties": 1,
            "propertyNames": {"enum": ["get", "post", "put", "patch", "delete", "parameters"]},
            "additionalProperties": {"type": "object", "required": ["summary", "responses"], "properties": {
                "summary": {"type": "string", "pattern": "[\u4e00-\u9fff]"},
                "responses": {"type": "object", "minProperties": 1,
                              "propertyNames": {"pattern": "^[1-5][0-9][0-9]$"}}}}}},
        "components": {"type": "object", "required": ["securitySchemes", "schemas"], "properties": {
            "securitySchemes": {"type": "object", "properties": {"bearer": {
                "type": "object", "required": ["type", "scheme"],
                "properties": {"type": {"const": "http"}, "scheme": {"const": "bearer"}}}}, "required": ["bearer"]},
            "schemas": {"type": "object", "required": ["Error"]}}},
    },
}


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_the_openapi_document_describes_every_route_and_every_ref_resolves(app):
    response = app.test_client().get(f"{V1}/openapi.json")  # no token needed
    assert response.status_code == 200
    spec = response.get_json()
    jsonschema.validate(spec, OPENAPI_SHAPE)
    for ref in set(_refs(spec)):
        assert ref.startswith("#/"), ref
        node = spec
        for part in ref[2:].split("/"):
            assert part in node, f"{ref} does not resolve"
            node = node[part]
    for schema in spec["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)
    routes = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len(V1):]), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith(V1 + "/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops if method != "parameters"}
    assert routes == documented
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            params = {p["name"] if "name" in p else spec["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]["name"]
                      for p in op.get("parameters", [])}
            assert set(re.findall(r"{(\w+)}", path)) <= params, f"{method.upper()} {path} leaves a path parameter out"
            if path != "/openapi.json":
                assert "401" in op["responses"], f"{method.upper()} {path} needs a token"
