"""Bare SpiffWorkflow driver for the penalty procedure: no database, no documents, no engine.

Parses workflows/penalty (BPMN + DMN) and the shared call activities with SpiffBpmnParser and its XSD VALIDATOR,
then plays the demo scenarios of workflows/penalty/demo/scenarios.json: every `task` step must name a READY user
task; its data is checked against the task's JSON Schema form (format checks aside), money strings become Decimal,
the `validate` lines of the element must hold, and the task is completed with `set_data(**data); run();
do_engine_steps()`.  What the engine does around a completion is emulated just enough for the model to run:
`opens_deadline` / `extends_deadline` / `pauses_deadline` / `resumes_deadline` / `closes_deadline` with weekday-only
working days (the real engine uses the Chinese holiday calendar), and the `documents` conditions are evaluated.
The clock is simulated; SpiffWorkflow's timer module is given a `datetime` whose now() reads it.

It is also the floor of bench/bench_penalty.py: `load_specs()` once, then `run_scenario(name, specs)`.

    .venv/bin/python bench/bare_spiff.py            # every scenario, OK/FAIL each
    .venv/bin/python bench/bare_spiff.py hearing -v # one scenario, with documents and deadlines
"""

from __future__ import annotations

import calendar
import json
import re
import sys
import time as _time
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import SpiffWorkflow.bpmn.specs.event_definitions.timer as spiff_timer
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

ROOT = Path(__file__).resolve().parent.parent
PROCEDURE = ROOT / "workflows" / "penalty"
SHARED = ROOT / "workflows" / "shared"
CHINA = timezone(timedelta(hours=8))
LANES = {"承办人", "法制审核员", "负责人"}
DEFAULT_START = "2026-03-02"


class ScenarioFailure(Exception):
    """A scenario step did not go as scripted."""


# ------------------------------------------------------------------------------------------------ simulated clock


class SimClock:
    """The simulated case clock (China time)."""

    def __init__(self, start: str) -> None:
        self.now = datetime.combine(date.fromisoformat(start), time(9), CHINA)

    def today(self) -> date:
        return self.now.date()

    def set_date(self, d: date) -> None:
        self.now = datetime.combine(d, time(9), CHINA)


_CLOCK: SimClock | None = None


class _SimDatetimeMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:  # the timer module isinstance-checks plain datetimes
        return isinstance(obj, datetime)


