"""The whole 听证 scenario of the penalty procedure, driven only through /api/v1 by a handler, a reviewer and a head."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from engine.demo import load_scenario, substitute
from engine.models import User
from web import accounts
from web.extensions import db

V1 = "/api/v1"
PEOPLE_BY_ROLE = {"handler": "li.ming", "reviewer": "chen.jing", "head": "wang.jianguo"}


@pytest.fixture
def headers(app, people):
    """{role: Authorization header} for the three people who work the case."""
    out = {}
    with app.app_context():
        for role, username in PEOPLE_BY_ROLE.items():
            _token, secret = accounts.issue_token(db.session, db.session.get(User, people[username]), "听证场景")
            out[role] = {"Authorization": f"Bearer {secret}"}
        db.session.commit()
    return out


def run_step(client, headers, clock, case_id: int, number: int, step: dict) -> None:
    """One scenario step: move the clock, or complete the named ready task as the person of its role."""
    if "advance" in step:
        clock.advance(step["advance"])
    else:
        case = client.get(f"{V1}/cases/{case_id}", headers=headers["handler"]).get_json()
        task = next((t for t in case["tasks"] if t["bpmn_id"] == step["task"]), None)
        assert task is not None, f"step {number}: {step['task']} is not ready ({[t['bpmn_id'] for t in case['tasks']]})"
        response = client.post(f"{V1}/tasks/{task['id']}/complete", headers=headers[task["role"]],
                               json=substitute(step.get("data", {}), clock().date()))
        assert response.status_code == 200, (number, step["task"], response.get_json())
    clock.tick()


def test_the_hearing_scenario_runs_end_to_end_through_the_api(app, headers, clock):
    steps = load_scenario("penalty", "hearing")["steps"]
    # 听证 needs no timer and no special branch; if the scenario gains one, run_step must learn to fire it
    # (web.scheduler.tick after moving the clock) or to raise it (POST /cases/{id}/events/{name}).
    assert not any(s.get("advance_to_timer") or "event" in s for s in steps)
    client = app.test_client()
    response = client.post(f"{V1}/cases", headers=headers["handler"], json={"procedure": "penalty"})
    assert response.status_code == 201, response.get_json()
    case_id = response.get_json()["id"]
    for number, step in enumerate(steps, start=1):
        run_step(client, headers, clock, case_id, number, step)

    case = client.get(f"{V1}/cases/{case_id}", headers=headers["head"]).get_json()
    assert case["status"] == "closed" and case["closed_at"] and case["tasks"] == []
    assert case["available_events"] == []
    assert all(d["status"] != "open" for d in case["deadlines"])
    decision = next(d for d in case["documents"] if d["title"] == "行政处罚决定书")
    assert decision["doc_no"] and "罚" in decision["doc_no"] and decision["superseded"] is False
    assert [d["id"] for d in client.get(f"{V1}/cases/{case_id}/documents", headers=headers["reviewer"]).get_json()] \
        == [d["id"] for d in case["documents"]]

    download = client.get(decision["urls"]["docx"], headers=headers["reviewer"])
    assert download.status_code == 200 and download.data[:2] == b"PK"
    assert quote(f"{decision['doc_no']}-行政处罚决定书.docx") in download.headers["Content-Disposition"]

    audit = client.get(f"{V1}/cases/{case_id}/audit", headers=headers["handler"]).get_json()
    viewed = [e for e in audit if e["kind"] == "viewed"]
    assert [(e["actor"], e["data"]["document_id"]) for e in viewed] == [("陈静", decision["id"])]
    assert {e["role"] for e in audit if e["kind"] == "task_completed"} == {"handler", "reviewer", "head"}
    report = client.get(f"{V1}/cases/{case_id}/audit/verify", headers=headers["handler"]).get_json()
    assert report == {"ok": True, "events": len(audit), "problems": []}

    # a closed case takes no more submissions
    done = client.post(f"{V1}/cases/{case_id}/events/extension_requested", headers=headers["handler"], json={})
    assert done.status_code == 409
    listed = client.get(f"{V1}/cases?status=closed", headers=headers["handler"]).get_json()
    assert [c["id"] for c in listed] == [case_id]
