"""The restricted script environment: ordinary scripts run, escapes and runaway scripts are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine import workdays
from engine.errors import ScriptError
from engine.scripting import (
    Clock,
    RestrictedEnvironment,
    check_syntax,
    evaluate_condition,
    make_script_engine,
)

# ------------------------------------------------------------------------------------------------ inline BPMN helpers

_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="defs" targetNamespace="http://example.org/enforceflow">
  <bpmn:process id="demo" isExecutable="true">
"""
_FOOTER = """
  </bpmn:process>
</bpmn:definitions>
"""

GATEWAY_PROCESS = """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute" />
    <bpmn:scriptTask id="compute" name="计算">
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>filed_on = today()
items = [Decimal(x) for x in amounts]
total = sum(items)
summary = {"count": len(items), "label": f"共{len(items)}项，合计{total}元"}
</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="review" />
    <bpmn:userTask id="review" name="审核">
      <bpmn:extensionElements>
        <spiffworkflow:preScript>prepared = len(items)</spiffworkflow:preScript>
        <spiffworkflow:postScript>approved_total = total if approved else Decimal("0")</spiffworkflow:postScript>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f2b</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2b" sourceRef="review" targetRef="gateway" />
    <bpmn:exclusiveGateway id="gateway" default="to_small">
      <bpmn:incoming>f2b</bpmn:incoming>
      <bpmn:outgoing>to_big</bpmn:outgoing>
      <bpmn:outgoing>to_small</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="to_big" sourceRef="gateway" targetRef="big">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">total &gt;= Decimal("10000")</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_small" sourceRef="gateway" targetRef="small" />
    <bpmn:scriptTask id="big" name="大额">
      <bpmn:incoming>to_big</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>branch = "大额"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:scriptTask id="small" name="小额">
      <bpmn:incoming>to_small</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>branch = "小额"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="big" targetRef="end_big" />
    <bpmn:sequenceFlow id="f4" sourceRef="small" targetRef="end_small" />
    <bpmn:endEvent id="end_big"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_small"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
"""

TIMER_PROCESS = """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="serve" />
    <bpmn:scriptTask id="serve" name="送达">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>served_on = "2026-03-02"</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="serve" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait" name="期限届满">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition>
        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">deadline_timer(served_on)</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="overdue" />
    <bpmn:scriptTask id="overdue" name="逾期">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>overdue_on = today()</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f4" sourceRef="overdue" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
"""


def _single_script_process(script: str) -> str:
    return f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="run" />
    <bpmn:scriptTask id="run" name="脚本">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="run" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