class SimDatetime(datetime, metaclass=_SimDatetimeMeta):
    """`datetime` whose now() is the simulated clock while a scenario runs."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        moment = _CLOCK.now if _CLOCK is not None else datetime.now(CHINA)
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


# ---------------------------------------------------------------------------------------- functions for scripts


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def add_workdays_date(d: date, n: int) -> date:
    """Weekday-only working days (the engine uses the holiday calendar); start day not counted."""
    step = 1 if n >= 0 else -1
    left = abs(n)
    while left:
        d += timedelta(days=step)
        if d.weekday() < 5:
            left -= 1
    return d


def roll_forward(d: date) -> date:
    """A period ending on a day off ends on the next working day (民法典 203); weekends only here."""
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def add_months_date(d: date, n: int) -> date:
    month = d.month - 1 + n
    year, month = d.year + month // 12, month % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def today() -> str:
    return _CLOCK.today().isoformat()


def add_workdays(d, n) -> str:
    return add_workdays_date(_as_date(d), int(n)).isoformat()


def add_days(d, n) -> str:
    return (_as_date(d) + timedelta(days=int(n))).isoformat()


def add_calendar_days(d, n) -> str:
    return roll_forward(_as_date(d) + timedelta(days=int(n))).isoformat()


def add_months(d, n) -> str:
    return roll_forward(add_months_date(_as_date(d), int(n))).isoformat()


def deadline_timer(d) -> str:
    return datetime.combine(_as_date(d) + timedelta(days=1), time(0), CHINA).isoformat()


def late_surcharge(amount, due, on) -> Decimal:
    """加处罚款: 3 % of the fine per day after `due`, capped at the fine (处罚法 72)."""
    amount = Decimal(str(amount))
    days = max((_as_date(on) - _as_date(due)).days, 0)
    return min(amount * Decimal("0.03") * days, amount).quantize(Decimal("0.01"), ROUND_HALF_UP)


SCRIPT_FUNCTIONS = {
    "today": today,
    "add_workdays": add_workdays,
    "add_days": add_days,
    "add_calendar_days": add_calendar_days,
    "add_months": add_months,
    "deadline_timer": deadline_timer,
    "late_surcharge": late_surcharge,
    "Decimal": Decimal,
}

# --------------------------------------------------------------------------------------------------- deadlines

_PERIOD = re.compile(r"^(\d+)(WD|CD|M)$")


def due_after(start: date, period: str) -> date:
    amount, unit = _PERIOD.match(period).groups()
    if unit == "WD":
        return add_workdays_date(start, int(amount))
    if unit == "CD":
        return roll_forward(start + timedelta(days=int(amount)))
    return roll_forward(add_months_date(start, int(amount)))


@dataclass
class Deadline:
    key: str
    name: str
    unit: str
    due: date
    state: str = "open"  # open / paused / met
    remaining: int = 0

    def pause(self, on: date) -> None:
        if self.unit == "WD":
            n, d = 0, on
            while d < self.due:
                d += timedelta(days=1)
                n += d.weekday() < 5
            self.remaining = n
        else:
            self.remaining = max((self.due - on).days, 0)
        self.state = "paused"

    def resume(self, on: date) -> None:
        self.due = due_after(on, f"{self.remaining}{'WD' if self.unit == 'WD' else 'CD'}")
        self.state = "open"


def _lines(value: str | None) -> list[list[str]]:
    return [[p.strip() for p in line.split(" | ")] for line in (value or "").splitlines() if line.strip()]


# ------------------------------------------------------------------------------------------------------ specs


@dataclass
class Specs:
    spec: object
    subprocess_specs: dict
    forms: dict
    registry: Registry
    scenarios: dict
    validators: dict = field(default_factory=dict)

    def validator(self, form: str) -> Draft202012Validator:
        """One validator per form, built on first use (format checks: date; money is checked by its pattern)."""
        if form not in self.validators:
            self.validators[form] = Draft202012Validator(
                self.forms[form], registry=self.registry, format_checker=_FORMATS
            )
        return self.validators[form]


def load_specs(procedure: Path = PROCEDURE, shared: Path = SHARED) -> Specs:
    """Parse the penalty procedure once (BPMN and DMN validated against their XSDs) and load forms and scenarios."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_dmn_files([str(p) for p in sorted(procedure.glob("*.dmn"))])
    parser.add_bpmn_files([str(p) for p in sorted(procedure.glob("*.bpmn")) + sorted(shared.glob("*.bpmn"))])
    manifest = json.loads((procedure / "procedure.json").read_text("utf-8"))
    spec = parser.get_spec(manifest["process"])
    subprocess_specs = parser.get_subprocess_specs(manifest["process"])
    for process in [spec, *subprocess_specs.values()]:
        for ts in process.task_specs.values():
            if not ts.completed_event.is_connected(_dispatch):
                ts.completed_event.connect(_dispatch)
    forms = {p.name: json.loads(p.read_text("utf-8")) for p in sorted((procedure / "forms").glob("*.json"))}
    registry = Registry().with_resources(
        [(name, Resource.from_contents(s, default_specification=DRAFT202012)) for name, s in forms.items()]
    )
    scenarios = json.loads((procedure / "demo" / "scenarios.json").read_text("utf-8"))["scenarios"]
    return Specs(spec, subprocess_specs, forms, registry, scenarios)


# ------------------------------------------------------------------------------------------------------ a run

_RUN: Run | None = None


def _dispatch(workflow, task) -> None:
    if _RUN is not None:
        _RUN.on_complete(task)


