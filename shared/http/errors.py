"""One error shape for every service: ``{"detail": [{"loc", "msg", "type"}]}``, like FastAPI's 422."""

from __future__ import annotations

from typing import Any

import asyncpg
from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from aiokafka.errors import KafkaError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.eventstore.errors import DomainError


def problem(loc: list[str], msg: str, kind: str, **ctx: object) -> dict:
    item = {"loc": loc, "msg": msg, "type": kind}
    if ctx:
        item["ctx"] = {k: v for k, v in ctx.items()}
    return item


def retry_headers(seconds: int) -> dict[str, str]:
    """When a client turned away may come back, in whole seconds."""
    return {"Retry-After": str(seconds)}


class RetryLater(HTTPException):
    """Not now, come back in ``seconds``: a 503 (or a 429) with Retry-After and one problem,
    said Chinese first, English beside, with the values that explain it. Raised from a route
    or a dependency; an exception handler, or a middleware below FastAPI's handlers, sends
    ``response()`` (an ASGI app itself) instead."""

    def __init__(self, seconds: int, zh: str, en: str, kind: str, *, loc: list[str] | None = None,
                 status_code: int = 503, **ctx: object):
        super().__init__(status_code, detail=[problem(loc or [], f"{zh} / {en}", kind, **ctx)],
                         headers=retry_headers(seconds))

    def response(self) -> JSONResponse:
        return JSONResponse({"detail": self.detail}, status_code=self.status_code, headers=self.headers)


