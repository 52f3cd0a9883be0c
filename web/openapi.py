"""The OpenAPI 3.1 description of /api/v1, written as data; tests check it names every route of the blueprint."""

from __future__ import annotations

from copy import deepcopy


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _list(name: str) -> dict:
    return {"type": "array", "items": _ref(name)}


def _errors(*codes: int) -> dict:
    return {str(code): {"$ref": f"#/components/responses/E{code}"} for code in codes}


def _op(summary: str, ok: dict, errors: tuple[int, ...], *, params=(), body: dict | None = None,
        status: str = "200", public: bool = False) -> dict:
    op = {"summary": summary, "responses": {status: ok, **_errors(*(() if public else (401,)), *errors)}}
    if params:
        op["parameters"] = list(params)
    if body is not None:
        op["requestBody"] = {"required": False, "content": {"application/json": {"schema": body}}}
    if public:
        op["security"] = []
    return op


P_CASE, P_TASK, P_DOC = ({"$ref": f"#/components/parameters/{n}"} for n in ("CaseId", "TaskId", "DocumentId"))
LIMIT = {"name": "limit", "in": "query", "description": "条数（1–500，默认 100）",
         "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}}
STR, INT, BOOL, DATE = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}, {"type": "string", "format": "date"}
NSTR, NDATE = {"type": ["string", "null"]}, {"type": ["string", "null"], "format": "date"}
NTIME = {"type": ["string", "null"], "format": "date-time"}
NINT = {"type": ["integer", "null"]}
FORM = {"type": "object", "description": "表单数据：字段见该任务或事项的 JSON Schema", "additionalProperties": True}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error", "status"], "properties": {
        "error": {**STR, "description": "给人看的中文说明，写明如何改正"}, "status": INT,
        "errors": {"type": "array", "items": _ref("FieldError"), "description": "表单逐项错误"}}},
    "FieldError": {"type": "object", "properties": {"field": {**STR, "description": "字段路径，如 party.name"},
                                                     "label": {**STR, "description": "字段中文名"}, "message": STR}},
    "Procedure": {"type": "object", "properties": {"key": STR, "name": STR, "category": STR,
                                                   "version": {**STR, "description": "程序版本（内容哈希）"}}},
    "Task": {"type": "object", "properties": {
        "id": STR, "bpmn_id": STR, "name": STR, "role": STR, "role_name": STR, "case_id": INT, "form": NSTR,
        "ready_at": NTIME, "due": NDATE, "due_provisional": BOOL, "remaining": {**NINT, "description": "剩余工作日"},
        "mark": {"enum": ["ok", "near", "overdue", "none"]}, "urgency": STR,
        "case_no": STR, "title": STR, "party_name": STR}},
    "TaskDetail": {"allOf": [_ref("Task"), {"type": "object", "properties": {
        "schema": {"type": "object", "description": "表单 JSON Schema（$ref 已展开）"},
        "produces": {"type": "array", "items": {"type": "object", "properties": {
            "template": STR, "title": STR, "condition": NSTR}}}}}]},
    "Event": {"type": "object", "properties": {"name": STR, "title": STR, "role": STR, "role_name": STR,
                                               "form": NSTR}},
    "Deadline": {"type": "object", "properties": {
        "key": STR, "name": STR, "start": DATE, "due": DATE, "unit": STR, "period": STR, "status": STR,
        "provisional": BOOL, "remaining": NINT, "mark": STR, "label": STR, "paused_on": NDATE, "closed_on": NDATE}},
    "Document": {"type": "object", "properties": {
        "id": INT, "case_id": INT, "template": STR, "title": STR, "doc_no": {**NSTR, "description": "文号"},
        "version": INT, "superseded": BOOL, "volume": STR, "date": DATE, "created_at": NTIME, "element": STR,
        "sha256": STR, "urls": {"type": "object", "properties": {"docx": STR, "pdf": STR}}}},
    "CaseSummary": {"type": "object", "properties": {
        "id": INT, "case_no": STR, "title": STR, "party_name": STR, "status": {"enum": ["open", "closed"]},
        "procedure": {}, "created_at": NTIME, "updated_at": NTIME, "closed_at": NTIME, "url": STR}},
    "Case": {"allOf": [_ref("CaseSummary"), {"type": "object", "properties": {
        "procedure": _ref("Procedure"), "tasks": _list("Task"), "available_events": _list("Event"),
        "deadlines": _list("Deadline"), "documents": _list("Document"),
        "data": {"type": "object", "description": "案件已采集的数据"},
        "labels": {"type": "object", "additionalProperties": STR, "description": "字段名 → 中文名"}}}]},
    "Completion": {"type": "object", "properties": {
        "task": {"type": "object", "properties": {"id": STR, "bpmn_id": STR, "name": STR}},
        "case": _ref("CaseSummary"), "documents": _list("Document"), "tasks": _list("Task")}},
    "AuditEvent": {"type": "object", "properties": {
        "seq": INT, "at": STR, "actor": STR, "role": STR, "kind": STR, "label": STR, "step": STR,
        "data": {"type": "object"}, "data_digest": STR, "prev_hash": STR, "hash": STR}},
    "AuditReport": {"type": "object", "properties": {"ok": BOOL, "events": INT,
                                                     "problems": {"type": "array", "items": STR}}},
    "PackageReport": {"type": "object", "required": ["ok", "problems", "checked"], "properties": {
        "ok": BOOL, "problems": {"type": "array", "items": STR, "description": "发现的问题（中文，写明文件名）"},
        "checked": {"type": "array", "items": STR, "description": "已核对通过的项目"}}},
    "Progress": {"type": "object", "properties": {
        "process_id": STR, "completed": {"type": "array", "items": STR}, "ready": {"type": "array", "items": STR},
        "waiting": {"type": "array", "items": STR}, "bpmn_xml": STR}},
}
ERRORS = {401: "缺少或无效的 API 令牌", 400: "请求或表单有误（见 errors）", 403: "无权操作（其他执法机关的案件或角色不符）",
          404: "不存在", 409: "状态冲突：任务已办理、案件不在该阶段（如尚未结案，不能立卷归档）或正被他人办理", 413: "请求体超过大小限制",
          503: "暂不可用（如本机未安装 LibreOffice，无法生成 PDF）"}


