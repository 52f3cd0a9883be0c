"""Statutory rules of the penalty procedure: refusals a handler would meet, and what they leave behind (nothing).

Each test drives a shipped demo scenario up to the step under test, then submits what the law forbids. The engine
must refuse with a Chinese message naming the rule, and the case must be exactly as it was before the attempt.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from engine.casework import CaseWork
from engine.catalog import Catalog
from engine.db import create_schema, make_engine, make_session_factory
from engine.demo import ACTORS, SimulatedClock, drive, load_scenario, seed_agency, substitute
from engine.errors import FormErrors, NotReadyError, PermissionDenied, ValidationError
from engine.models import AuditEvent, Case, Deadline, Document, OpenTask
from engine.runtime import Actor, Runtime

CATALOG = Catalog()


@dataclass
class Harness:
    runtime: Runtime
    session: object
    case: Case
    clock: SimulatedClock
    agency_id: int
    steps: list

    def ready(self) -> list[str]:
        return sorted(t.bpmn_id for t in self.runtime.ready_tasks(self.session, case_id=self.case.id))

    def task(self, bpmn_id: str):
        return next(t for t in self.runtime.ready_tasks(self.session, case_id=self.case.id) if t.bpmn_id == bpmn_id)

    def data(self, bpmn_id: str, occurrence: int = 1) -> dict:
        """The scenario's submission for a task, with its date tokens resolved against the current clock."""
        found = [s for s in self.steps if s.get("task") == bpmn_id][occurrence - 1]
        return substitute(copy.deepcopy(found.get("data", {})), self.clock.moment.date())

    def complete(self, bpmn_id: str, data: dict, actor: Actor | None = None):
        task = self.task(bpmn_id)
        actor = actor or ACTORS[task.role]
        return self.runtime.complete_task(self.session, task.id, data,
                                          Actor(actor.name, actor.role, self.agency_id))

    def snapshot(self) -> tuple:
        s, cid = self.session, self.case.id
        s.expire_all()
        case = s.get(Case, cid)
        return (
            case.state, case.version, case.status,
            s.scalar(select(func.count()).select_from(Document).where(Document.case_id == cid)),
            s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.case_id == cid)),
            sorted((d.key, d.status, d.due) for d in s.scalars(select(Deadline).where(Deadline.case_id == cid))),
            sorted(t.id for t in s.scalars(select(OpenTask).where(OpenTask.case_id == cid))),
        )


@pytest.fixture
def until(tmp_path):
    """until(scenario, task, occurrence=1): a case driven up to (not including) that step of the scenario."""
    opened = []
    counter = iter(range(100))

    def make(scenario: str, stop_task: str | None = None, occurrence: int = 1, stop_event: str | None = None) -> Harness:
        steps = load_scenario("penalty", scenario)["steps"]
        seen, index = 0, len(steps)
        for i, step in enumerate(steps):
            if (stop_task and step.get("task") == stop_task) or (stop_event and step.get("event") == stop_event):
                seen += 1
                if seen == occurrence:
                    index = i
                    break
        assert index < len(steps), f"{scenario} has no step {stop_task or stop_event} #{occurrence}"
        engine = make_engine(f"sqlite:///{tmp_path / f'rules{next(counter)}.sqlite3'}")
        create_schema(engine)
        session = make_session_factory(engine)()
        opened.append((session, engine))
        runtime = Runtime(CATALOG)
        clock = SimulatedClock(date(2026, 3, 2))
        runtime.clock = clock
        agency = seed_agency(session)
        case = runtime.start_case(session, "penalty", agency.id, ACTORS["handler"])
        drive(runtime, session, case, steps[:index], clock, agency.id)
        return Harness(runtime, session, case, clock, agency.id, steps)

    yield make
    for session, engine in opened:
        session.close()
        engine.dispose()


def refused(h: Harness, exc_type, fragment: str, action) -> None:
    """`action` raises `exc_type` with `fragment` in its message and changes nothing in the case."""
    before = h.snapshot()
    with pytest.raises(exc_type) as info:
        action()
    h.session.rollback()
    assert fragment in str(info.value.message), info.value.message
    assert h.snapshot() == before


# --------------------------------------------------------------------------------------------------- 听证


def test_hearing_notice_must_reach_the_party_seven_workdays_before(until):
    h = until("hearing", "schedule_hearing")
    data = h.data("schedule_hearing")
    data["hearing"]["date"] = substitute("$today+5WD", h.clock.moment.date())
    refused(h, ValidationError, "七个工作日前", lambda: h.complete("schedule_hearing", data))
    docs = h.complete("schedule_hearing", h.data("schedule_hearing"))
    assert [d.title for d in docs] == ["行政处罚听证通知书"]
    assert docs[0].doc_no.startswith("X市监听通〔2026〕")


def test_an_investigator_cannot_preside_over_the_hearing(until):
    h = until("hearing", "schedule_hearing")
    data = h.data("schedule_hearing")
    data["hearing"]["presiding_officer"] = "李明"  # one of the case's investigators
    refused(h, ValidationError, "听证主持人不得由本案调查人员担任", lambda: h.complete("schedule_hearing", data))


def test_a_hearing_request_after_five_workdays_is_refused(until):
    h = until("hearing", "receive_statements")
    data = h.data("receive_statements")
    data["hearing_requested_on"] = substitute("$today+6WD", h.clock.moment.date())
    refused(h, ValidationError, "五个工作日", lambda: h.complete("receive_statements", data))


def test_no_heavier_penalty_because_the_party_argued(until):
    h = until("standard", "review_statements")
    data = h.data("review_statements") | {"fine_amount": "999999"}
    refused(h, ValidationError, "不得因当事人陈述申辩而给予更重的处罚", lambda: h.complete("review_statements", data))