# FastAPI's and Starlette's own refusals (an unparsable body, an unknown path, a method the
# path does not take) carry a bare English string; they are said again in the usual shape.
_PLAIN = {
    400: (["body"], "无法解析请求体", "body_unparsable"),
    404: (["path"], "无此路径", "not_found"),
    405: (["method"], "此路径不支持该方法", "method_not_allowed"),
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def plain_http_error(request: Request, exc: StarletteHTTPException):
        if not isinstance(exc.detail, str):
            return await http_exception_handler(request, exc)
        loc, zh, kind = _PLAIN.get(exc.status_code, ([], "请求未被接受", "http_error"))
        return JSONResponse({"detail": [problem(loc, f"{zh} / {exc.detail}", kind)]},
                            status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError):
        loc = [exc.location, *exc.field.split(".")] if exc.field else [exc.location]
        kind = type(exc).__name__
        # A value that is a mapping (e.g. per source) stays one; any other is said as a string.
        ctx = {k: jsonable_encoder(v) if isinstance(v, dict) else str(v) for k, v in exc.context.items()}
        return JSONResponse({"detail": [problem(loc, exc.message, kind, **ctx)]}, status_code=exc.status_code,
                            headers=None if exc.retry_after is None else retry_headers(exc.retry_after))

    # Text PostgreSQL cannot store (a NUL that came by a way RefuseNul does not see, such as a
    # header or a file's cell): the caller's input, so a 422; the command's transaction is gone.
    @app.exception_handler(asyncpg.UntranslatableCharacterError)
    @app.exception_handler(asyncpg.CharacterNotInRepertoireError)
    async def untranslatable(_: Request, exc: Exception):
        return JSONResponse({"detail": [problem([], "文本中含有无法保存的字符（如 NUL）/ the input holds a character "
                                                    "that cannot be stored (such as NUL)", "nul_character")]},
                            status_code=422)

    # The database or broker is away for a moment. A command runs in one transaction, so it
    # either committed (a retry with its idempotency key gets the first answer) or left
    # nothing behind: the client may retry. A PostgreSQL restart shows as any of these —
    # the server's shutdown notice (57P01), refused connections, or a pooled connection
    # that broke mid-protocol (asyncpg's bare InterfaceError / InternalClientError).
    @app.exception_handler(asyncpg.PostgresConnectionError)
    @app.exception_handler(asyncpg.OperatorInterventionError)
    @app.exception_handler(asyncpg.InsufficientResourcesError)
    @app.exception_handler(asyncpg.InterfaceError)
    @app.exception_handler(asyncpg.InternalClientError)
    @app.exception_handler(ConnectionError)
    @app.exception_handler(OSError)
    @app.exception_handler(KafkaError)
    async def unavailable(_: Request, exc: Exception):
        if isinstance(exc, asyncpg.InterfaceError) and type(exc) is not asyncpg.InterfaceError:
            raise exc  # DataError and kin: a defect in how a query was called, not an outage
        return RetryLater(2, "服务暂不可用，请稍后重试", f"temporarily unavailable: {type(exc).__name__}",
                          "unavailable").response()


class ErrorItem(BaseModel):
    """One problem with a request, in the shape FastAPI uses for its 422s."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int] = Field(description="出错位置：body / query / path / header 及字段 / where: the part, then the field")
    msg: str = Field(description="说明，中文在前、英文在后 / what is wrong, Chinese then English")
    type: str = Field(description="错误类别 / kind of error, e.g. NotFound, Conflict, forbidden, too_large")
    ctx: dict[str, Any] | None = Field(None, description="相关数值 / values that explain the error, e.g. a limit")


class ErrorResponse(BaseModel):
    """Every error answer of every service: 400, 401, 403, 404, 409, 413, 422, 503."""

    model_config = ConfigDict(extra="allow")

    detail: list[ErrorItem] = Field(description="问题列表 / the problems, one per field")


# What an answer with each status means, wherever a route says no more.
_MEANING = {
    400: "请求体无法解析（如非 UTF-8 的 JSON）/ the body could not be parsed (e.g. JSON that is not UTF-8)",
    401: "未登录或令牌无效、已过期 / no bearer token, or an invalid or expired one",
    403: "无权办理（角色或范围不符），未作任何更改 / not allowed (role or scope); nothing changed",
    404: "所指对象不存在 / something the request names does not exist",
    409: "与现有状态冲突，未作任何更改 / conflicts with the current state; nothing changed",
    413: "请求体过大，未作任何更改 / request body too large; nothing changed",
    422: "输入或规则不符，字段级说明，未作任何更改 / bad input or a broken rule, per field; nothing changed",
    503: "数据库或消息队列暂不可用，可按 Retry-After 重试 / database or broker away for a moment: retry after Retry-After",
}
_COMMAND_METHODS = {"post", "put", "patch", "delete"}


def error_statuses(method: str, op: dict[str, Any]) -> list[int]:
    """The error answers an operation can give, from what it is: secured (401, 403), a command
    (404, 409, 422: a rule or something it names), with a body (400, 413, 422), with parameters
    (404 when one names something, 422), and any (503: the database or broker away)."""
    statuses = {503}
    params = op.get("parameters", ())
    if op.get("security"):
        statuses |= {401, 403}
    if method in _COMMAND_METHODS:
        statuses |= {404, 409, 422}
    if "requestBody" in op:
        statuses |= {400, 413, 422}
    if params:
        statuses.add(422)
    if any(p["in"] == "path" for p in params):
        statuses.add(404)
    return sorted(statuses)


def document_errors(openapi: dict[str, Any]) -> dict[str, Any]:
    """Declare in an OpenAPI document the error answers each operation really gives, all with
    the shared ``ErrorResponse`` body, and the 200 a replayed command answers (same
    ``Idempotency-Key``: the first answer again). Routes' own descriptions are kept."""
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    generated = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(generated.pop("$defs", {}))
    schemas["ErrorResponse"] = generated
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
    for item in openapi.get("paths", {}).values():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            for status in error_statuses(method, op):
                responses.setdefault(str(status), {"description": _MEANING[status]})
            for status, answer in responses.items():
                if status[0] in "45" and not answer.get("content", {}).get("application/json", {}).get("schema"):
                    answer["content"] = body
            if "503" in responses:
                responses["503"].setdefault("headers", {"Retry-After": {
                    "description": "几秒后重试 / seconds to wait before retrying", "schema": {"type": "string"}}})
            replayable = any(p["in"] == "header" and p["name"].lower() == "idempotency-key"
                             for p in op.get("parameters", ()))
            if replayable and "201" in responses and "200" not in responses:
                responses["200"] = {**responses["201"],
                                    "description": "重放：同一幂等键，返回首次结果 / a replay (same Idempotency-Key): the first answer"}
            op["responses"] = dict(sorted(responses.items()))
    return openapi