@dataclass
class Run:
    name: str
    specs: Specs
    engine: PythonScriptEngine
    deadlines: dict = field(default_factory=dict)
    documents: list = field(default_factory=list)
    completed: list = field(default_factory=list)
    log: list = field(default_factory=list)
    data: dict = field(default_factory=dict)

    # ---- effects of a completed element (what the engine does in its completion transaction)
    def condition(self, expr: str, data: dict):
        try:
            return self.engine.environment.evaluate(expr, data)
        except Exception as err:  # a condition that cannot be evaluated is a model error
            raise ScenarioFailure(f"condition {expr!r} failed: {err.__class__.__name__}: {err}") from err

    def on_complete(self, task) -> None:
        spec = task.task_spec
        bpmn_id = getattr(spec, "bpmn_id", None)
        if not bpmn_id:
            return
        self.completed.append(bpmn_id)
        props = (getattr(spec, "extensions", None) or {}).get("properties", {})
        if not props:
            return
        on = _CLOCK.today()
        for (key,) in _lines(props.get("closes_deadline")):
            if key in self.deadlines:
                self.deadlines[key].state = "met"
        for (key,) in _lines(props.get("pauses_deadline")):
            if key in self.deadlines and self.deadlines[key].state == "open":
                self.deadlines[key].pause(on)
        for (key,) in _lines(props.get("resumes_deadline")):
            if key in self.deadlines and self.deadlines[key].state == "paused":
                self.deadlines[key].resume(on)
                task.data[key] = self.deadlines[key].due.isoformat()
        for row in _lines(props.get("opens_deadline")):
            key, name, period, var = row[:4]
            if len(row) == 5 and not self.condition(row[4], task.data):
                continue
            if var not in task.data:
                raise ScenarioFailure(f"{bpmn_id}: opens_deadline {key} needs {var}, which is not in the data")
            start = _as_date(task.data[var])
            due = start if period == "AT" else due_after(start, period)
            unit = "CD" if period == "AT" else _PERIOD.match(period).group(2)
            self.deadlines[key] = Deadline(key, name, unit, due)
            task.data[key] = due.isoformat()
        for key, period in _lines(props.get("extends_deadline")):
            deadline = self.deadlines.get(key)
            if deadline is None:
                raise ScenarioFailure(f"{bpmn_id}: extends_deadline {key}, which is not open")
            if deadline.state == "paused":
                deadline.remaining += int(_PERIOD.match(period).group(1))
            else:
                deadline.due = due_after(deadline.due, period)
                task.data[key] = deadline.due.isoformat()
        for row in _lines(props.get("documents")):
            if len(row) == 1 or self.condition(row[1], task.data):
                self.documents.append((bpmn_id, row[0]))

    # ---- steps
    def ready(self, wf) -> list:
        return wf.get_tasks(state=TaskState.READY, manual=True)

    def complete(self, wf, step: dict) -> None:
        wanted = step["task"]
        ready = self.ready(wf)
        matches = [t for t in ready if t.task_spec.bpmn_id == wanted]
        if not matches:
            raise ScenarioFailure(f"{wanted} is not READY (ready: {sorted(t.task_spec.bpmn_id for t in ready)})")
        task = matches[0]
        if task.task_spec.lane not in LANES:
            raise ScenarioFailure(f"{wanted} is in lane {task.task_spec.lane!r}, not one of {sorted(LANES)}")
        props = (task.task_spec.extensions or {}).get("properties", {})
        data = substitute(step.get("data", {}))
        form = props.get("form")
        if form:
            data = self.validate_form(wanted, form, data)
        elif data:
            raise ScenarioFailure(f"{wanted} has no form but the step gives data")
        merged = {**task.data, **data}
        for condition, message in _lines(props.get("validate")):
            if not self.condition(condition, merged):
                raise ScenarioFailure(f"{wanted} refused: {message}")
        task.set_data(**data)
        task.run()
        wf.do_engine_steps()
        self.log.append(f"{_CLOCK.today()} {wanted} [{task.task_spec.lane}]")

    def validate_form(self, task_id: str, form: str, data: dict) -> dict:
        schema = self.specs.forms.get(form)
        if schema is None:
            raise ScenarioFailure(f"{task_id}: form {form} does not exist")
        validator = self.specs.validator(form)
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            described = "; ".join(f"{'/'.join(map(str, e.absolute_path)) or '(form)'}: {e.message}" for e in errors)
            raise ScenarioFailure(f"{task_id}: data does not fit {form}: {described}")
        return to_decimal(data, schema, self.specs.registry)

    def send(self, wf, step: dict) -> None:
        event = BpmnEvent(MessageEventDefinition(step["event"]), substitute(step.get("data", {})))
        try:
            wf.send_event(event)
        except Exception as err:
            raise ScenarioFailure(f"event {step['event']}: {err}") from err
        wf.do_engine_steps()
        self.log.append(f"{_CLOCK.today()} event {step['event']}")

    def advance(self, wf, period: str) -> None:
        _CLOCK.set_date(
            due_after(_CLOCK.today(), period)
            if not period.endswith("CD")
            else _CLOCK.today() + timedelta(days=int(period[:-2]))
        )
        self.fire_timers(wf)
        self.log.append(f"{_CLOCK.today()} advance {period}")

    def advance_to_timer(self, wf) -> None:
        waiting = [
            t
            for t in wf.get_tasks(state=TaskState.WAITING)
            if isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)
        ]
        if not waiting:
            raise ScenarioFailure("advance_to_timer: no timer is waiting")
        due = min(TimerEventDefinition.get_datetime(t.internal_data["event_value"]) for t in waiting)
        _CLOCK.now = max(_CLOCK.now, due.astimezone(CHINA) + timedelta(hours=9))
        before = {t.id for t in waiting}
        self.fire_timers(wf)
        fired = [t for t in wf.get_tasks(state=TaskState.COMPLETED) if t.id in before]
        if not fired:
            raise ScenarioFailure("advance_to_timer: the timer did not fire")
        self.log.append(f"{_CLOCK.today()} timer {fired[0].task_spec.bpmn_id} fired")

    def fire_timers(self, wf) -> None:
        wf.refresh_timers()
        wf.do_engine_steps()  # a due timer becomes READY here ...
        wf.do_engine_steps()  # ... and runs here


