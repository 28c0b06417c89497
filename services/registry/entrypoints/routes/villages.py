"""村 / villages: register, import a table, correct a baseline figure, read one, its history."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, File, Path, Query, UploadFile
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from shared.http.deps import Store
from shared.http.errors import problem
from shared.http.limits import MULTIPART_OVERHEAD, read_upload

from services.registry.adapters.tables import UnreadableTable, read_table
from services.registry.config import registry_settings
from services.registry.domain.commands import (
    ChangeVillageAttributes,
    CorrectIncome,
    GraduateVillage,
    ImportVillages,
    RegisterVillage,
)
from services.registry.domain.imports import HeaderError, read_rows
from services.registry.entrypoints import schemas
from services.registry.entrypoints.deps import CityOffice, DistrictFilter, Officials, Run, Staff, command_routes
from services.registry.queries import read, scoped, villages

router = APIRouter(prefix="/villages", tags=["村 villages"])
Code = Annotated[str, Path(pattern=r"^\d{12}$", description="村代码 / village code")]
writes = command_routes(router, Officials, code=Code)


writes.add("", RegisterVillage, schemas.VillageRegistered, created=True,
           summary="登记行政村 / register a village",
           responses={409: {"description": "村代码已登记 / code already registered"}})


def _bad_file(msg: str) -> JSONResponse:
    return JSONResponse({"detail": [problem(["body", "file"], msg, "bad_file")]}, status_code=422)


@writes.route(
    "/import",
    summary="批量导入村（CSV / XLSX）/ import villages from a CSV or XLSX table",
    description=(
        "表头可用中文或英文：村代码 code、村名 name、区 district、镇/街 town、村类型 village_type、"
        "2018年/2019年/2020年村集体经营性收入(元) income_2018/2019/2020、扶持需求 needs（可选）。"
        "任一行有误时默认一行也不写，返回每个错误行的行号与原因（422）；partial=true 时只写正确的行。"
        " / Headers in Chinese or English. By default a single bad row means nothing is written and every bad "
        "row is reported with its row number and reason (422); with partial=true only the good rows are written."
    ),
    responses={413: {"description": "文件过大 / file too large"}},
    max_body_size=registry_settings().max_import_bytes + MULTIPART_OVERHEAD,
    created=True,
)
async def import_villages(
    who: Officials, run: Run,
    file: Annotated[UploadFile, File(description="CSV（UTF-8 或 GBK）或 XLSX 文件 / CSV (UTF-8 or GBK) or XLSX file")],
    partial: Annotated[bool, Query(description="只写正确的行 / write the good rows even if some are bad")] = False,
) -> schemas.ImportReport:
    data = await read_upload(file, registry_settings().max_import_bytes, field="file")

    def parse():  # CPU work (unzipping, XML): in a worker thread, never on the event loop
        headers, rows = read_table(file.filename or "", data)
        return read_rows(headers, rows)

    try:
        table = await run_in_threadpool(parse)
    except (UnreadableTable, HeaderError) as exc:
        return _bad_file(str(exc))
    report = await run(ImportVillages(sha256=hashlib.sha256(data).hexdigest(), partial=partial), table, who)
    if not report["written"]:
        detail = [
            problem(["body", "file", str(b["row"]), *([b["field"]] if b["field"] else [])], b["reason"], "bad_row",
                    row=b["row"], code=b["code"])
            for b in report["bad_rows"]
        ] or [problem(["body", "file"], "没有可导入的行 / no rows to import", "bad_file")]
        return JSONResponse({"detail": detail, "report": report}, status_code=422)
    return report


writes.add("/{code}/income-corrections", CorrectIncome, schemas.IncomeCorrected,
           summary="更正基期收入 / correct a baseline income figure",
           description="更正记为事件，含理由与更正人；已完成的筛选不受影响，须新的筛选批次明确取代 / "
                       "a correction is an event with reason and actor; a finished screening run is not changed by it.")


writes.add("/{code}/attributes", ChangeVillageAttributes, schemas.VillageAttributes,
           summary="调整村属性 / edit a village's town, type or needs",
           description="须说明理由，记为事件；因需对接与统计此后按新属性。 / With a reason, as an event; matching and the "
                       "statistics use the new attributes from then on.")


@writes.route(
    "/{code}/graduation",
    summary="达标出列 / graduate a village that met the income target",
    description="仅市领导小组办公室；村须为经济薄弱村，当年村集体经营性收入须达 20 万元；撤销认定（原因 graduated），"
                "解除其工作队对接，此后的筛选不再将其列入。 / City office only. The village must be designated and its "
                "collective income that year at least 200,000 yuan. Its designation ends (reason graduated), its team "
                "is unassigned, and later screening runs no longer rank it."
)
async def graduate_village(code: Code, cmd: GraduateVillage, _: CityOffice, run: Run) -> schemas.VillageGraduated:
    return await run(cmd, code=code)


@router.get("", summary="村名录 / list villages")
async def list_villages(
    store: Store,
    _: Staff,
    district: DistrictFilter = None,
    designated: Annotated[bool | None, Query(description="只看经济薄弱村 / only designated villages")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="每页条数 / page size")] = 100,
    after: Annotated[str | None, Query(max_length=12, description="上一页最后的村代码 / last code of the previous page")] = None,
) -> schemas.VillagePage:
    return await read(store, villages.directory, district, designated, limit, after)


@router.get("/{code}", summary="村的当前状态 / a village as it stands now")
async def get_village(code: Code, store: Store, _: Staff) -> schemas.VillageNow:
    return await read(store, villages.village, code)


@router.get("/{code}/history", summary="村的全部事件 / a village's whole history")
async def village_history(code: Code, store: Store, who: Staff) -> schemas.VillageHistory:
    return await read(store, scoped(villages.history, who), code)