def _file(media: str, description: str) -> dict:
    return {"description": description, "content": {media: {"schema": {"type": "string", "contentMediaType": media}}}}


def _archive_paths() -> dict:
    """档案管理员 only: the 案卷 and the archival package of a closed case, and the offline check of a package."""
    note = "（仅限档案管理员；案件须已结案；首次立卷需转换文书，可能需要数十秒），记入调阅记录"
    verify = _op("离线校验归档包（仅限档案管理员；请求体为 ZIP 本身，不查询数据库）", _json(_ref("PackageReport"), "校验结果"),
                 (400, 403, 413))
    verify["requestBody"] = {"required": True, "content": {"application/zip": {
        "schema": {"type": "string", "contentMediaType": "application/zip"}}}}
    return {
        "/cases/{case_id}/casefile.pdf": {"get": _op(f"下载案卷 PDF{note}", _file("application/pdf", "案卷 PDF"),
                                                     (403, 404, 409, 503), params=(P_CASE,))},
        "/cases/{case_id}/package.zip": {"get": _op(
            f"下载归档包（BagIt ZIP，含生成时刻为止的全过程记录）{note}", _file("application/zip", "归档包"),
            (403, 404, 409, 503), params=(P_CASE,))},
        "/packages/verify": {"post": verify},
    }


