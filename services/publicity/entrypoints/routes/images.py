"""图片 / report images, stored by content hash; public once a published report shows them."""

from __future__ import annotations

import hashlib
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, File, HTTPException, Path, Response, UploadFile, status
from starlette.concurrency import run_in_threadpool

from shared.eventstore.errors import DomainError
from shared.http.auth import Principal, Role, require
from shared.http.deps import Meta, Store, get_pool
from shared.http.limits import MULTIPART_OVERHEAD, read_upload

from services.publicity import handlers
from services.publicity.adapters.image_check import NotAnImage, image_type
from services.publicity.domain.commands import SHA256

router = APIRouter(prefix="/images", tags=["专题报道 reports"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="上传图片 / upload an image (PNG, JPEG, WebP, GIF)",
             responses={413: {"description": "图片超过 5 MiB / image over 5 MiB"}},
             max_body_size=handlers.MAX_IMAGE_BYTES + MULTIPART_OVERHEAD)
async def upload(
    store: Store, meta: Meta,
    _: Annotated[Principal, Depends(require(Role.district_official, Role.unit, Role.first_secretary))],
    file: Annotated[UploadFile, File(description="图片 / the image, at most 5 MiB")],
) -> dict:
    content = await read_upload(file, handlers.MAX_IMAGE_BYTES, field="file")
    try:  # by its content, in a worker thread (verify reads the whole file); the declared type is ignored
        kind = await run_in_threadpool(image_type, content)
    except NotAnImage as exc:
        raise DomainError(str(exc), field="file") from exc
    done = await store.execute("UploadImage", {"sha256": hashlib.sha256(content).hexdigest()}, meta,
                               lambda uow: handlers.upload_image(uow, content, kind))
    return done.result


@router.get("/{sha256}", summary="图片（仅限已发布报道所用）/ an image used by a published report",
            response_class=Response, responses={200: {"content": {"image/*": {}}}})
async def image(pool: Annotated[asyncpg.Pool, Depends(get_pool)],
                sha256: Annotated[str, Path(pattern=SHA256)]) -> Response:
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            """select i.content_type, i.content from media.images i
               where i.sha256 = $1 and exists (select 1 from pub.reports r
                   where r.status = 'published' and r.images ? $1)""", sha256)
    if row is None:
        raise HTTPException(404, detail=[{"loc": ["path", "sha256"], "type": "not_found",
                                          "msg": "未找到已发布的图片 / no published image with that hash"}])
    return Response(row["content"], media_type=row["content_type"],
                    headers={"Cache-Control": "public, max-age=31536000, immutable",
                             "X-Content-Type-Options": "nosniff"})
