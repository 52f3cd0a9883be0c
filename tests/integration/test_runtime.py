"""The runtime on a small procedure: forms, documents, 文号, deadlines, timers, refusals and the audit chain."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select, text

from engine import audit, store
from engine.catalog import Catalog
from engine.documents import docx_text
from engine.errors import FormErrors, NotReadyError, PermissionDenied, ValidationError
from engine.models import AuditEvent, Case, Deadline, Document
from engine.runtime import Actor, Runtime
from tests.integration.mini_procedure import write_mini

HANDLER = Actor("李明", "handler")
HEAD = Actor("王建国", "head")
GOOD = {"party": {"name": "某某食品有限公司"}, "fine_amount": "12000", "served_on": "2026-09-12"}


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def runtime(tmp_path):
    root = write_mini(tmp_path / "tree")
    return Runtime(Catalog(root / "workflows", root / "doc_templates"), clock=Clock(datetime(2026, 9, 12, 9)))


def snapshot(session, case_id):
    session.expire_all()
    case = session.get(Case, case_id)
    return (case.version, case.state, session.scalar(select(func.count()).select_from(AuditEvent)),
            session.scalar(select(func.count()).select_from(Document)),
            session.scalar(select(func.count()).select_from(Deadline)))


def test_a_started_case_offers_its_first_task_to_the_lane_role(runtime, session, agency):
    case = runtime.start_case(session, "mini", agency.id, HANDLER)
    tasks = runtime.ready_tasks(session, case_id=case.id)
    assert [(t.bpmn_id, t.name, t.role, t.form) for t in tasks] == [("register", "登记", "handler", "register.json")]
    assert tasks[0].due.isoformat() == "2026-09-18"  # 5 WD after 2026-09-11… counted from the ready day
    assert case.case_no == "X市监案〔2026〕1号"


def test_completion_renders_numbered_documents_and_opens_the_deadline(runtime, session, agency):
    case = runtime.start_case(session, "mini", agency.id, HANDLER)
    task = runtime.ready_tasks(session, case_id=case.id)[0]
    docs = runtime.complete_task(session, task.id, GOOD, HANDLER)
    assert [d.title for d in docs] == ["缴款通知书", "大额告知"]
    text_ = docx_text(docs[0].content)
    assert "X市监缴〔2026〕1号" in text_
    assert "人民币壹万贰仟元整（¥12,000.00）" in text_
    # 15 CD from 2026-09-12 is Sunday 2026-09-27, rolled forward to Monday (民诉 85)
    assert "二〇二六年九月二十八日" in text_
    deadline = session.scalars(select(Deadline)).one()
    assert (deadline.name, deadline.due.isoformat(), deadline.status) == ("罚款缴纳期限", "2026-09-28", "open")
    assert [t.bpmn_id for t in runtime.ready_tasks(session, case_id=case.id)] == ["approve"]


def test_invalid_form_is_refused_field_by_field_and_changes_nothing(runtime, session, agency):
    case = runtime.start_case(session, "mini", agency.id, HANDLER)
    task = runtime.ready_tasks(session, case_id=case.id)[0]
    before = snapshot(session, case.id)
    with pytest.raises(FormErrors) as err:
        runtime.complete_task(session, task.id, {"party": {}, "fine_amount": "12.345", "served_on": "2026-02-30"},
                              HANDLER)
    fields = {e["field"]: (e["label"], e["message"]) for e in err.value.errors}
    assert fields["party.name"] == ("当事人／名称", "必须填写")
    assert fields["fine_amount"][1] == "金额格式不正确，应为数字，最多两位小数"
    assert fields["served_on"][1].startswith("日期格式不正确")
    assert snapshot(session, case.id) == before


def test_cross_field_check_refuses_with_its_message(runtime, session, agency):
    case = runtime.start_case(session, "mini", agency.id, HANDLER)
    task = runtime.ready_tasks(session, case_id=case.id)[0]
    before = snapshot(session, case.id)
    with pytest.raises(ValidationError, match="送达日期不能早于2026年"):
        runtime.complete_task(session, task.id, {**GOOD, "served_on": "2025-12-31"}, HANDLER)
    assert snapshot(session, case.id) == before


def test_a_task_cannot_be_completed_twice_or_by_another_role(runtime, session, agency):
    case = runtime.start_case(session, "mini", agency.id, HANDLER)
    task = runtime.ready_tasks(session, case_id=case.id)[0]
    with pytest.raises(PermissionDenied):
        runtime.complete_task(session, task.id, GOOD, HEAD)
    runtime.complete_task(session, task.id, GOOD, HANDLER)
    after = snapshot(session, case.id)
    with pytest.raises(NotReadyError, match="不能重复提交"):
        runtime.complete_task(session, task.id, GOOD, HANDLER)
    assert snapshot(session, case.id) == after


def test_overdue_timer_fires_only_after_the_deadline(runtime, session, agency):
    case = runtime.start_case(session, "mini", agency.id, HANDLER)
    runtime.complete_task(session, runtime.ready_tasks(session, case_id=case.id)[0].id, GOOD, HANDLER)
    session.refresh(case)
    assert case.next_timer_at == datetime(2026, 9, 29, 0, 0)
    runtime.clock.moment = datetime(2026, 9, 28, 23, 0)
    assert runtime.fire_due_timers(session) == []
    runtime.clock.moment = datetime(2026, 9, 29, 8, 0)
    assert runtime.fire_due_timers(session) == [case.id]
    assert [t.bpmn_id for t in runtime.ready_tasks(session, case_id=case.id)] == ["remind"]
    assert runtime.fire_due_timers(session) == []  # nothing left to fire: firing twice is harmless


def test_finished_case_is_closed_and_its_audit_chain_verifies(runtime, session, agency):
    case = runtime.start_case(session, "mini", agency.id, HANDLER)
    runtime.complete_task(session, runtime.ready_tasks(session, case_id=case.id)[0].id, GOOD, HANDLER)
    runtime.complete_task(session, runtime.ready_tasks(session, case_id=case.id)[0].id, {"approved": True}, HEAD)
    session.refresh(case)
    assert case.status == "closed"
    assert case.title == "某某食品有限公司案"
    report = audit.verify_case(session, case.id)
    assert report.ok and report.events >= 6
    kinds = [e["kind"] for e in audit.event_dicts(session, case.id)]
    assert kinds[0] == "case_started" and kinds[-1] == "case_closed" and "deadline_closed" in kinds


def test_database_refuses_to_edit_or_delete_audit_events_and_documents(runtime, session, agency):
    case = runtime.start_case(session, "mini", agency.id, HANDLER)
    runtime.complete_task(session, runtime.ready_tasks(session, case_id=case.id)[0].id, GOOD, HANDLER)
    for stmt in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events",
                 "UPDATE documents SET doc_no = 'x'", "DELETE FROM documents"):
        with pytest.raises(Exception, match="append-only"):
            session.execute(text(stmt))
        session.rollback()
    assert audit.verify_case(session, case.id).ok


def test_verify_names_the_tampered_event():
    at = datetime(2026, 3, 2, 9)
    events, prev = [], audit.GENESIS
    for seq, data in enumerate(['{"a":1}', '{"b":2}', '{"c":3}'], start=1):
        digest = audit.sha256_text(data)
        h = audit.link_hash(prev, seq, at, "李明", "handler", "task_completed", f"s{seq}", digest)
        events.append({"seq": seq, "at": at.isoformat(), "actor": "李明", "role": "handler", "kind": "task_completed",
                       "step": f"s{seq}", "data": data, "data_digest": digest, "prev_hash": prev, "hash": h})
        prev = h
    assert audit.verify_events(events).ok
    events[1]["data"] = '{"b":3}'
    report = audit.verify_events(events)
    assert not report.ok and "第2条记录" in report.problems[0]


def test_state_round_trips_through_the_serializer_after_each_task(runtime, session, agency):
    case = runtime.start_case(session, "mini", agency.id, HANDLER)
    procedure = runtime.procedure_of(session, case)
    for data, actor in ((GOOD, HANDLER), ({"approved": True}, HEAD)):
        session.refresh(case)
        wf = store.load_workflow(case.state, procedure.spec, procedure.subprocess_specs, runtime.script_engine)
        assert store.dump_workflow(wf) == case.state
        runtime.complete_task(session, runtime.ready_tasks(session, case_id=case.id)[0].id, data, actor)


def test_views_join_the_audit_chain_and_strangers_are_refused(runtime, session, agency):
    case = runtime.start_case(session, "mini", agency.id, HANDLER)
    docs = runtime.complete_task(session, runtime.ready_tasks(session, case_id=case.id)[0].id, GOOD, HANDLER)
    viewer = Actor("陈静", "reviewer", agency.id)
    runtime.record_view(session, case.id, viewer, "document", {"document_id": docs[0].id})
    last = audit.event_dicts(session, case.id)[-1]
    assert (last["kind"], last["actor"], last["role"]) == ("viewed", "陈静", "reviewer")
    assert audit.verify_case(session, case.id).ok
    before = snapshot(session, case.id)
    with pytest.raises(PermissionDenied):
        runtime.record_view(session, case.id, Actor("外局人员", "handler", agency.id + 1), "case")
    assert snapshot(session, case.id) == before
