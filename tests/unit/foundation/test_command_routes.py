"""A route registered by ``CommandRoutes`` is the route one would write: the same API document
(operation id, path parameter, body, response, status) and, over HTTP, the same command, caller
and ids handed to the runner, and the same status."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, FastAPI, Path
from pydantic import BaseModel

from shared.http.command_routes import CommandRoutes


class Approve(BaseModel):
    note: str = "ok"


class Rename(BaseModel):
    name: str


class Answer(BaseModel):
    command: str
    caller: str
    ids: dict[str, str]


ItemId = Annotated[str, Path(max_length=8, description="编号 / id")]


async def _clerk() -> str:
    return "clerk"


async def _chief() -> str:
    return "chief"


Clerk = Annotated[str, Depends(_clerk)]
Chief = Annotated[str, Depends(_chief)]


class FakeRunner:
    """Answers with what a route hands over."""

    async def __call__(self, cmd: BaseModel, caller: str, **ids: str) -> dict:
        return {"command": type(cmd).__name__ + cmd.model_dump_json(), "caller": caller, "ids": ids}


Run = Annotated[FakeRunner, Depends(FakeRunner)]


def written_app() -> FastAPI:
    router = APIRouter(prefix="/items")

    @router.post("/{item_id}/rename", summary="改名 / rename")
    async def rename_item(item_id: ItemId, cmd: Rename, caller: Clerk, run: Run) -> Answer:
        return await run(cmd, caller, item_id=item_id)

    @router.post("/{item_id}/approve", status_code=201, summary="批准 / approve")
    async def approve(item_id: ItemId, caller: Chief, run: Run, cmd: Approve | None = None) -> Answer:
        return await run(cmd or Approve(), caller, item_id=item_id)

    app = FastAPI()
    app.include_router(router)
    return app


def registered_app() -> FastAPI:
    router = APIRouter(prefix="/items")
    writes = CommandRoutes(router.post, Run, Clerk, item_id=ItemId)
    writes.add("/{item_id}/rename", Rename, Answer, name="rename_item", summary="改名 / rename")
    writes.add("/{item_id}/approve", Approve, Answer, caller=Chief, optional=True, status_code=201,
               summary="批准 / approve")
    app = FastAPI()
    app.include_router(router)
    return app


def test_the_api_document_is_the_written_routes():
    assert registered_app().openapi() == written_app().openapi()


def test_the_endpoint_is_named_after_the_command_unless_named():
    router = APIRouter()
    writes = CommandRoutes(router.post, Run, Clerk)
    writes.add("/approvals", Approve, Answer)
    assert [r.name for r in router.routes] == ["approve"]


async def test_the_runner_gets_the_command_the_caller_and_the_ids():
    for app in (written_app(), registered_app()):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            renamed = await c.post("/items/a1/rename", json={"name": "新名"})
            assert renamed.status_code == 200
            assert renamed.json() == {"command": 'Rename{"name":"新名"}', "caller": "clerk", "ids": {"item_id": "a1"}}
            approved = await c.post("/items/a2/approve")  # no body: the command's defaults
            assert approved.status_code == 201
            assert approved.json() == {"command": 'Approve{"note":"ok"}', "caller": "chief", "ids": {"item_id": "a2"}}
            refused = await c.post("/items/toolong123/rename", json={"name": "x"})
            assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["path", "item_id"]
