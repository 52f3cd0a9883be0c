"""The restricted script environment for BPMN scripts, conditions and timer expressions, and the functions they may call.

Every piece of Python that comes from a model (script tasks, pre/post scripts, gateway conditions, DMN cells, timer
expressions, our own `validate` / `documents` conditions) is compiled with RestrictedPython: no imports, no `_names`,
no `while`, attribute access through a guard.  CPU is bounded by a step budget (loop iterations and function calls)
and by size checks on `**`, `*`, `+`, `<<` and `range`.  Memory is not strictly bounded: run workers with a memory
limit (RLIMIT_AS / cgroup) as the last line of defence.
"""

from __future__ import annotations

import ast
import json
import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from types import CodeType
from typing import Any, Literal

import SpiffWorkflow.bpmn.specs.event_definitions.timer as spiff_timer
from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    raise_,
    safer_getattr,
)
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer, copy_locations
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.errors import ScriptError

MAX_RANGE = 10_000  # items in one range()
MAX_STEPS = 1_000_000  # loop iterations + function calls in one script or expression run
MAX_INT_BITS = 100_000  # ~30,000 decimal digits; money never comes close
MAX_SEQUENCE = 1_000_000  # items/characters built by `*` or `+` on str/list/tuple

# China has had no daylight saving time since 1991: a fixed offset needs no tz database.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


# ---------------------------------------------------------------------------------------------------------------- clock

_frozen_at: ContextVar[datetime | None] = ContextVar("enforceflow_clock", default=None)


def _as_moment(value: datetime | date | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ) if value.tzinfo else value.replace(tzinfo=CHINA_TZ)
    # A bare date freezes the clock at noon, so a timer due at that day's 00:00 has already fired.
    return datetime.combine(value, time(12), CHINA_TZ)


class Clock:
    """The case clock: real China time unless the runtime (or a test) froze it for the current context."""

    @staticmethod
    def now() -> datetime:
        """The current moment, timezone-aware in China time."""
        return _frozen_at.get() or datetime.now(CHINA_TZ)

    @staticmethod
    def current_date() -> date:
        """Today's date in China."""
        return Clock.now().date()

    @staticmethod
    @contextmanager
    def frozen(moment: datetime | date | str) -> Iterator[datetime]:
        """Fix the clock at `moment` (naive = China time; a date = noon that day) inside the block."""
        fixed = _as_moment(moment)
        token = _frozen_at.set(fixed)
        try:
            yield fixed
        finally:
            _frozen_at.reset(token)


use_clock = Clock.frozen


class _ClockDatetimeMeta(type):
    # The timer module also uses its `datetime` name in isinstance checks, on values that may be plain datetimes.
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, datetime)


class ClockDatetime(datetime, metaclass=_ClockDatetimeMeta):
    """`datetime` whose now() reads our Clock."""

    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        moment = Clock.now()
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


def install_timer_clock() -> None:
    """Make SpiffWorkflow's timers read our Clock.

    SpiffWorkflow 3.2.0 decides whether a timer is due with `datetime.now(timezone.utc)` inside
    `SpiffWorkflow.bpmn.specs.event_definitions.timer`, and offers no hook.  Replacing that module's `datetime`
    name lets the runtime fire timers against the case clock (replays, demos, tests with a frozen date) while
    behaving exactly as before when no clock is frozen.
    """
    if spiff_timer.datetime is not ClockDatetime:
        spiff_timer.datetime = ClockDatetime


install_timer_clock()


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
        "deadline_timer": deadline_timer,
        "late_surcharge": late_surcharge,
    }


# ------------------------------------------------------------------------------------------------------------ compiling

_FORBIDDEN_NAMES = frozenset(
    "open eval exec compile globals locals vars dir input breakpoint help exit quit memoryview type object super".split()
)
_GUARDED_OPS = {ast.Pow: "_pow_", ast.Mult: "_mul_", ast.Add: "_add_", ast.LShift: "_lshift_"}
_IMPORT_MESSAGE = "脚本不允许导入模块"
_TRANSLATIONS = [
    (re.compile(r'"(.+)" is an invalid attribute name because it starts with "_"\.?'), r'脚本不允许访问属性 "\1"'),
    (re.compile(r'"(.+)" is a restricted name, that is forbidden to access.*'), r'脚本不允许访问属性 "\1"'),
    (re.compile(r'"(.+)" is an invalid attribute name because it ends with.*'), r'脚本不允许访问属性 "\1"'),
    (
        re.compile(r'"(.+)" is an invalid variable name because it starts with "_"'),
        r'脚本不允许使用以下划线开头的名称 "\1"',
    ),
    (re.compile(r'"(.+)" is an invalid variable name because it ends with.*'), r'脚本不允许使用名称 "\1"'),
    (re.compile(r'"(.+)" is a reserved name\.'), r'脚本不允许使用保留名称 "\1"'),
    (re.compile(r"(Exec|Eval) calls are not allowed\."), lambda m: f'脚本不允许使用 "{m.group(1).lower()}"'),
    (re.compile(r"Augmented assignment of attributes is not allowed\."), "不允许对属性使用 += 等增量赋值"),
    (
        re.compile(r"Augmented assignment of object items.*"),
        '不允许对元素使用 += 等增量赋值，请写成 d["k"] = d["k"] + 1',
    ),
    (re.compile(r"(\w+) statements are not allowed\."), r"脚本不允许使用 \1 语句"),
]


