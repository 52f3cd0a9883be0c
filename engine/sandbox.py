"""RestrictedPython compilation policy and runtime guards (step budget, size checks) for model scripts."""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from types import CodeType
from typing import Any, Literal

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

from engine.errors import ScriptError

MAX_RANGE = 10_000  # items in one range()
MAX_STEPS = 1_000_000  # loop iterations + function calls in one script or expression run
MAX_INT_BITS = 100_000  # ~30,000 decimal digits; money never comes close
MAX_SEQUENCE = 1_000_000  # items/characters built by `*` or `+` on str/list/tuple

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