def _paths() -> dict:
    case_ok, ok = _json(_ref("Case"), "案件"), (403, 404)
    return {
        "/procedures": {"get": _op("执法程序目录", _json(_list("Procedure"), "程序列表"), ())},
        "/cases": {
            "get": _op("本机关的案件列表（X-Total-Count 为总数）", _json(_list("CaseSummary"), "案件列表"), (400,), params=(
                {"name": "status", "in": "query", "schema": {"enum": ["open", "closed"]}, "description": "办理中/已结案"},
                {"name": "q", "in": "query", "schema": STR, "description": "按案件编号、案由、当事人检索"}, LIMIT,
                {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}})),
            "post": _op("创建案件（承办人）", _json(_ref("Case"), "新案件及其待办任务"), (400, 403, 413), status="201",
                        body={"type": "object", "required": ["procedure"], "properties": {"procedure": STR}})},
        "/cases/{case_id}": {"get": _op("案件详情：待办、可提出事项、期限、文书、数据", case_ok, ok, params=(P_CASE,))},
        "/cases/{case_id}/events/{name}": {"post": _op(
            "提出特别程序事项（如申请延长办案期限）", case_ok, (400, 403, 404, 409, 413), body=FORM,
            params=(P_CASE, {"name": "name", "in": "path", "required": True, "schema": STR}))},
        "/cases/{case_id}/documents": {"get": _op("案件文书（含各版本）", _json(_list("Document"), "文书列表"), ok,
                                                  params=(P_CASE,))},
        "/cases/{case_id}/audit": {"get": _op("全过程记录（哈希链）", _json(_list("AuditEvent"), "记录"), ok,
                                              params=(P_CASE,))},
        "/cases/{case_id}/audit/verify": {"get": _op("校验全过程记录是否被篡改", _json(_ref("AuditReport"), "校验结果"),
                                                     ok, params=(P_CASE,))},
        "/cases/{case_id}/progress": {"get": _op("流程进度（流程图及已办、待办、等待的环节）",
                                                 _json(_ref("Progress"), "进度"), (*ok, 400), params=(P_CASE,))},
        "/tasks": {"get": _op("我的待办（期限最近的在前）", _json(_list("Task"), "待办"), (400,), params=(LIMIT,))},
        "/tasks/{task_id}": {"get": _op("任务详情：表单 JSON Schema 及将生成的文书", _json(_ref("TaskDetail"), "任务"),
                                        ok, params=(P_TASK,))},
        "/tasks/{task_id}/complete": {"post": _op(
            "办理任务：提交表单（已办理或不存在的任务返回 409）", _json(_ref("Completion"), "生成的文书及后续待办"),
            (400, 403, 409, 413), body=FORM, params=(P_TASK,))},
        "/documents/{document_id}": {"get": _op(
            "下载文书（.docx，或 ?format=pdf），记入调阅记录",
            {"description": "文书文件", "content": {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                    "schema": {"type": "string", "contentMediaType": "application/octet-stream"}},
                "application/pdf": {"schema": {"type": "string", "contentMediaType": "application/pdf"}}}},
            (400, 403, 404, 503), params=(P_DOC, {"name": "format", "in": "query",
                                                  "schema": {"enum": ["docx", "pdf"], "default": "docx"}}))},
        **_archive_paths(),
        "/openapi.json": {"get": _op("本 API 的 OpenAPI 描述（无需令牌）", _json({"type": "object"}, "OpenAPI 3.1 文档"),
                                     (), public=True)},
    }


def _path_param(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


def document() -> dict:
    """The OpenAPI 3.1 document (a fresh copy each call)."""
    return deepcopy({
        "openapi": "3.1.0",
        "info": {"title": "执法文书流转引擎 API", "version": "1",
                 "description": "以 API 令牌（我的账号 → API 令牌）办理案件；权限与页面相同：仅限本机关案件，任务须由相应角色办理。"
                                "所有错误均为 JSON：{error, status[, errors]}。"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "个人 API 令牌（ef_…）"}},
            "parameters": {
                "CaseId": _path_param("case_id", "案件 id", {"type": "integer", "minimum": 1}),
                "TaskId": _path_param("task_id", "任务 id（UUID）", STR),
                "DocumentId": _path_param("document_id", "文书 id", {"type": "integer", "minimum": 1}),
            },
            "schemas": SCHEMAS,
            "responses": {f"E{code}": _json(_ref("Error"), text) for code, text in ERRORS.items()},
        },
    })
