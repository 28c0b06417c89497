"""Limits on what a caller may send: body size, string lengths, page sizes — with clear errors.

- Body size: every request body is capped at ``Settings.max_body_bytes`` (1 MiB unless
  configured). An upload endpoint sets its own cap with FastAPI's route parameter,
  ``@router.post("/imports", max_body_size=50 * MIB)``. Too large → 413 in the usual error
  shape, decided from Content-Length before anything is read, or while a chunked body streams.
- File size: an upload endpoint reads each file with ``read_upload(file, limit, field=...)``,
  which refuses a file over its own cap with 413 at the file's field.
- Strings and pages: the annotated types below (``Name``, ``Text``, ``LongText``,
  ``PageSize``, ``Cursor``) carry their bounds into validation and the OpenAPI document;
  a value out of bounds → 422 with the field's location.
- ``unbounded_inputs(openapi)`` lists request inputs without an upper bound, for a check
  over every service's OpenAPI document.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import StringConstraints
from starlette.middleware import body_limit as _starlette_body_limit
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.errors import problem

MIB = 1024 * 1024
DEFAULT_MAX_BODY = MIB
# An upload's body is its file plus the multipart framing and the form's other fields: a route
# that takes files of up to N bytes caps its body at N + this, and refuses a larger file itself.
MULTIPART_OVERHEAD = 64 * 1024
MAX_PAGE_SIZE = 500
ECHO_MAX = 200  # longer inputs are not sent back in a 422
# Starlette keeps its limiter's exception private; FastAPI looks it up the same way.
_starlette_too_large = getattr(_starlette_body_limit, "_RequestBodyTooLarge", None)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"每页条数（最多 {MAX_PAGE_SIZE}）/ page size")]
Cursor = Annotated[str | None, Query(max_length=200, description="上一页的游标 / cursor from the previous page")]


def too_large(limit: int) -> dict:
    return {"detail": [problem(
        ["body"], f"请求体过大，最多 {limit} 字节 / request body too large: at most {limit} bytes", "too_large",
        limit=limit)]}


async def read_upload(file: UploadFile, limit: int, *, field: str, index: int | None = None,
                      name: str | None = None) -> bytes:
    """The file's bytes; a file over ``limit`` → 413 at ``["body", field]`` (``[..., index]`` for
    the n-th of a list of files), reading no more than ``limit + 1`` bytes of it.

    A route's ``max_body_size`` also counts the multipart framing and any other files, so
    each file is held to its own cap here. The message names the file if ``name`` is given.
    """
    content = await file.read(limit + 1)
    if len(content) > limit:
        loc: list[str | int] = ["body", field, *(() if index is None else (index,))]
        what = "文件" if name is None else f"文件 {name} "
        raise HTTPException(413, detail=[problem(
            loc, f"{what}超过 {limit} 字节 / file larger than {limit} bytes", "too_large", limit=limit)])
    return content


class BodyTooLarge(HTTPException):
    """Raised from ``receive``: FastAPI passes HTTPExceptions from body parsing through unchanged."""

    def __init__(self, limit: int):
        super().__init__(413, detail=too_large(limit)["detail"])


class BodySizeLimit:
    """ASGI middleware: caps the body at the route's own ``max_body_size`` if it declares one
    (FastAPI puts it in the scope while the route runs), else at ``max_bytes``.

    Content-Length is checked before the first byte is read; a body without one is counted
    as it streams. FastAPI's per-route limiter answers in plain text; its 413s are rewritten
    into the usual error shape.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        received = 0
        rewritten = False

        def limit() -> int:
            declared = scope.get(MAX_BODY_SIZE_SCOPE_KEY)
            return self.max_bytes if declared is None else declared

        async def limited_receive() -> Message:
            nonlocal received
            cap = limit()
            if length is not None and length > cap:
                raise BodyTooLarge(cap)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise BodyTooLarge(cap)
            return message

        async def shaped_send(message: Message) -> None:
            nonlocal rewritten
            if message["type"] == "http.response.start" and message["status"] == 413 and _plain_text(message):
                rewritten = True
                body = json.dumps(too_large(limit()), ensure_ascii=False).encode()
                await send({"type": "http.response.start", "status": 413, "headers": [
                    (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close")]})
                await send({"type": "http.response.body", "body": body})
            elif not rewritten:
                await send(message)

        await self.app(scope, limited_receive, shaped_send)


# A NUL in JSON text is the escape \u0000 (a raw NUL byte is not valid JSON at all); an odd
# number of backslashes before "u0000" makes it one, an even number is an escaped backslash.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def nul_refusal(where: list[str]) -> dict:
    return {"detail": [problem(where, "文本中不能含空字符（NUL）/ text may not contain a NUL character",
                               "nul_character")]}


class NulInBody(HTTPException):
    """Raised from ``receive``, as ``BodyTooLarge`` is: FastAPI passes it through unchanged."""

    def __init__(self):
        super().__init__(422, detail=nul_refusal(["body"])["detail"])


class RefuseNul:
    """ASGI middleware: a NUL character in the path, the query or a JSON body → 422, before
    any handler runs. PostgreSQL cannot store NUL in text or jsonb: left through, it failed
    the command's statement with a 500 after the handler had run. A JSON body is looked at
    as the route reads it (so the route's own size cap applies), whole once its last chunk
    is in. Files (multipart) are the upload routes' to check."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").lower()
        if "\x00" in scope.get("path", "") or b"%00" in query:
            await _answer(send, 422, nul_refusal(["query"] if b"%00" in query else ["path"]))
            return
        if not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def checked_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    body = b"".join(chunks)
                    chunks.clear()
                    # The regex walks every byte (≈ 10–25 µs a command's body); the escape it
                    # looks for must be there for it to match, and finding it is a plain substring search.
                    if b"\x00" in body or (b"\\u0000" in body and _JSON_NUL.search(body)):
                        raise NulInBody()
            return message

        await self.app(scope, checked_receive, send)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            kind = value.split(b";", 1)[0].strip().lower()
            return kind == b"application/json" or kind.endswith(b"+json")
    return False


async def _answer(send: Send, status: int, content: dict) -> None:
    body = json.dumps(content, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _plain_text(message: Message) -> bool:
    return any(k == b"content-type" and v.startswith(b"text/plain") for k, v in message.get("headers", ()))


# Chinese first, English beside, for the validation errors a limit produces.
_ZH = {
    "string_too_long": "文本过长",
    "string_too_short": "文本过短",
    "too_long": "条目过多",
    "too_short": "条目过少",
    "less_than_equal": "数值过大",
    "less_than": "数值过大",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "missing": "缺少必填项",
    "json_invalid": "JSON 格式错误",
}


def bilingual_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for error in jsonable_encoder(errors):
        error = dict(error)
        if (zh := _ZH.get(error.get("type"))) and not error.get("msg", "").startswith(zh):
            error["msg"] = f"{zh} / {error.get('msg', '')}"
        value = error.get("input")
        if isinstance(value, str) and len(value) > ECHO_MAX:
            error["input"] = value[:ECHO_MAX] + "…"
        elif isinstance(value, (dict, list)) and len(repr(value)) > ECHO_MAX:
            error.pop("input")
        out.append(error)
    return out


def install_limits(app: FastAPI, max_body_bytes: int = DEFAULT_MAX_BODY) -> None:
    app.add_middleware(RefuseNul)  # added first: runs inside the size limit
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)

    if _starlette_too_large is not None:  # FastAPI's per-route limiter, from a chunked body
        @app.exception_handler(_starlette_too_large)
        async def route_body_too_large(request: Request, _: Exception):
            declared = request.scope.get(MAX_BODY_SIZE_SCOPE_KEY, max_body_bytes)
            return JSONResponse(too_large(declared), status_code=413, headers={"Connection": "close"})

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError):
        return JSONResponse({"detail": bilingual_errors(list(exc.errors()))}, status_code=422)


def unbounded_inputs(openapi: dict[str, Any]) -> list[str]:
    """Request inputs an attacker could make arbitrarily large: strings without maxLength
    (nor enum, pattern or format), arrays without maxItems, ``limit`` parameters without a maximum."""
    schemas = openapi.get("components", {}).get("schemas", {})
    found: list[str] = []

    def walk(schema: dict[str, Any], where: str, seen: frozenset[str]) -> None:
        if ref := schema.get("$ref"):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                walk(schemas.get(name, {}), where, seen | {name})
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for option in schema.get(key, ()):
                walk(option, where, seen)
        kind = schema.get("type")
        if kind == "string" and not any(k in schema for k in ("maxLength", "enum", "const", "pattern", "format")):
            found.append(where)
        elif kind == "array":
            if "maxItems" not in schema:
                found.append(where)
            walk(schema.get("items", {}), f"{where}[]", seen)
        elif kind == "object" or "properties" in schema:
            for prop, sub in schema.get("properties", {}).items():
                walk(sub, f"{where}.{prop}", seen)
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict):
                walk(extra, f"{where}.*", seen)

    for path, item in openapi.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            where = f"{method.upper()} {path}"
            for param in op.get("parameters", ()):
                if param.get("in") == "header":
                    continue  # bounded by the server's header limits
                schema = param.get("schema", {})
                walk(schema, f"{where} {param['in']}:{param['name']}", frozenset())
                if param["name"] in ("limit", "page_size") and not _has_maximum(schema):
                    found.append(f"{where} {param['in']}:{param['name']} (no maximum)")
            for media in op.get("requestBody", {}).get("content", {}).values():
                walk(media.get("schema", {}), f"{where} body", frozenset())
    return found


def _has_maximum(schema: dict[str, Any]) -> bool:
    return "maximum" in schema or any(_has_maximum(s) for s in schema.get("anyOf", ()))
