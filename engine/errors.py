"""Engine errors: each carries a Chinese message for people and, where known, the field, element or file to fix."""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        element: str | None = None,
        file: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.element = element
        self.file = file

    def __str__(self) -> str:
        where = [f"{k}={v}" for k, v in (("file", self.file), ("element", self.element), ("field", self.field)) if v]
        return f"{self.message} ({', '.join(where)})" if where else self.message


class ValidationError(EngineError):
    pass


class NotReadyError(EngineError):
    pass


class ConflictError(EngineError):
    pass


class PermissionDenied(EngineError):
    pass


class NotFound(EngineError):
    pass


class TemplateError(EngineError):
    pass


class ScriptError(EngineError):
    pass


class DefinitionError(EngineError):
    pass


class FormErrors(ValidationError):
    """A submission refused with one message per field (`errors`: [{"field", "message"}])."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        summary = "；".join(f"{e['label']}：{e['message']}" if e.get("label") else e["message"] for e in errors)
        super().__init__(f"表单填写有误：{summary}", field=errors[0].get("field") if errors else None)
        self.errors = errors
