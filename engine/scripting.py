"""The restricted script environment for BPMN scripts, conditions and timer expressions, and the functions they may call.

Every piece of Python that comes from a model (script tasks, pre/post scripts, gateway conditions, DMN cells, timer
expressions, our own `validate` / `documents` conditions) is compiled with RestrictedPython: no imports, no `_names`,
no `while`, attribute access through a guard.  CPU is bounded by a step budget (loop iterations and function calls)
and by size checks on `**`, `*`, `+`, `<<` and `range`.  Memory is not strictly bounded: run workers with a memory
limit (RLIMIT_AS / cgroup) as the last line of defence.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.clock import CHINA_TZ, Clock
from engine.clock import use_clock as use_clock  # re-exported
from engine.errors import ScriptError
from engine.sandbox import _RESERVED, _compiled, _runtime_guards
from engine.sandbox import check_syntax as check_syntax  # re-exported

# ------------------------------------------------------------------------------------------ functions given to scripts


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else _as_date(datetime.fromisoformat(value))
        except ValueError:
            pass
    raise ScriptError(f"日期格式不正确：{value!r}（应为 YYYY-MM-DD）")


def _as_days(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, Decimal, float, str)):
        raise ScriptError(f"天数必须是整数：{n!r}")
    try:
        value = Decimal(str(n))
    except ArithmeticError:
        raise ScriptError(f"天数必须是整数：{n!r}") from None
    if value != value.to_integral_value() or abs(value) > 100_000:
        raise ScriptError(f"天数必须是不超过 100000 的整数：{n!r}")
    return int(value)


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def today() -> str:
    """Today on the case clock, ISO date."""
    return Clock.current_date().isoformat()


def add_days(d: Any, n: Any) -> str:
    """`d` plus `n` calendar days, no roll-forward."""
    try:
        return (_as_date(d) + timedelta(days=_as_days(n))).isoformat()
    except OverflowError:
        raise ScriptError(f"日期超出范围：{d!r} + {n!r} 日") from None


def add_workdays(d: Any, n: Any) -> str:
    """`d` plus `n` working days (工作日) on the Chinese calendar."""
    from engine import workdays

    return _iso(workdays.add_workdays(_as_date(d), _as_days(n)).date)


def add_calendar_days(d: Any, n: Any) -> str:
    """`d` plus `n` calendar days, rolled forward past holidays (民法典 203)."""
    from engine import workdays

    return _iso(workdays.add_calendar_days(_as_date(d), _as_days(n)).date)


def add_months(d: Any, n: Any) -> str:
    """`d` plus `n` months (民法典 202: the same day number, or the month's last day), rolled past holidays (203)."""
    from engine import workdays

    return _iso(workdays.default_calendar().add_months(_as_date(d), _as_days(n)).date)


def deadline_timer(d: Any) -> str:
    """The moment a deadline ending on `d` is missed: 00:00 China time on the next day (ISO date-time)."""
    return datetime.combine(_as_date(d) + timedelta(days=1), time(0), CHINA_TZ).isoformat()


def late_surcharge(amount: Any, due: Any, on: Any) -> Decimal:
    """加处罚款: 3 % of the fine per day late, at most the fine itself (处罚法 72)."""
    from engine import chinese

    return chinese.late_surcharge(amount, _as_date(due), _as_date(on))


def script_functions() -> dict[str, Any]:
    """The names every script, condition and timer expression can call."""
    return {
        "Decimal": Decimal,
        "today": today,
        "add_workdays": add_workdays,
        "add_days": add_days,
        "add_calendar_days": add_calendar_days,
        "add_months": add_months,
        "deadline_timer": deadline_timer,
        "late_surcharge": late_surcharge,
    }


# -------------------------------------------------------------------------------------------------------- environment


class RestrictedEnvironment(TaskDataEnvironment):
    """TaskDataEnvironment that compiles with RestrictedPython and runs with guards and a step budget."""

    def __init__(
        self,
        environment_globals: Mapping[str, Any] | None = None,
        services: Mapping[str, Callable[..., Any]] | None = None,
    ) -> None:
        super().__init__({**script_functions(), **(environment_globals or {})})
        self.services = dict(services or {})

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        code = _compiled(expression, "eval")
        scope = {**self.globals, **(external_context or {}), **context, **_runtime_guards()}
        return eval(code, scope)  # noqa: S307 - compiled by RestrictedPython, guarded scope

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        code = _compiled(script, "exec")
        external_context = external_context or {}
        self.check_for_overwrite(context, external_context)
        clashes = _RESERVED.intersection(context)
        if clashes:
            raise ScriptError(f"任务数据中的变量名与脚本保留名称冲突：{', '.join(sorted(clashes))}")
        before = set(context)
        # Like the original, run in the task data itself so that assignments become task data.
        context.update(self.globals)
        context.update(external_context)
        context.update(_runtime_guards())
        try:
            exec(code, context)  # noqa: S102 - compiled by RestrictedPython, guarded scope
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
            for key in [k for k in context if k.startswith("_") and k not in before]:
                del context[key]  # guards and RestrictedPython's temporaries (_print, _tmp0, …)
        return True

    def call_service(self, context: dict[str, Any], operation_name: str = "", operation_params: Any = None, **_: Any):
        """Run a registered Python service; its result must be JSON-serializable (Spiff json.loads it)."""
        service = self.services.get(operation_name)
        if service is None:
            raise ScriptError(f'服务任务调用了未注册的操作 "{operation_name}"')
        params = {name: spec["value"] for name, spec in (operation_params or {}).items()}
        result = service(**params)
        return result if isinstance(result, str) else json.dumps(result, ensure_ascii=False, default=str)


class RestrictedScriptEngine(PythonScriptEngine):
    """PythonScriptEngine with readable errors and a working call_service."""

    def evaluate(self, task: Any, expression: str, external_context: dict[str, Any] | None = None) -> Any:
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as err:
            err.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as err:
            raise WorkflowTaskException(
                f"表达式 '{expression}' 计算出错：{_describe(err)}", task=task, exception=err
            ) from err

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        # 3.2.0's version references an undefined `script` in its except clause and raises NameError instead.
        try:
            return self.environment.call_service(task.data, **kwargs)
        except SpiffWorkflowException:
            raise
        except Exception as err:
            raise WorkflowTaskException(f"服务任务出错：{_describe(err)}", task=task, exception=err) from err

    def create_task_exec_exception(self, task: Any, script: str, err: Exception) -> Exception:
        # 3.2.0 concatenates err.args[0] to a str, which itself fails for KeyError(5) and the like.
        if isinstance(err, SpiffWorkflowException):
            return super().create_task_exec_exception(task, script, err)
        line_number, error_line = self.get_error_line_number_and_content(script, err)
        return WorkflowTaskException(
            f"脚本出错：{_describe(err)}", task=task, exception=err, line_number=line_number, error_line=error_line
        )


def _describe(err: Exception) -> str:
    if isinstance(err, ScriptError):
        return err.message
    if isinstance(err, NameError) and getattr(err, "name", None):
        return f'未定义的变量或函数 "{err.name}"'
    return f"{err.__class__.__name__}: {err}"


def make_script_engine(
    functions: Mapping[str, Any] | None = None, services: Mapping[str, Callable[..., Any]] | None = None
) -> PythonScriptEngine:
    """The script engine every workflow runs with."""
    return RestrictedScriptEngine(environment=RestrictedEnvironment(functions, services))


_DEFAULT_ENVIRONMENT = RestrictedEnvironment()


def evaluate_condition(expr: str, data: Mapping[str, Any]) -> Any:
    """Evaluate one of our own conditions (`validate`, `documents`, `opens_deadline`) over the case data."""
    try:
        return _DEFAULT_ENVIRONMENT.evaluate(expr, dict(data))
    except ScriptError:
        raise
    except Exception as err:
        raise ScriptError(f"条件 '{expr}' 计算出错：{_describe(err)}") from err