# --------------------------------------------------------------------------------------------------- 表单与权限


def test_form_errors_are_field_level_chinese_and_change_nothing(until):
    h = until("standard", "serve_decision")
    refused(h, FormErrors, "送达", lambda: h.complete("serve_decision", {"service": {"method": "飞鸽传书"}}))
    with pytest.raises(FormErrors) as info:
        h.complete("serve_decision", {"service": {"method": "飞鸽传书", "date": "2026-02-30"}})
    fields = {e["field"]: e["message"] for e in info.value.errors}
    assert "必须是以下之一" in fields["service.method"]
    assert "有效日期" in fields["service.date"]


def test_a_task_of_another_role_or_agency_is_refused(until):
    h = until("standard", "approve_filing")
    refused(h, PermissionDenied, "立案审批", lambda: h.complete("approve_filing", h.data("approve_filing"),
                                                                 actor=ACTORS["handler"]))
    stranger = Actor("外局负责人", "head", h.agency_id + 1)
    task = h.task("approve_filing")
    refused(h, PermissionDenied, "权限", lambda: h.runtime.complete_task(h.session, task.id,
                                                                       h.data("approve_filing"), stranger))


def test_the_same_task_cannot_be_completed_twice(until):
    h = until("standard", "approve_filing")
    task = h.task("approve_filing")
    head = Actor("王建国", "head", h.agency_id)
    h.runtime.complete_task(h.session, task.id, h.data("approve_filing"), head)
    refused(h, NotReadyError, "不能重复提交",
            lambda: h.runtime.complete_task(h.session, task.id, h.data("approve_filing"), head))


# --------------------------------------------------------------------------------------------------- 法制审核


def test_a_returned_review_sends_the_case_back_not_forward(until):
    h = until("review-returned", "handle_review_opinion")
    assert h.ready() == ["handle_review_opinion"]
    assert h.case.status == "open"


def test_no_decision_document_for_a_major_decision_without_a_passed_review(until):
    """The last line of defence: even if a flow reached it, the document gate refuses (处罚法 58)."""
    h = until("review-returned", "handle_review_opinion")
    procedure = h.runtime.procedure_of(h.session, h.case)
    cfg = procedure.element("issue_decision")
    work = CaseWork(h.session, h.case, procedure, ACTORS["handler"], h.clock.moment)
    fake_task = SimpleNamespace(id="gate-test", data={"major_decision": True, "review_passed": False})
    before = h.snapshot()
    with pytest.raises(ValidationError, match="未经法制审核或审核未通过"):
        work.render("penalty_decision", cfg, fake_task)
    h.session.rollback()
    assert h.snapshot() == before


# --------------------------------------------------------------------------------------------------- 延期、中止


def test_extension_request_is_validated_and_cannot_be_repeated(until):
    h = until("suspended", stop_event="extension_requested")
    handler = Actor("李明", "handler", h.agency_id)
    send = h.runtime.send_event
    refused(h, FormErrors, "延期理由", lambda: send(h.session, h.case.id, "extension_requested",
                                                  {"reason": "", "period": "30日"}, handler))
    refused(h, PermissionDenied, "申请延长办案期限",
            lambda: send(h.session, h.case.id, "extension_requested", {"reason": "案情复杂需要延期", "period": "30日"},
                         Actor("陈静", "reviewer", h.agency_id)))
    send(h.session, h.case.id, "extension_requested", {"reason": "案情复杂，需要补充鉴定", "period": "30日"}, handler)
    assert "approve_extension" in h.ready()
    refused(h, NotReadyError, "已经提出过", lambda: send(h.session, h.case.id, "extension_requested",
                                                   {"reason": "再次申请延长期限", "period": "30日"}, handler))


def test_extension_granted_while_suspended_is_added_to_the_time_left(until):
    h = until("suspended", "resume_investigation")
    row = h.session.scalars(select(Deadline).where(Deadline.case_id == h.case.id,
                                                   Deadline.key == "decision_due")).one()
    # 立案 2026-03-03 + 90 日 = 06-01; 检测 03-03..03-19 excluded → 06-17; 中止 on 03-19 leaves 90 日; +30 日 延期.
    assert (row.status, row.remaining) == ("paused", 120)
    h.complete("resume_investigation", h.data("resume_investigation"))
    h.session.refresh(row)
    assert (row.status, row.due) == ("open", date(2026, 8, 7))  # resumed 04-09 + 120 日


# --------------------------------------------------------------------------------------------------- 执行


def test_enforcement_needs_ten_workdays_after_the_reminder(until):
    early = until("overdue-payment", "send_reminder")
    early.complete("send_reminder", early.data("send_reminder"))
    early.clock.advance("5WD")
    refused(early, ValidationError, "十个工作日后",
            lambda: early.complete("record_reminder_result", early.data("record_reminder_result")))


def test_court_enforcement_only_within_its_window(until):
    h = until("overdue-payment", "apply_enforcement")
    row = h.session.scalars(select(Deadline).where(Deadline.case_id == h.case.id,
                                                   Deadline.key == "enforcement_due")).one()
    # served 2026-03-13: 起诉期限 ends 09-13 (a Sunday → 09-14); three months from then → 12-14.
    assert (row.start, row.due, row.status) == (date(2026, 9, 14), date(2026, 12, 14), "open")
    data = h.data("apply_enforcement")
    h.clock.moment = h.clock.moment.replace(month=12, day=15)
    refused(h, ValidationError, "已超过起诉期限届满之日起三个月", lambda: h.complete("apply_enforcement", data))
    h.clock.moment = h.clock.moment.replace(month=9, day=1)
    refused(h, ValidationError, "起诉期限", lambda: h.complete("apply_enforcement", data))
