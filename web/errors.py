"""Engine errors and HTTP errors become one Chinese message and a 4xx status, as a page or as JSON."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import (
    ConflictError,
    EngineError,
    FormErrors,
    NotFound,
    NotReadyError,
    PermissionDenied,
    ValidationError,
)
from engine.pdf import ConversionFailed, ConversionUnavailable

STATUS = ((ConversionUnavailable, 503), (ConversionFailed, 503), (FormErrors, 400), (ValidationError, 400), (NotReadyError, 409), (ConflictError, 409),
          (PermissionDenied, 403), (NotFound, 404))
HTTP_MESSAGES = {
    400: "请求格式不正确",
    401: "请先登录",
    403: "您没有权限进行此操作",
    404: "页面不存在",
    405: "不支持该请求方式",
    409: "操作冲突，请刷新后重试",
    413: "上传的内容超过了允许的大小",
    415: "请求内容类型不正确",
    503: "服务暂时不可用，请稍后重试",
    500: "系统内部错误，已记录，请联系管理员",
}


def status_of(exc: EngineError) -> int:
    return next((code for cls, code in STATUS if isinstance(exc, cls)), 400)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def respond(status: int, message: str, errors: list[dict] | None = None):
    if wants_json():
        body = {"error": message, "status": status}
        if errors:
            body["errors"] = errors
        return jsonify(body), status
    return render_template("error.html", status=status, message=message, errors=errors or []), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(EngineError)
    def engine_error(exc: EngineError):
        return respond(status_of(exc), exc.message, getattr(exc, "errors", None))

    @app.errorhandler(CSRFError)
    def csrf_error(_exc):
        return respond(400, "页面已过期或表单来源无法验证，请刷新页面后重新提交")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 500
        message = HTTP_MESSAGES.get(code, exc.name)
        if code == 413:
            limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
            message = f"上传的内容超过了 {limit} MB 的限制，请压缩或分次上传"
        elif exc.description and _is_chinese(exc.description):
            message = exc.description
        return respond(code, message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return respond(500, HTTP_MESSAGES[500])


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
