"""Every branch of the penalty procedure, driven through the engine by the demo scenarios."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from engine import store
from engine.catalog import Catalog
from engine.demo import run_demo
from engine.documents import docx_text
from engine.runtime import Runtime

CATALOG = Catalog()
SCENARIOS = sorted(json.loads((CATALOG.workflows / "penalty/demo/scenarios.json").read_text("utf-8"))["scenarios"])

# Documents a user would expect each case to contain (by title), and ones it must not contain.
EXPECT = {
    "simple": ({"当场行政处罚决定书"}, {"立案审批表", "行政处罚决定书"}),
    "standard": ({"立案审批表", "询问笔录", "现场笔录", "先行登记保存证据通知书", "解除先行登记保存证据通知书",
                  "案件调查终结报告", "行政处罚告知书", "陈述申辩笔录", "行政处罚决定书", "送达回证", "结案审批表"},
                 {"听证笔录"}),
    "hearing": ({"行政处罚告知书", "行政处罚听证通知书", "听证笔录", "听证报告", "行政处罚案件集体讨论记录",
                 "行政处罚决定书", "送达回证", "结案审批表"}, set()),
    "review-returned": ({"法制审核意见书", "行政处罚案件集体讨论记录", "行政处罚决定书"}, set()),
    "suspended": ({"案件中止调查决定书", "恢复案件调查决定书", "行政处罚案件有关事项审批表"}, set()),
    "transfer": ({"涉嫌犯罪案件移送书", "结案审批表"}, {"行政处罚决定书"}),
    "no-penalty": ({"不予行政处罚决定书", "结案审批表"}, {"行政处罚决定书", "行政处罚告知书"}),
    "not-filed": ({"不予立案审批表"}, {"立案审批表"}),
    "overdue-payment": ({"行政处罚决定履行催告书", "强制执行申请书", "结案审批表"}, set()),
}

# Deadlines a handler would check by hand: (name, start, due) on the official calendar.
DEADLINES = {
    "standard": [("作出行政处罚决定期限", "2026-03-03", "2026-06-01"),  # 立案 + 90 日 (处罚法 60)
                 ("陈述申辩及听证申请期限", "2026-03-13", "2026-03-20"),  # 5 WD (处罚法 64)
                 ("罚款缴纳期限", "2026-03-25", "2026-04-09")],  # 15 日 from service (处罚法 67)
    # 15 日 from 04-03 ends on Saturday 04-18 → Monday 04-20 (民法典 203)
    "hearing": [("罚款缴纳期限", "2026-04-03", "2026-04-20")],
    # 90 日 + 16 日 检测 + 21 日 中止 + 30 日 延期
    "suspended": [("作出行政处罚决定期限", "2026-03-03", "2026-08-07")],
    # 起诉期限 ends six months after service (03-13 → Sunday 09-13 → 09-14), then three months (行政强制法 53)
    "overdue-payment": [("申请人民法院强制执行期限", "2026-09-14", "2026-12-14")],
}


@pytest.fixture
def round_trip_runtime(monkeypatch):
    """A runtime that, after every save, checks serialize → deserialize → serialize gives the same state."""
    runtime = Runtime(CATALOG)
    original = Runtime._save
    checked = []

    def save(self, session, work, wf):
        original(self, session, work, wf)
        procedure = work.procedure
        again = store.load_workflow(work.case.state, procedure.spec, procedure.subprocess_specs, self.script_engine)
        assert store.dump_workflow(again) == work.case.state
        checked.append(work.case.id)

    monkeypatch.setattr(Runtime, "_save", save)
    runtime.checked = checked
    return runtime


def test_every_expected_scenario_is_shipped():
    assert set(SCENARIOS) == set(EXPECT)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_runs_to_the_end_with_its_documents(scenario, tmp_path, round_trip_runtime):
    summary = run_demo("penalty", scenario, "2026-03-02", str(tmp_path / "out"), runtime=round_trip_runtime)
    assert summary["status"] == "closed"
    assert summary["audit_verified"] is True
    assert len(round_trip_runtime.checked) >= len(summary["steps"])
    titles = {d["title"] for d in summary["documents"]}
    present, absent = EXPECT[scenario]
    assert present <= titles, f"missing: {present - titles}"
    assert not (absent & titles), f"unexpected: {absent & titles}"
    deadlines = {(d["name"], d["start"], d["due"]) for d in summary["deadlines"]}
    assert set(DEADLINES.get(scenario, [])) <= deadlines, sorted(deadlines)
    assert [d["name"] for d in summary["deadlines"] if d["status"] in ("open", "paused")] == [], "open after 结案"
    numbers = [d["doc_no"] for d in summary["documents"] if d["doc_no"]]
    assert len(numbers) == len(set(numbers)), "a 文号 was used twice"
    assert all("〔2026〕" in n and n.endswith("号") and "第" not in n for n in numbers)
    decision = next((d["doc_no"] for d in summary["documents"] if d["title"] in ("行政处罚决定书", "不予行政处罚决定书")), None)
    citing = {"送达回证", "行政处罚决定履行催告书", "强制执行申请书", "延期（分期）缴纳罚款通知书"}
    for doc in summary["documents"]:
        if doc["title"] in citing:  # later documents cite the decision by its 文号
            assert decision in docx_text((tmp_path / "out" / doc["file"]).read_bytes()), doc["title"]
    for doc in summary["documents"]:
        content = (tmp_path / "out" / doc["file"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == doc["sha256"]
        text = docx_text(content)
        assert doc["title"].replace("（", "").replace("）", "")[:4] in text.replace("（", "").replace("）", "")
        assert "{{" not in text and "{%" not in text
        assert not re.search(r"[a-z]+_[a-z_]+|None|True|False", text), (doc["title"], text)