"""


def _workflow(body: str, **data) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str((_HEADER + body + _FOOTER).encode("utf-8"), "inline.bpmn")
    wf = BpmnWorkflow(parser.get_spec("demo"), parser.get_subprocess_specs("demo"), script_engine=make_script_engine())
    wf.get_tasks(state=TaskState.READY)[0].data.update(data)
    return wf


def _completed_data(wf: BpmnWorkflow, bpmn_id: str) -> dict:
    (task,) = [t for t in wf.tasks.values() if t.task_spec.bpmn_id == bpmn_id and t.state == TaskState.COMPLETED]
    return task.data


def _run_script(script: str, **data) -> dict:
    RestrictedEnvironment().execute(script, data)
    return data


# ------------------------------------------------------------------------------------------------- ordinary scripts


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("fine * 2 + 100", Decimal("2500.00")),
        ("fine >= Decimal('1000') and party['type'] == '自然人'", True),
        ("[x * 2 for x in range(4)]", [0, 2, 4, 6]),
        ("{k: len(v) for k, v in {'a': 'xy', 'b': 'z'}.items()}", {"a": 2, "b": 1}),
        ("f'{party[\"name\"]}：罚款{fine}元'", "张三：罚款1200.00元"),
        ("sum(Decimal(x) for x in ['1.10', '2.20'])", Decimal("3.30")),
        ("(fine * Decimal('0.03')).quantize(Decimal('0.01'))", Decimal("36.00")),
        ("sorted(tags, reverse=True)[0]", "证据"),
        ("max(len(t) for t in tags) if tags else 0", 2),
        ("2 ** 10", 1024),
        ("'罚款' in penalty_kinds", True),
    ],
)
def test_ordinary_expressions_evaluate_over_case_data(expression, expected):
    data = {
        "fine": Decimal("1200.00"),
        "party": {"type": "自然人", "name": "张三"},
        "tags": ["听证", "证据"],
        "penalty_kinds": ["警告", "罚款"],
    }
    assert evaluate_condition(expression, data) == expected


def test_script_assignments_land_in_task_data_without_leaking_internals():
    data = _run_script(
        "def double(x):\n"
        "    return x * 2\n"
        "n = 0\n"
        "for i in range(5):\n"
        "    n += double(i)\n"
        "record = {'q': '姓名', 'a': party}\n"
        "record['checked'] = True\n"
        "rows = []\n"
        "rows.append(record)\n"
        "a, b = [1, 2]\n"
        "print('debug')\n",
        party="张三",
    )
    assert data == {
        "party": "张三",
        "n": 20,
        "i": 4,  # loop variables stay, as in plain Python
        "record": {"q": "姓名", "a": "张三", "checked": True},
        "rows": [{"q": "姓名", "a": "张三", "checked": True}],
        "a": 1,
        "b": 2,
    }


def _run_to_end(wf: BpmnWorkflow, **form) -> None:
    wf.do_engine_steps()
    (review,) = wf.get_tasks(state=TaskState.READY, manual=True)
    assert review.data["prepared"] == len(review.data["items"])  # preScript ran when the task became ready
    review.set_data(**form)
    review.run()
    wf.do_engine_steps()


def test_script_task_pre_post_scripts_and_gateway_run_restricted_in_a_real_workflow():
    with Clock.frozen("2026-03-02T09:30:00"):
        wf = _workflow(GATEWAY_PROCESS, amounts=["6000.50", "4000"])
        _run_to_end(wf, approved=True)
    assert wf.is_completed()
    data = _completed_data(wf, "big")
    assert data["filed_on"] == "2026-03-02"
    assert data["total"] == Decimal("10000.50")
    assert data["summary"] == {"count": 2, "label": "共2项，合计10000.50元"}
    assert data["approved_total"] == Decimal("10000.50")
    assert data["branch"] == "大额"


def test_gateway_falls_to_default_flow_when_condition_is_false():
    wf = _workflow(GATEWAY_PROCESS, amounts=["200"])
    _run_to_end(wf, approved=False)
    data = _completed_data(wf, "small")
    assert (data["branch"], data["approved_total"]) == ("小额", Decimal("0"))


def test_escape_in_a_script_task_fails_the_task_with_a_readable_message():
    wf = _workflow(_single_script_process("x = ().__class__.__base__"))
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert '脚本不允许访问属性 "__class__"' in str(caught.value)


def test_escape_in_a_gateway_condition_fails_with_a_readable_message():
    body = GATEWAY_PROCESS.replace('total &gt;= Decimal("10000")', "total.__class__ is None")
    wf = _workflow(body, amounts=["1"])
    with pytest.raises(WorkflowTaskException) as caught:
        _run_to_end(wf, approved=True)
    assert '脚本不允许访问属性 "__class__"' in str(caught.value)


def test_runtime_error_in_a_script_task_names_the_line():
    wf = _workflow(_single_script_process("a = 1\nb = missing + 1"))
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert '未定义的变量或函数 "missing"' in str(caught.value)
    assert caught.value.line_number == 2


def test_service_task_without_a_registered_service_raises_a_clean_error():
    environment = make_script_engine().environment
    with pytest.raises(ScriptError, match="未注册"):
        environment.call_service({}, operation_name="send_sms", operation_params={})


def test_registered_service_receives_evaluated_parameters():
    env = RestrictedEnvironment(services={"greet": lambda name: {"text": f"你好，{name}"}})
    result = env.call_service({}, operation_name="greet", operation_params={"name": {"value": "张三", "type": "str"}})
    assert result == '{"text": "你好，张三"}'


# ------------------------------------------------------------------------------------------------------------ escapes


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("().__class__.__base__.__subclasses__()", '脚本不允许访问属性 "__class__"'),
        ("f'{().__class__}'", '脚本不允许访问属性 "__class__"'),
        ("__import__('os')", "脚本不允许导入模块"),
        ("open('/etc/passwd')", '脚本不允许使用 "open"'),
        ("eval('1 + 1')", '脚本不允许使用 "eval"'),
        ("exec('x = 1')", '脚本不允许使用 "exec"'),
        ("compile('1', 'x', 'eval')", '脚本不允许使用 "compile"'),
        ("globals()", '脚本不允许使用 "globals"'),
        ("today.__globals__", '脚本不允许访问属性 "__globals__"'),
    ],
)
def test_escape_attempts_are_refused_before_running(source, message):
    assert message in check_syntax(source, "eval")
    with pytest.raises(ScriptError) as caught:
        evaluate_condition(source, {})
    assert message in caught.value.message


@pytest.mark.parametrize("source", ["import os", "from os import path", "import subprocess as sp"])
def test_imports_are_refused(source):
    assert check_syntax(source, "exec") == "第1行：脚本不允许导入模块"
    with pytest.raises(ScriptError, match="脚本不允许导入模块"):
        _run_script(source)


def test_getattr_cannot_reach_private_attributes():
    with pytest.raises(ScriptError, match='脚本不允许访问属性 "__globals__"'):
        evaluate_condition("getattr(x, '__globals__')", {"x": lambda: None})
    assert evaluate_condition("getattr(x, 'missing', 7)", {"x": 1}) == 7


def test_str_format_is_refused_in_favour_of_f_strings():
    with pytest.raises(ScriptError, match="format"):
        evaluate_condition("'{0.__class__}'.format(1)", {})


def test_while_loops_are_rejected_at_compile_time():
    problem = check_syntax("while True:\n    pass", "exec")
    assert problem is not None and "while" in problem
    with pytest.raises(ScriptError, match="while"):
        _run_script("n = 0\nwhile True:\n    n = n + 1")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("9**9**9", "乘方"),
        ("pow(10, 10**8)", "乘方"),
        ("range(10**9)", "range"),
        ("len(range(10001))", "range"),
        ("'x' * 10**9", "重复"),
        ("[0] * 10**9", "重复"),
        ("1 << 10**9", "移位"),
    ],
)
def test_expressions_that_would_hang_or_exhaust_a_worker_are_refused(source, message):
    with pytest.raises(ScriptError, match=message):
        evaluate_condition(source, {})


@pytest.mark.parametrize(
    "script",
    [
        "n = 0\nfor i in range(10000):\n    for j in range(10000):\n        n = j",
        "def f(n):\n    return f(n - 1) + f(n - 1) if n else 1\nr = f(60)",
        "s = 'ab'\nfor i in range(100):\n    s = s + s",
        "x = 3\nfor i in range(100):\n    x *= x",
    ],
)
def test_runaway_scripts_stop_with_a_step_or_size_limit(script):
    with pytest.raises(ScriptError, match="上限|过大"):
        _run_script(script)


def test_syntax_problems_are_reported_with_the_line():
    assert check_syntax("a = 1\nb = (", "exec").startswith("第2行：语法错误")
    assert check_syntax("amount >= 10000 and business_activity") is None
    assert check_syntax("\n   amount > 1\n") is None  # XML indentation around a condition


def test_private_names_are_refused():
    assert check_syntax("_secret = 1", "exec") == '第1行：脚本不允许使用以下划线开头的名称 "_secret"'


# ------------------------------------------------------------------------------------------------ clock and functions


def test_today_follows_the_frozen_clock_and_is_restored_afterwards():
    with Clock.frozen(datetime(2026, 3, 2, 23, 30)):
        assert evaluate_condition("today()", {}) == "2026-03-02"
        with Clock.frozen("2026-05-01"):
            assert Clock.current_date() == date(2026, 5, 1)
        assert Clock.current_date() == date(2026, 3, 2)
    # Real time again: China time, whatever the server's zone.
    assert Clock.now().utcoffset() == timedelta(hours=8)
    assert abs(Clock.now() - datetime.now(UTC)) < timedelta(minutes=1)


def test_an_aware_frozen_moment_is_read_in_china_time():
    with Clock.frozen(datetime(2026, 3, 2, 17, 0, tzinfo=UTC)):
        assert evaluate_condition("today()", {}) == "2026-03-03"


def test_date_functions_accept_iso_strings_and_dates_and_return_iso_strings():
    data = {"served_on": "2026-03-02", "decided": date(2026, 3, 6)}
    assert evaluate_condition("add_days(served_on, 15)", data) == "2026-03-17"
    assert evaluate_condition("deadline_timer(served_on)", data) == "2026-03-03T00:00:00+08:00"
    assert evaluate_condition("add_workdays(decided, 1)", data) == "2026-03-09"  # Friday → Monday
    expected = workdays.add_workdays(date(2026, 9, 30), 3).date.isoformat()
    assert evaluate_condition("add_workdays('2026-09-30', 3)", data) == expected
    expected = workdays.add_calendar_days(date(2026, 9, 25), 7).date.isoformat()
    assert evaluate_condition("add_calendar_days('2026-09-25', 7)", data) == expected


def test_late_surcharge_is_available_to_scripts():
    result = evaluate_condition("late_surcharge(fine, '2026-03-01', '2026-03-11')", {"fine": Decimal("1000")})
    assert result == Decimal("300.00")


def test_bad_dates_give_a_chinese_message():
    with pytest.raises(ScriptError, match="日期格式不正确"):
        evaluate_condition("add_days('3月2日', 1)", {})


def test_deadline_timer_fires_only_after_the_frozen_clock_passes_it():
    with Clock.frozen("2026-03-02T10:00:00"):
        wf = _workflow(TIMER_PROCESS)
        wf.do_engine_steps()
    (waiting,) = wf.get_tasks(state=TaskState.WAITING)
    assert waiting.task_spec.bpmn_id == "wait"

    with Clock.frozen("2026-03-02T23:59:59"):
        wf.refresh_timers()
        wf.do_engine_steps()
    assert not wf.is_completed()

    with Clock.frozen("2026-03-03T00:00:01"):
        wf.refresh_timers()
        wf.do_engine_steps()
    assert wf.is_completed()
    assert _completed_data(wf, "overdue")["overdue_on"] == "2026-03-03"
