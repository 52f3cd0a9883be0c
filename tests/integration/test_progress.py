"""The case diagram's marks: what is done, what is to do now and what the case waits for (real penalty procedure)."""

from __future__ import annotations

import shutil
from datetime import date
from types import SimpleNamespace

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser import SpiffBpmnParser

from engine.catalog import Catalog
from engine.demo import SimulatedClock, drive, load_scenario
from engine.errors import NotFound
from engine.progress import progress_of
from engine.runtime import Actor, Runtime

CATALOG = Catalog()
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"


def drawn_ids(bpmn_xml: str) -> set[str]:
    """Ids of the elements that have a shape in the diagram."""
    root = etree.fromstring(bpmn_xml.encode())
    return {shape.get("bpmnElement") for shape in root.iter(f"{BPMNDI}BPMNShape")}


def assert_consistent(progress: dict) -> None:
    """Every mark names an element drawn in the returned diagram, and no element carries two marks."""
    marks = progress["completed"] + progress["ready"] + progress["waiting"]
    assert len(marks) == len(set(marks)), marks
    assert set(marks) <= drawn_ids(progress["bpmn_xml"]), set(marks) - drawn_ids(progress["bpmn_xml"])


@pytest.fixture
def hearing_case(session, agency):
    """A penalty case and a way to run the `hearing` demo scenario up to a given step."""
    clock = SimulatedClock(date(2026, 3, 2))
    runtime = Runtime(CATALOG, clock=clock)
    case = runtime.start_case(session, "penalty", agency.id, Actor("李明", "handler", agency.id))
    steps = load_scenario("penalty", "hearing")["steps"]
    done = [0]

    def run_until(task: str, occurrence: int = 1) -> dict:
        """Run the scenario until `task` (its n-th occurrence) is the next step; return the case's progress."""
        stop = [i for i, step in enumerate(steps) if step.get("task") == task][occurrence - 1]
        drive(runtime, session, case, steps[done[0]:stop], clock, agency.id)
        done[0] = stop
        progress = runtime.case_progress(session, case.id)
        assert_consistent(progress)
        return progress

    return SimpleNamespace(runtime=runtime, case=case, run_until=run_until)


def test_a_new_case_shows_registration_as_the_only_current_step(hearing_case):
    progress = hearing_case.run_until("register_source")
    assert progress["process_id"] == "penalty"
    assert progress["ready"] == ["register_source"]
    assert progress["completed"] == ["start_penalty"]  # only the start event has happened
    assert progress["waiting"] == []
    assert '<bpmn:process id="penalty"' in progress["bpmn_xml"]


def test_the_diagram_follows_the_case_through_review_hearing_and_payment(hearing_case):
    progress = hearing_case.run_until("approve_filing")
    assert {"register_source", "verify_source"} <= set(progress["completed"])
    assert progress["ready"] == ["approve_filing"]

    # Back at 调查 after an inspection: the loop's task is current again, not shown as done.
    progress = hearing_case.run_until("investigate", occurrence=2)
    assert "investigate" in progress["ready"] and "investigate" not in progress["completed"]
    assert "onsite_inspection" in progress["completed"]
    assert "extension_requested" in progress["waiting"]  # the 延期 message can arrive while the case is handled

    # 法制审核 runs in the shared legal_review.bpmn: the main diagram marks its call activity, not review_case.
    progress = hearing_case.run_until("review_case")
    assert "legal_review_call" in progress["ready"]
    assert "review_case" not in progress["ready"] + progress["completed"]
    assert "conclude_investigation" in progress["completed"]

    progress = hearing_case.run_until("notify_party")
    assert "legal_review_call" in progress["completed"] and progress["ready"] == ["notify_party"]

    progress = hearing_case.run_until("hold_hearing")
    assert "hearing_call" in progress["ready"]
    assert "hold_hearing" not in progress["ready"]

    # Paying: the fine's payment deadline timer waits on its boundary event while the payment is recorded.
    progress = hearing_case.run_until("record_payment")
    assert progress["ready"] == ["record_payment"]
    assert "payment_overdue" in progress["waiting"]
    assert {"hearing_call", "case_handling", "issue_decision", "serve_decision"} <= set(progress["completed"])
    assert "extension_requested" not in progress["waiting"]  # case handling is over

    progress = hearing_case.run_until("record_payment", occurrence=2)  # after an approved installment plan
    assert "record_payment" in progress["ready"] and "record_payment" not in progress["completed"]
    assert "approve_installment" in progress["completed"]


def test_a_case_keeps_showing_the_diagram_of_its_own_version_after_the_file_changes(session, agency, tmp_path):
    workflows = tmp_path / "workflows"
    shutil.copytree(CATALOG.workflows, workflows)
    runtime = Runtime(Catalog(workflows))
    case = runtime.start_case(session, "penalty", agency.id, Actor("李明", "handler", agency.id))
    shown = runtime.case_progress(session, case.id)
    assert shown["ready"] == ["register_source"]
    main = workflows / "penalty" / "penalty.bpmn"
    main.write_text(main.read_text("utf-8") + "<!-- 新版本 -->\n", "utf-8")
    again = runtime.case_progress(session, case.id)
    assert again["bpmn_xml"] == shown["bpmn_xml"] and "新版本" not in again["bpmn_xml"]


def test_progress_of_an_unknown_case_is_not_found(session):
    with pytest.raises(NotFound, match="案件不存在"):
        Runtime(CATALOG).case_progress(session, 4242)


CALL_WITH_TIMER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="t">
  <bpmn:process id="main" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:callActivity id="call_wait" calledElement="waiter"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call_wait"/>
    <bpmn:sequenceFlow id="f2" sourceRef="call_wait" targetRef="end"/>
  </bpmn:process>
  <bpmn:process id="waiter" isExecutable="true">
    <bpmn:startEvent id="w_start"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="w_timer"><bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>'P7D'</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="w_end"><bpmn:incoming>g2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="g1" sourceRef="w_start" targetRef="w_timer"/>
    <bpmn:sequenceFlow id="g2" sourceRef="w_timer" targetRef="w_end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_call_activity_whose_inside_waits_for_a_timer_is_shown_waiting():
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(etree.fromstring(CALL_WITH_TIMER.encode()), filename="call.bpmn")
    spec = parser.get_spec("main")
    wf = BpmnWorkflow(spec, parser.get_subprocess_specs("main"))
    wf.do_engine_steps()
    progress = progress_of(wf, SimpleNamespace(spec=spec))
    assert progress == {"process_id": "main", "completed": ["start"], "ready": [], "waiting": ["call_wait"]}