# -------------------------------------------------------------------------------------------------- helpers

_FORMATS = FormatChecker()
_FORMATS.checks("money")(lambda value: True)
_TOKEN = re.compile(r"^\$today(?:([+-])(\d+)(WD|CD))?(.*)$", re.S)


def substitute(value):
    """Replace "$today", "$today+3WD", "$today-2CD", "$today+1WD 09:30" with simulated dates."""
    if isinstance(value, dict):
        return {k: substitute(v) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v) for v in value]
    if isinstance(value, str):
        m = _TOKEN.match(value)
        if m:
            sign, amount, unit, rest = m.groups()
            d = _CLOCK.today()
            if amount:
                n = int(amount) * (1 if sign == "+" else -1)
                d = add_workdays_date(d, n) if unit == "WD" else d + timedelta(days=n)
            return d.isoformat() + rest
    return value


def _resolve(registry: Registry, schema):
    if isinstance(schema, dict) and "$ref" in schema:
        return registry.resolver().lookup(schema["$ref"]).contents
    return schema if isinstance(schema, dict) else {}


def to_decimal(data, schema, registry: Registry):
    """Every `format: money` string becomes Decimal (also in if/then and allOf branches)."""
    schema = _resolve(registry, schema)
    if isinstance(data, dict):
        props = dict(schema.get("properties", {}))
        for part in [schema.get("then", {}), *[s.get("then", {}) for s in schema.get("allOf", [])]]:
            for k, v in part.get("properties", {}).items():
                props.setdefault(k, v)
        return {k: to_decimal(v, props.get(k, {}), registry) for k, v in data.items()}
    if isinstance(data, list):
        return [to_decimal(v, schema.get("items", {}), registry) for v in data]
    if isinstance(data, str) and schema.get("format") == "money":
        return Decimal(data)
    return data


