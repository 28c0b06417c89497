"""精准识别 / screening runs and designation of the weak villages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel, ConfigDict, Field

from shared.identity import Reach
from shared.http.deps import Store

from services.registry.config import registry_settings
from services.registry.domain.objections import (
    AnswerObjection,
    ConfirmDesignation,
    LodgeObjection,
    OpenObjectionWindow,
)
from services.registry.domain.screening import RunScreening
from services.registry.entrypoints import schemas
from services.registry.entrypoints.deps import CityOffice, Objectors, OfficialReaders, Run, Staff, command_routes
from services.registry.queries import objections, read, screenings
from services.registry.queries.screenings import with_yuan

router = APIRouter(prefix="/screenings", tags=["精准识别 screening"])
RunId = Annotated[str, Path(max_length=64, description="筛选批次 / run id")]
ObjectionId = Annotated[str, Path(max_length=64, description="异议编号 / objection id")]
writes = command_routes(router, Objectors, run_id=RunId, objection_id=ObjectionId)


class Preview(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quota: int | None = Field(None, ge=1, le=1_000_000, description="认定数量 N（默认 800）/ how many (default 800)")


@writes.route(
    "",
    summary="开展筛选并认定 / run a screening and designate the bottom N",
    description=(
        "全市倒排：按 2018–2020 年村集体经营性收入三年平均（分，向下取整）自下而上排序，相同时按村代码；"
        "认定倒数 N 个村（默认 800）。已有现行批次时须在 supersedes 中写明，返回新增与移出名单。"
        " / Ranks every registered village city-wide by its 2018–2020 average (fen, floored), ties by code, "
        "and designates the bottom N (default 800). Once a run is in force, a new run must name it in "
        "`supersedes`; the answer lists the villages in and out."
    ),
    created=True,
)
async def run_screening(cmd: RunScreening, _: CityOffice, run: Run) -> schemas.ScreeningDone:
    return with_yuan(await run(cmd, registry_settings().designation_quota))


@router.post("/preview", summary="预览筛选结果（不写入）/ preview a run without recording it")
async def preview(store: Store, _: CityOffice,
                  body: Annotated[Preview, Body()] = Preview()) -> schemas.ScreeningPreview:
    return await read(store, screenings.preview, body.quota or registry_settings().designation_quota)


@router.get("", summary="全部筛选批次 / every screening run")
async def list_runs(store: Store, _: Staff) -> schemas.ScreeningList:
    return await read(store, screenings.runs)


@router.get("/{run_id}", summary="筛选批次全文（输入、规则、排序、分界线）/ a run in full: inputs, rule, ranking, cut-off")
async def get_run(run_id: RunId, store: Store, _: Staff) -> schemas.ScreeningRunView:
    return await read(store, screenings.run, run_id)


@router.get(
    "/{run_id}/verify",
    summary="重新推导并核对 / re-derive a run and say whether it matches",
    description="用记录的规则与输入重算排序、分界线与认定名单，并核对输入是否与当时登记一致、增减名单是否与上一批次相符 / "
                "recomputes the ranking, cut-off and list from the recorded inputs, and checks the inputs against "
                "the register of the time and the in/out lists against the superseded run.",
)
async def verify(run_id: RunId, store: Store, _: Staff) -> schemas.ScreeningVerification:
    return await read(store, screenings.verify, run_id)


# 公示期异议 / the list's objection window: open, object, answer, confirm.


@writes.route(
    "/{run_id}/objection-window", created=True,
    summary="开启公示异议期 / open the designated list's objection window",
    description="仅现行批次；公示天数按配置（XINGCUN_REGISTRY_OBJECTION_WINDOW_DAYS，默认 7 天，记入事件）。 / The run in "
                "force only; the window lasts the configured days (default 7), recorded in the event.",
)
async def open_objection_window(run_id: RunId, cmd: OpenObjectionWindow, _: CityOffice,
                                run: Run) -> schemas.ObjectionWindow:
    return await run(cmd, registry_settings().objection_window_days, run_id=run_id)


writes.add("/{run_id}/objections", LodgeObjection, schemas.ObjectionLodgedView, created=True,
           summary="登记异议 / record an objection to the list",
           description="公示期内；异议人与理由加密记录（个人数据）。 / Within the window; who objects and the grounds are "
                       "recorded sealed (personal data).")


writes.add("/{run_id}/objections/{objection_id}/answer",
           AnswerObjection, schemas.ObjectionAnsweredView, caller=CityOffice,
           summary="答复异议（成立/不成立）/ answer an objection: upheld or dismissed",
           description="仅一次；登记该异议的账号不能答复。 / Once; not by the account that recorded it.")


@writes.route(
    "/{run_id}/confirmation",
    summary="公示期满确认名单 / confirm the list after its window",
    description="异议期满、异议均已答复且无成立者方可确认；异议成立时，名单由取代本批次的新筛选调整。 / After the window, "
                "every objection answered and none upheld; an upheld objection changes the list by a new run.",
)
async def confirm_designation(run_id: RunId, _: CityOffice, run: Run) -> schemas.DesignationConfirmedView:
    # No body: nothing to say but the run.
    return await run(ConfirmDesignation(), run_id=run_id)


@router.get("/{run_id}/objections", summary="公示期与异议（含个人数据）/ the window and its objections (personal data)")
async def list_objections(run_id: RunId, store: Store, who: OfficialReaders) -> schemas.ObjectionsView:
    # A district's officials read their district's objections only.
    return await read(store, objections.objections, run_id, Reach.of(who).district)
