"""A small procedure written into a temporary workflows/ tree, to test the runtime on its own."""

from __future__ import annotations

import json
from pathlib import Path

from docx import Document

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="collab"><bpmn:participant id="pool" name="迷你程序" processRef="mini"/></bpmn:collaboration>
  <bpmn:process id="mini" name="迷你程序" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane_handler" name="承办人">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>register</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>remind</bpmn:flowNodeRef><bpmn:flowNodeRef>end_reminded</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_head" name="负责人">
        <bpmn:flowNodeRef>approve</bpmn:flowNodeRef><bpmn:flowNodeRef>overdue</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end_done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="开始"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="register" name="登记">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="register.json"/>
        <spiffworkflow:property name="documents" value="notice&#10;notice_big | fine_amount &gt;= 10000"/>
        <spiffworkflow:property name="validate" value="served_on &gt;= '2026-01-01' | 送达日期不能早于2026年"/>
        <spiffworkflow:property name="opens_deadline" value="pay_due | 罚款缴纳期限 | 15CD | served_on"/>
        <spiffworkflow:property name="task_deadline" value="5WD"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="approve" name="审批">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="approval.json"/>
        <spiffworkflow:property name="closes_deadline" value="pay_due"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="overdue" name="逾期" attachedToRef="approve">
      <bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:timerEventDefinition id="overdue_timer"><bpmn:timeDate>deadline_timer(pay_due)</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="remind" name="催告"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end_done" name="结束"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_reminded" name="已催告"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="register"/>
    <bpmn:sequenceFlow id="f2" sourceRef="register" targetRef="approve"/>
    <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="end_done"/>
    <bpmn:sequenceFlow id="f4" sourceRef="overdue" targetRef="remind"/>
    <bpmn:sequenceFlow id="f5" sourceRef="remind" targetRef="end_reminded"/>
  </bpmn:process>
</bpmn:definitions>
"""

REGISTER_FORM = {
    "type": "object",
    "title": "登记",
    "required": ["party", "fine_amount", "served_on"],
    "properties": {
        "party": {"type": "object", "title": "当事人", "required": ["name"],
                  "properties": {"name": {"type": "string", "title": "名称", "minLength": 1}}},
        "fine_amount": {"type": "string", "format": "money", "title": "罚款金额", "pattern": "^\\d+(\\.\\d{1,2})?$"},
        "served_on": {"type": "string", "format": "date", "title": "送达日期"},
    },
}
APPROVAL_FORM = {"type": "object", "title": "审批", "required": ["approved"],
                 "properties": {"approved": {"type": "boolean", "title": "是否同意"}}}


def _template(path: Path, lines: list[str]) -> None:
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    doc.save(path)


def write_mini(root: Path) -> Path:
    """Create workflows/mini and doc_templates/mini under `root`; return root."""
    wf = root / "workflows" / "mini"
    (wf / "forms").mkdir(parents=True)
    (root / "workflows" / "shared").mkdir()
    (wf / "procedure.json").write_text(json.dumps({"key": "mini", "name": "迷你程序", "process": "mini",
                                                   "templates": "mini"}, ensure_ascii=False), "utf-8")
    (wf / "mini.bpmn").write_text(BPMN, "utf-8")
    (wf / "forms" / "register.json").write_text(json.dumps(REGISTER_FORM, ensure_ascii=False), "utf-8")
    (wf / "forms" / "approval.json").write_text(json.dumps(APPROVAL_FORM, ensure_ascii=False), "utf-8")
    tpl = root / "doc_templates" / "mini"
    tpl.mkdir(parents=True)
    _template(tpl / "notice.docx", ["缴款通知书", "{{ doc.no }}", "当事人：{{ party.name }}",
                                    "罚款：{{ fine_amount|cn_amount }}", "缴纳期限：{{ pay_due|cn_date }}"])
    _template(tpl / "notice_big.docx", ["大额告知", "{{ party.name }}"])
    (tpl / "documents.json").write_text(json.dumps({"procedure": "mini", "templates": {
        "notice": {"file": "notice.docx", "title": "缴款通知书", "number_kind": "缴", "volume": "正卷"},
        "notice_big": {"file": "notice_big.docx", "title": "大额告知", "number_kind": None, "volume": "副卷"},
    }}, ensure_ascii=False), "utf-8")
    return root