def _serializer() -> BpmnWorkflowSerializer:
    registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
    registry.register(Decimal, lambda v: {"value": str(v)}, lambda d: Decimal(d["value"]))
    return BpmnWorkflowSerializer(registry)


def _roundtrip(wf: BpmnWorkflow, serializer: BpmnWorkflowSerializer, engine) -> BpmnWorkflow:
    state = serializer.to_dict(wf)
    restored = serializer.from_dict(deepcopy(state))
    restored.script_engine = engine
    if serializer.to_dict(restored) != state:
        raise ScenarioFailure("serialize → deserialize → serialize changed the workflow state")
    for process in [restored.spec, *restored.subprocess_specs.values()]:
        for ts in process.task_specs.values():
            if not ts.completed_event.is_connected(_dispatch):
                ts.completed_event.connect(_dispatch)
    return restored


# --------------------------------------------------------------------------------------------------- runner


def run_scenario(name: str, specs: Specs, roundtrip: bool = False) -> Run:
    """Play one scenario to its end; raise ScenarioFailure at the first step that does not go as scripted."""
    global _CLOCK, _RUN
    scenario = specs.scenarios[name]
    engine = PythonScriptEngine(environment=TaskDataEnvironment(dict(SCRIPT_FUNCTIONS)))
    run = Run(name, specs, engine)
    saved_clock, saved_run, saved_datetime = _CLOCK, _RUN, spiff_timer.datetime
    _CLOCK, _RUN = SimClock(scenario.get("start", DEFAULT_START)), run
    spiff_timer.datetime = SimDatetime  # restored below: the engine installs its own clock in the same module
    serializer = _serializer() if roundtrip else None
    try:
        wf = BpmnWorkflow(specs.spec, specs.subprocess_specs, script_engine=engine)
        wf.do_engine_steps()
        for n, step in enumerate(scenario["steps"], 1):
            try:
                if "task" in step:
                    run.complete(wf, step)
                elif "event" in step:
                    run.send(wf, step)
                elif "advance" in step:
                    run.advance(wf, step["advance"])
                elif step.get("advance_to_timer"):
                    run.advance_to_timer(wf)
                else:
                    raise ScenarioFailure(f"unknown step {step}")
                if serializer is not None:
                    wf = _roundtrip(wf, serializer, engine)
            except ScenarioFailure as err:
                raise ScenarioFailure(f"step {n}: {err}") from None
            except Exception as err:
                raise ScenarioFailure(
                    f"step {n} ({step.get('task') or step}): {err.__class__.__name__}: {err}"
                ) from err
        if not wf.is_completed():
            ready = sorted(t.task_spec.bpmn_id for t in run.ready(wf))
            raise ScenarioFailure(f"the case did not finish (ready: {ready})")
        for element in scenario.get("expect", []):
            if element not in run.completed:
                raise ScenarioFailure(f"the case did not pass {element}")
        run.data = wf.data
        return run
    finally:
        _CLOCK, _RUN = saved_clock, saved_run
        spiff_timer.datetime = saved_datetime


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    roundtrip = "--roundtrip" in argv
    names = [a for a in argv if not a.startswith("-")]
    t0 = _time.perf_counter()
    specs = load_specs()
    print(f"parsed in {(_time.perf_counter() - t0) * 1000:.0f} ms")
    failures = 0
    for name in names or list(specs.scenarios):
        t0 = _time.perf_counter()
        try:
            run = run_scenario(name, specs, roundtrip=roundtrip)
        except ScenarioFailure as err:
            failures += 1
            print(f"FAIL {name}: {err}")
            continue
        ms = (_time.perf_counter() - t0) * 1000
        steps = len(specs.scenarios[name]["steps"])
        print(f"OK   {name:16} {steps:3} steps {len(run.documents):3} documents {ms:7.1f} ms")
        if verbose:
            for line in run.log:
                print("     ", line)
            print("      documents:", ", ".join(f"{t}({k})" for k, t in run.documents))
            for d in run.deadlines.values():
                print(f"      deadline {d.key} {d.name}: {d.due} {d.state}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
