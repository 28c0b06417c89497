"""One error shape, documented: the refusals FastAPI makes itself are said in the usual shape,
each operation's OpenAPI entry declares the errors it really gives, dates are ISO 8601 only,
and a hostile table is a bad file rather than a server error."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel, TypeAdapter, ValidationError

from shared.http.auth import current_principal
from shared.http.deps import IdempotencyKey, IsoDate, IsoDateTime
from shared.http.errors import document_errors, install_error_handlers
from services.registry.adapters.tables import UnreadableTable, read_table


class Thing(BaseModel):
    name: str


def build_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/things/{thing_id}", status_code=201)
    async def make(thing_id: str, body: Thing, _: Annotated[object, Depends(current_principal)],
                   idempotency_key: IdempotencyKey = None) -> dict:
        return {}

    @app.get("/open")
    async def open_() -> dict:
        return {}

    @app.get("/days")
    async def days(day: Annotated[IsoDate, Query()]) -> dict:
        return {"day": day.isoformat()}

    generate = app.openapi
    app.openapi = lambda: document_errors(generate())
    return app


def test_each_operation_declares_the_errors_it_gives_with_the_shared_body():
    spec = build_app().openapi()
    command = spec["paths"]["/things/{thing_id}"]["post"]["responses"]
    assert sorted(command) == ["200", "201", "400", "401", "403", "404", "409", "413", "422", "503"]
    assert "幂等" in command["200"]["description"] and command["200"]["content"] == command["201"]["content"]
    assert sorted(spec["paths"]["/open"]["get"]["responses"]) == ["200", "503"]
    assert sorted(spec["paths"]["/days"]["get"]["responses"]) == ["200", "422", "503"]
    for status, answer in command.items():
        if status[0] in "45":
            schema = answer["content"]["application/json"]["schema"]
            assert schema in ({"$ref": "#/components/schemas/ErrorResponse"},
                              {"$ref": "#/components/schemas/HTTPValidationError"}), status
    assert "Retry-After" in command["503"]["headers"]
    assert spec["components"]["schemas"]["ErrorResponse"]["required"] == ["detail"]
    assert document_errors(spec) == spec  # applied again (FastAPI caches the document): no change


async def test_fastapis_own_refusals_come_in_the_usual_shape():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app()), base_url="http://t") as client:
        answers = [await client.get("/nowhere"), await client.delete("/open"),
                   await client.post("/things/a", content=b"\xff", headers={"content-type": "application/json"})]
    for r, (status, loc) in zip(answers, [(404, ["path"]), (405, ["method"]), (400, ["body"])], strict=True):
        item = r.json()["detail"][0]
        assert (r.status_code, item["loc"]) == (status, loc), r.text
        assert " / " in item["msg"] and item["type"]


@pytest.mark.parametrize("text", ["0", "0.5", "1700000000", "yesterday", "30/06/2023"])
def test_dates_and_times_are_iso_8601_text_only(text):
    with pytest.raises(ValidationError):
        TypeAdapter(IsoDate).validate_python(text)
    with pytest.raises(ValidationError):
        TypeAdapter(IsoDateTime).validate_python(text)


def test_iso_8601_dates_and_times_are_read():
    assert TypeAdapter(IsoDate).validate_python("2023-06-30").isoformat() == "2023-06-30"
    assert TypeAdapter(IsoDateTime).validate_python("2023-06-30T08:00:00+08:00").utcoffset().seconds == 8 * 3600
    with pytest.raises(ValidationError):
        TypeAdapter(IsoDate).validate_python(0)


async def test_a_query_date_given_as_a_number_is_422():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app()), base_url="http://t") as client:
        assert (await client.get("/days", params={"day": "0"})).status_code == 422
        assert (await client.get("/days", params={"day": "2023-06-30"})).json() == {"day": "2023-06-30"}


@pytest.mark.parametrize("text", ["code,name\n" + "x" * 200_000 + ",1\n", "x" * 200_000 + "\n"])
def test_a_csv_cell_beyond_the_field_limit_is_a_bad_file_not_a_crash(text):
    with pytest.raises(UnreadableTable):
        header, rows = read_table("村表.csv", text.encode())
        list(rows)


def test_a_csv_table_is_read_with_row_numbers():
    header, rows = read_table("村表.csv", "code,name\n1,甲\n\n2,乙\n".encode())
    assert header == ["code", "name"] and [n for n, cells in rows if cells] == [2, 4]
