"""Workflow serialization: the spec is stored once per procedure version, a case stores only its state."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG


class SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    """Like Spiff's converter, but leaves the (shared, immutable) spec out of a case's state."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        dct = dict(dct, spec=None, subprocess_specs=None)
        dct.pop("spec")
        dct.pop("subprocess_specs")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid(), workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid()(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _uuid():
    from uuid import UUID

    return UUID


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpecFreeWorkflowConverter
    registry = BpmnWorkflowSerializer.configure(config)
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda d: Decimal(d["value"]), "Decimal")
    registry.register(date, lambda v: {"value": v.isoformat()}, lambda d: date.fromisoformat(d["value"]), "date")
    return BpmnWorkflowSerializer(registry)


SERIALIZER = _make_serializer()
SERIALIZER_VERSION = SERIALIZER.VERSION


def dump_specs(spec, subprocess_specs: dict) -> str:
    """The parsed spec and its call activities as JSON (stored once per procedure version)."""
    registry = SERIALIZER.registry
    return json.dumps(
        {"spec": registry.convert(spec), "subprocess_specs": {k: registry.convert(v) for k, v in subprocess_specs.items()}},
        ensure_ascii=False,
    )


def load_specs(text: str):
    data = json.loads(text)
    registry = SERIALIZER.registry
    return registry.restore(data["spec"]), {k: registry.restore(v) for k, v in data["subprocess_specs"].items()}


def dump_workflow(workflow: BpmnWorkflow) -> str:
    """A case's state without the spec (task order kept: Spiff restores parents before children)."""
    registry = SERIALIZER.registry
    registry._encoder_mode = True  # task-data deltas are converted by Spiff's JSON encoder, as in serialize_json
    try:
        return json.dumps(SERIALIZER.to_dict(workflow), cls=SERIALIZER._encoder_cls, ensure_ascii=False)
    finally:
        registry._encoder_mode = False


def load_workflow(state: str, spec, subprocess_specs: dict, script_engine) -> BpmnWorkflow:
    workflow = SERIALIZER.from_dict(json.loads(state), spec=spec, subprocess_specs=subprocess_specs)
    workflow.script_engine = script_engine
    return workflow
