"""The façade: start a case, list ready tasks, complete a task, deliver events, fire due timers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from engine import audit, effects, store
from engine.casework import SYSTEM, Actor, CaseWork
from engine.catalog import Catalog, Procedure
from engine.deadlines import compute_due
from engine.errors import ConflictError, EngineError, NotFound, NotReadyError, PermissionDenied, ValidationError
from engine.models import Agency, Case, OpenTask, ProcedureVersion
from engine.numbering import next_serial
from engine.progress import progress_of
from engine.scripting import CHINA_TZ, Clock, evaluate_condition, make_script_engine

__all__ = ["Actor", "Runtime", "SYSTEM"]


class Runtime:
    """Runs cases; every public method is one unit of work that commits or leaves the case as it was."""

    def __init__(self, catalog: Catalog | None = None, clock: Callable[[], datetime] | None = None) -> None:
        self.catalog = catalog or Catalog()
        self.clock = clock or (lambda: Clock.now().astimezone(CHINA_TZ).replace(tzinfo=None))
        self.script_engine = make_script_engine()

    def now(self) -> datetime:
        return self.clock().replace(microsecond=0)

    @contextmanager
    def _unit(self, session: Session) -> Iterator[datetime]:
        now = self.now()
        try:
            with Clock.frozen(now):
                yield now
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise ConflictError("案件正被他人同时办理，请稍后重试") from exc
        except BaseException:
            session.rollback()
            raise

    # ------------------------------------------------------------------ versions and loading
    def _version_row(self, session: Session, procedure: Procedure) -> ProcedureVersion:
        row = session.scalars(select(ProcedureVersion).where(ProcedureVersion.content_hash == procedure.content_hash)).first()
        if row is None:
            row = ProcedureVersion(procedure_key=procedure.key, name=procedure.name, content_hash=procedure.content_hash,
                                   spec_state=store.dump_specs(procedure.spec, procedure.subprocess_specs),
                                   created_at=self.now())
            session.add(row)
            session.flush()
        return row

    def procedure_of(self, session: Session, case: Case) -> Procedure:
        version = session.get(ProcedureVersion, case.procedure_version_id)
        procedure = self.catalog.by_hash(version.content_hash)
        if procedure is None:
            procedure = self.catalog.current(version.procedure_key)
            if procedure.content_hash != version.content_hash:
                raise EngineError(f"案件所用的程序版本 {version.content_hash[:12]} 已不在本机，无法加载")
        return procedure

    def _load(self, session: Session, case: Case) -> tuple[Procedure, BpmnWorkflow]:
        procedure = self.procedure_of(session, case)
        wf = store.load_workflow(case.state, procedure.spec, procedure.subprocess_specs, self.script_engine)
        return procedure, wf

    def _claim(self, session: Session, case: Case) -> None:
        """Optimistic lock: only one writer per case version; the loser changes nothing."""
        result = session.execute(
            update(Case).where(Case.id == case.id, Case.version == case.version).values(version=case.version + 1),
            execution_options={"synchronize_session": "fetch"},
        )
        if result.rowcount != 1:
            session.rollback()
            raise ConflictError("该任务已被他人办理或案件已变化，请刷新后重试")

    # ------------------------------------------------------------------ start
    def start_case(self, session: Session, procedure_key: str, agency_id: int, actor: Actor) -> Case:
        """Start a case of a procedure for an agency (案件编号 per agency and year)."""
        procedure = self.catalog.current(procedure_key)
        with self._unit(session) as now:
            agency = session.get(Agency, agency_id)
            if agency is None:
                raise NotFound("执法机关不存在")
            version = self._version_row(session, procedure)
            serial = next_serial(session, agency.id, "案件", now.year)
            case = Case(case_no=f"{agency.code}{procedure.manifest.get('case_code', '案')}〔{now.year}〕{serial}号",
                        agency_id=agency.id, procedure_version_id=version.id, state="{}",
                        serializer_version=store.SERIALIZER_VERSION, version=1, created_at=now, updated_at=now)
            session.add(case)
            session.flush()
            wf = BpmnWorkflow(procedure.spec, procedure.subprocess_specs, script_engine=self.script_engine)
            work = CaseWork(session, case, procedure, actor, now)
            work.log("case_started", procedure.spec.name, {"procedure": procedure.key, "version": procedure.content_hash})
            self._advance(work, wf, lambda: wf.do_engine_steps())
            self._save(session, work, wf)
        return case

    # ------------------------------------------------------------------ tasks
    def ready_tasks(self, session: Session, *, agency_id: int | None = None, role: str | None = None,
                    case_id: int | None = None) -> list[OpenTask]:
        """Ready human tasks from the index, most urgent first (no workflow is loaded)."""
        query = select(OpenTask)
        if agency_id is not None:
            query = query.where(OpenTask.agency_id == agency_id)
        if role is not None:
            query = query.where(OpenTask.role == role)
        if case_id is not None:
            query = query.where(OpenTask.case_id == case_id)
        return list(session.scalars(query.order_by(OpenTask.due.is_(None), OpenTask.due, OpenTask.ready_at)))

    def task_form(self, session: Session, task_id: str) -> dict | None:
        row = session.get(OpenTask, task_id)
        if row is None:
            raise NotFound("任务不存在或已办理")
        procedure = self.procedure_of(session, session.get(Case, row.case_id))
        return procedure.forms.schemas.get(row.form) if row.form else None

    def complete_task(self, session: Session, task_id: str, data: dict, actor: Actor,
                      attachments: Iterable[tuple[str, str, bytes]] = ()) -> list:
        """Validate the form, run the task and everything automatic after it; returns the new documents.

        `attachments` (file name, content type, bytes) are kept with the case in the same unit of work.
        """
        row = session.get(OpenTask, task_id)
        if row is None:
            raise NotReadyError("该任务不存在或已经办理完毕，不能重复提交")
        if actor.role not in (row.role, "system") or (actor.agency_id not in (None, row.agency_id)):
            raise PermissionDenied(f"您没有办理“{row.name}”的权限")
        case = session.get(Case, row.case_id)
        with self._unit(session) as now:
            procedure, wf = self._load(session, case)
            task = wf.get_task_from_id(UUID(task_id))
            if task is None or task.state != TaskState.READY:
                raise NotReadyError(f"任务“{row.name}”当前不可办理")
            cfg = procedure.element(task.task_spec.bpmn_id)
            clean = procedure.forms.validate(cfg.form, data) if cfg.form else {}
            self._check(cfg, {**task.data, **clean})
            self._claim(session, case)
            work = CaseWork(session, case, procedure, actor, now)
            work.log("task_completed", cfg.bpmn_id, {"name": cfg.name, "submission": clean})

            def run():
                task.set_data(**clean)
                task.run()
                wf.do_engine_steps()

            for filename, content_type, content in attachments:
                work.attach(cfg.bpmn_id, filename, content_type, content)
            self._advance(work, wf, run)
            self._save(session, work, wf)
        return work.documents

    def _check(self, cfg, data: dict) -> None:
        for check in cfg.checks:
            try:
                ok = evaluate_condition(check.condition, data)
            except Exception as exc:  # a condition over missing data is a refusal, not a crash
                raise ValidationError(f"{check.message}（无法校验：{exc}）", element=cfg.bpmn_id) from exc
            if not ok:
                raise ValidationError(check.message, element=cfg.bpmn_id)

    def record_view(self, session: Session, case_id: int, actor: Actor, what: str, data: dict | None = None) -> None:
        """调阅记录: a view or download of a case or one of its documents joins the case's audit chain."""
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound("案件不存在")
        if actor.agency_id not in (None, case.agency_id):
            raise PermissionDenied("您无权查看其他执法机关的案件")
        for attempt in range(3):
            try:
                with self._unit(session) as now:
                    audit.append(session, case_id, at=now, actor=actor.name, role=actor.role, kind="viewed",
                                 data={"what": what, **(data or {})}, user_id=actor.user_id)
                return
            except IntegrityError:  # another event took the same place in the chain at that moment: try again
                if attempt == 2:
                    raise ConflictError("记录调阅失败：案件正被他人同时办理，请稍后重试") from None

    # ------------------------------------------------------------------ events and timers
    def send_event(self, session: Session, case_id: int, name: str, data: dict, actor: Actor) -> None:
        """Deliver a BPMN message (e.g. 申请延长办案期限) to a case that waits for it."""
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound("案件不存在")
        if actor.agency_id not in (None, case.agency_id):
            raise PermissionDenied("您无权办理其他执法机关的案件")
        with self._unit(session) as now:
            procedure, wf = self._load(session, case)
            cfg = procedure.events.get(name)
            if cfg is None:
                raise NotFound(f"本程序没有“{name}”这一事项")
            if cfg.role and actor.role not in (cfg.role, "system"):
                raise PermissionDenied(f"您没有办理“{cfg.name}”的权限")
            catcher = next((t for t in wf.get_tasks(state=TaskState.WAITING)
                            if getattr(getattr(t.task_spec, "event_definition", None), "name", None) == name), None)
            if catcher is None:
                raise NotReadyError(f"案件当前不能办理“{cfg.name}”：不在可以提出的阶段，或者已经提出过")
            cfg = procedure.element(catcher.task_spec.bpmn_id) or cfg  # the catcher that waits now, if several do
            clean = procedure.forms.validate(cfg.form, data) if cfg.form else {}
            self._check(cfg, {**catcher.data, **clean})
            self._claim(session, case)
            work = CaseWork(session, case, procedure, actor, now)
            work.log("event_received", cfg.bpmn_id, {"name": cfg.name, "submission": clean})
            self._advance(work, wf, lambda: (wf.send_event(BpmnEvent(MessageEventDefinition(name), clean)),
                                             wf.do_engine_steps()))
            self._save(session, work, wf)

    def available_events(self, session: Session, case_id: int) -> list[str]:
        """The message names the case waits for now (the special branches that can be raised at this point)."""
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound("案件不存在")
        procedure, wf = self._load(session, case)
        names = (getattr(getattr(t.task_spec, "event_definition", None), "name", None)
                 for t in wf.get_tasks(state=TaskState.WAITING))
        return sorted({n for n in names if n in procedure.events})

    def fire_due_timers(self, session: Session) -> list[int]:
        """Fire every due timer; safe to run from several processes at once."""
        now = self.now()
        due = session.scalars(select(Case.id).where(Case.status == "open", Case.next_timer_at <= now)).all()
        fired = []
        for case_id in due:
            try:
                with self._unit(session) as at:
                    case = session.get(Case, case_id)
                    procedure, wf = self._load(session, case)
                    self._claim(session, case)
                    work = CaseWork(session, case, procedure, SYSTEM, at)
                    work.log("timers_checked", "", {"due_at": case.next_timer_at})
                    self._advance(work, wf, _refresh(wf))
                    self._save(session, work, wf)
                fired.append(case_id)
            except ConflictError:
                continue  # another worker got there first
        return fired

    # ------------------------------------------------------------------ shared steps
    def _advance(self, work: CaseWork, wf: BpmnWorkflow, action: Callable) -> None:
        try:
            with effects.capture(work):
                action()
        except WorkflowException as exc:
            if work.error is not None:
                raise work.error from exc
            cause = exc.__cause__ if isinstance(exc.__cause__, EngineError) else None
            raise cause or EngineError(f"流程执行出错：{exc}") from exc
        if work.error is not None:
            raise work.error
        wf.refresh_timers()
        wf.do_engine_steps()

    def _save(self, session: Session, work: CaseWork, wf: BpmnWorkflow) -> None:
        case, procedure, now = work.case, work.procedure, work.now
        data = wf.last_task.data if wf.last_task is not None else {}
        party = data.get("party") or {}
        if party.get("name"):
            case.party_name = party["name"]
            case.title = f"{party['name']}{data.get('cause', '')}案"
        case.state = store.dump_workflow(wf)
        case.updated_at = now
        case.next_timer_at = _next_timer(wf)
        self._sync_tasks(session, case, procedure, wf, now)
        if wf.is_completed() and case.status == "open":
            case.status, case.closed_at = "closed", now
            work.close_all_deadlines()
            work.log("case_closed", "", {"outcome": data.get("outcome")})
        session.flush()

    def _sync_tasks(self, session: Session, case: Case, procedure: Procedure, wf: BpmnWorkflow, now: datetime) -> None:
        existing = {t.id: t for t in session.scalars(select(OpenTask).where(OpenTask.case_id == case.id))}
        ready = {str(t.id): t for t in wf.get_tasks(state=TaskState.READY, manual=True)}
        for task_id in set(existing) - set(ready):
            session.execute(delete(OpenTask).where(OpenTask.id == task_id))
        for task_id, task in ready.items():
            if task_id in existing:
                continue
            cfg = procedure.element(task.task_spec.bpmn_id)
            due = compute_due(now.date(), cfg.task_deadline) if cfg.task_deadline else None
            session.add(OpenTask(id=task_id, case_id=case.id, agency_id=case.agency_id, bpmn_id=cfg.bpmn_id,
                                 name=cfg.name, role=cfg.role or "handler", form=cfg.form, ready_at=now,
                                 due=due.date if due else None, due_provisional=bool(due and due.provisional)))

    # ------------------------------------------------------------------ progress (read only)
    def case_progress(self, session: Session, case_id: int) -> dict:
        """The case's main BPMN diagram (the version it runs on) with its completed, ready and waiting element ids."""
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound("案件不存在")
        procedure, wf = self._load(session, case)
        return {**progress_of(wf, procedure), "bpmn_xml": procedure.diagram_xml}


def _refresh(wf: BpmnWorkflow) -> Callable:
    return lambda: (wf.refresh_timers(), wf.do_engine_steps())


def _next_timer(wf: BpmnWorkflow) -> datetime | None:
    moments = []
    for task in wf.get_tasks(state=TaskState.WAITING):
        value = task.internal_data.get("event_value")
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                continue
            moments.append(moment.astimezone(CHINA_TZ).replace(tzinfo=None) if moment.tzinfo else moment)
    return min(moments) if moments else None