def _tick_call(node: ast.AST) -> ast.Call:
    call = ast.Call(func=ast.Name("_tick_", ast.Load()), args=[], keywords=[])
    copy_locations(call, node)
    copy_locations(call.func, node)
    return call


class _ScriptPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus: no while/import/class, no reflective builtins, metered calls and operators."""

    def error(self, node: ast.AST, info: str) -> None:
        for pattern, replacement in _TRANSLATIONS:
            info = pattern.sub(replacement, info)
        self.errors.append(f"第{getattr(node, 'lineno', 1)}行：{info}")

    def visit_While(self, node: ast.While) -> ast.AST:
        self.error(node, "不允许使用 while 循环（可能无限循环），请改用 for … in range(…)")
        return node

    def visit_Import(self, node: ast.Import) -> ast.AST:
        self.error(node, _IMPORT_MESSAGE)
        return node

    visit_ImportFrom = visit_Import  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.error(node, "脚本不允许定义类")
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id == "__import__":
            self.error(node, _IMPORT_MESSAGE)
            return node
        if node.id in _FORBIDDEN_NAMES and isinstance(node.ctx, ast.Load):
            self.error(node, f'脚本不允许使用 "{node.id}"')
        return super().visit_Name(node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = super().visit_BinOp(node)
        guard = _GUARDED_OPS.get(type(node.op))
        if guard is None:
            return node
        call = ast.Call(func=ast.Name(guard, ast.Load()), args=[node.left, node.right], keywords=[])
        copy_locations(call, node)
        copy_locations(call.func, node)
        return call

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node = super().visit_FunctionDef(node)
        tick = ast.Expr(_tick_call(node))
        copy_locations(tick, node)
        node.body.insert(0, tick)
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        node = super().visit_Lambda(node)
        node.body = ast.BoolOp(op=ast.Or(), values=[_tick_call(node.body), node.body])
        copy_locations(node.body, node)
        return node


@lru_cache(maxsize=4096)
def _compile(source: str, mode: Literal["exec", "eval"]) -> tuple[CodeType | None, tuple[str, ...]]:
    if mode == "eval":
        source = source.strip()  # XML text around conditions carries indentation
    try:
        tree = ast.parse(source, "<string>", mode)
    except SyntaxError as err:
        return None, (f"第{err.lineno or 1}行：语法错误：{err.msg}",)
    compile_fn = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compile_fn(tree, "<string>", policy=_ScriptPolicy)
    return result.code, tuple(dict.fromkeys(result.errors))


def check_syntax(source: str, mode: Literal["exec", "eval"] = "eval") -> str | None:
    """A readable description of what is wrong with `source`, or None when it would run restricted."""
    if not isinstance(source, str) or not source.strip():
        return "表达式为空" if mode == "eval" else None
    return "；".join(_compile(source, mode)[1]) or None


def _compiled(source: str, mode: Literal["exec", "eval"]) -> CodeType:
    code, errors = _compile(source, mode)
    if code is None:
        raise ScriptError("；".join(errors) or "脚本无法编译")
    return code


# --------------------------------------------------------------------------------------------------- runtime guards


class _Budget:
    """Counts loop iterations and function calls of one run, so no script can hang a worker."""

    __slots__ = ("left",)

    def __init__(self, steps: int) -> None:
        self.left = steps

    def tick(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise ScriptError(f"脚本运行步数超过上限（{MAX_STEPS} 次循环或函数调用）")

    def iterate(self, ob: Any) -> Iterator[Any]:
        return self._counted(iter(ob))

    def _counted(self, it: Iterator[Any]) -> Iterator[Any]:
        for item in it:
            self.tick()
            yield item


def _refuse_size(what: str) -> None:
    raise ScriptError(f"脚本中的{what}结果过大，已拒绝计算")


def _check_pow(base: Any, exp: Any, mod: Any = None) -> None:
    if mod is None and type(base) in (int, bool) and type(exp) in (int, bool) and exp > 0 and abs(base) > 1:
        if exp * math.log2(abs(base)) > MAX_INT_BITS:
            _refuse_size("乘方")


def _check_mul(a: Any, b: Any) -> None:
    if isinstance(a, int) and isinstance(b, int):
        if a.bit_length() + b.bit_length() > MAX_INT_BITS:
            _refuse_size("乘法")
    elif isinstance(a, (str, list, tuple, bytes)) and isinstance(b, int) and len(a) * b > MAX_SEQUENCE:
        _refuse_size("重复")
    elif isinstance(b, (str, list, tuple, bytes)) and isinstance(a, int) and len(b) * a > MAX_SEQUENCE:
        _refuse_size("重复")


def _check_add(a: Any, b: Any) -> None:
    if isinstance(a, (str, list, tuple)) and isinstance(b, (str, list, tuple)) and len(a) + len(b) > MAX_SEQUENCE:
        _refuse_size("拼接")


def _check_lshift(a: Any, b: Any) -> None:
    if isinstance(a, int) and isinstance(b, int) and a and b > MAX_INT_BITS:
        _refuse_size("移位")


def _pow(base: Any, exp: Any, mod: Any = None) -> Any:
    _check_pow(base, exp, mod)
    return pow(base, exp) if mod is None else pow(base, exp, mod)


def _mul(a: Any, b: Any) -> Any:
    _check_mul(a, b)
    return a * b


def _add(a: Any, b: Any) -> Any:
    _check_add(a, b)
    return a + b


def _lshift(a: Any, b: Any) -> Any:
    _check_lshift(a, b)
    return a << b


_INPLACE = {
    "+=": (operator.iadd, _check_add),
    "-=": (operator.isub, None),
    "*=": (operator.imul, _check_mul),
    "/=": (operator.itruediv, None),
    "//=": (operator.ifloordiv, None),
    "%=": (operator.imod, None),
    "**=": (operator.ipow, _check_pow),
    "<<=": (operator.ilshift, _check_lshift),
    ">>=": (operator.irshift, None),
    "&=": (operator.iand, None),
    "|=": (operator.ior, None),
    "^=": (operator.ixor, None),
    "@=": (operator.imatmul, None),
}


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    fn, check = _INPLACE[op]
    if check is not None:
        check(target, value)
    return fn(target, value)


_MISSING = object()


def guarded_getattr(obj: Any, name: str, default: Any = _MISSING) -> Any:
    """getattr for scripts: no private, dunder or frame/code attributes, no str.format."""
    if not isinstance(name, str):
        raise TypeError("属性名必须是字符串")
    if name.startswith("_") or name in INSPECT_ATTRIBUTES or name.endswith("__roles__"):
        raise ScriptError(f'脚本不允许访问属性 "{name}"')
    try:
        return safer_getattr(obj, name, raise_)
    except NotImplementedError:
        raise ScriptError(f'脚本不允许使用 {name}()，请改用 f"…" 字符串') from None
    except AttributeError:
        if default is _MISSING:
            raise
        return default


def _hasattr(obj: Any, name: str) -> bool:
    try:
        guarded_getattr(obj, name)
    except AttributeError:
        return False
    return True


def _limited_range(*args: int) -> range:
    r = range(*args)
    try:
        size = len(r)
    except OverflowError:
        size = MAX_RANGE + 1
    if size > MAX_RANGE:
        raise ScriptError(f"range() 最多允许 {MAX_RANGE} 个元素")
    return r


def _apply(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


_BUILTINS: dict[str, Any] = {
    **{k: v for k, v in safe_builtins.items() if k not in {"__build_class__", "_getattr_", "pow", "range"}},
    **{
        fn.__name__: fn
        for fn in (all, any, dict, enumerate, filter, float, frozenset, list, map, max, min, reversed, set, sorted)
    },
    **{fn.__name__: fn for fn in (sum, tuple, zip)},
    "range": _limited_range,
    "pow": _pow,
    "getattr": guarded_getattr,
    "hasattr": _hasattr,
}


def _runtime_guards() -> dict[str, Any]:
    budget = _Budget(MAX_STEPS)  # a fresh budget for every run
    return {
        "__builtins__": _BUILTINS,
        "_getattr_": guarded_getattr,
        "_getitem_": operator.getitem,
        "_getiter_": budget.iterate,
        "_tick_": budget.tick,
        "_write_": full_write_guard,
        "_inplacevar_": _inplacevar,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_apply_": _apply,
        "_print_": PrintCollector,
        "_pow_": _pow,
        "_mul_": _mul,
        "_add_": _add,
        "_lshift_": _lshift,
    }


_RESERVED = frozenset(_runtime_guards())  # names task data may not use


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
