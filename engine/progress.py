"""Where a case stands, element by element of its main BPMN diagram: completed, ready (current) or waiting."""

from __future__ import annotations

from collections.abc import Iterator

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.util.task import TaskState

from engine.catalog import Procedure

COMPLETED, READY, WAITING = "completed", "ready", "waiting"
_STATES = {TaskState.COMPLETED: COMPLETED, TaskState.READY: READY, TaskState.WAITING: WAITING}
_RANK = {COMPLETED: 1, WAITING: 2, READY: 3}  # an element done once and active again counts as active


def progress_of(workflow: BpmnWorkflow, procedure: Procedure) -> dict:
    """Ids of the main diagram's elements that are completed, ready or waiting; a call activity stands for its inside."""
    states: dict[str, str] = {}
    ready_inside: set = set()  # call activity tasks with a ready task somewhere inside
    started_calls = []
    for task in _all_tasks(workflow):
        anchor = _drawn_as(task, workflow)
        if anchor is not task:
            if task.state == TaskState.READY:
                ready_inside.add(anchor.id)
        elif task.state == TaskState.STARTED and isinstance(task.task_spec, CallActivity):
            started_calls.append(task)
        elif task.state in _STATES and task.task_spec.bpmn_id:  # Spiff's own Start/End/Root specs have no bpmn_id
            _mark(states, task.task_spec.bpmn_id, _STATES[task.state])
    for task in started_calls:  # an embedded subprocess in progress is left unmarked: its inside is drawn
        _mark(states, task.task_spec.bpmn_id, READY if task.id in ready_inside else WAITING)
    out = {"process_id": procedure.spec.name, COMPLETED: [], READY: [], WAITING: []}
    for bpmn_id, state in states.items():
        out[state].append(bpmn_id)
    return out


def _all_tasks(workflow: BpmnWorkflow) -> Iterator:
    """Every task of the instance, including those of finished and unfinished subprocesses."""
    for wf in [workflow, *workflow.subprocesses.values()]:
        yield from wf.tasks.values()


def _drawn_as(task, top: BpmnWorkflow):
    """The task whose element the main diagram shows: the outermost call activity running it, else the task itself.

    Embedded subprocesses are drawn inside the main diagram, so their tasks stand for themselves.
    """
    anchor, wf = task, task.workflow
    while wf is not top and wf.parent_task_id is not None:
        parent = top.get_task_from_id(wf.parent_task_id)
        if parent is None:
            break
        if isinstance(parent.task_spec, CallActivity):
            anchor = parent
        wf = parent.workflow
    return anchor


def _mark(states: dict[str, str], bpmn_id: str, state: str) -> None:
    if _RANK[state] > _RANK.get(states.get(bpmn_id, ""), 0):
        states[bpmn_id] = state
