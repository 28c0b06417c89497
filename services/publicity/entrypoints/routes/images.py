"""图片 / report images, stored by content hash; public once a published report shows them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Response, UploadFile, status
from starlette.concurrency import run_in_threadpool

from shared.eventstore.errors import DomainError
from shared.http.bodies import BINARY
from shared.http.limits import MULTIPART_OVERHEAD, read_upload

from services.publicity.adapters.image_check import NotAnImage, image_type
from services.publicity.domain.commands import SHA256, UploadImage
from services.publicity.entrypoints.deps import Author, Pool, Run, not_found
from services.publicity.entrypoints.schemas import ImageView
from services.publicity.handlers.images import MAX_IMAGE_BYTES
from services.publicity.queries.publications import published_image

router = APIRouter(prefix="/images", tags=["专题报道 reports"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="上传图片 / upload an image (PNG, JPEG, WebP, GIF)",
             responses={413: {"description": "图片超过 5 MiB / image over 5 MiB"}},
             max_body_size=MAX_IMAGE_BYTES + MULTIPART_OVERHEAD)
async def upload(
    _: Author, run: Run, file: Annotated[UploadFile, File(description="图片 / the image, at most 5 MiB")],
) -> ImageView:
    content = await read_upload(file, MAX_IMAGE_BYTES, field="file")
    try:  # by its content, in a worker thread (verify reads the whole file); the declared type is ignored
        kind = await run_in_threadpool(image_type, content)
    except NotAnImage as exc:
        raise DomainError(str(exc), field="file") from exc
    return await run(UploadImage.of(content, kind))


@router.get("/{sha256}", summary="图片（仅限已发布报道所用）/ an image used by a published report",
            response_class=Response, responses={200: {"content": {"image/*": BINARY}}})
async def image(pool: Pool, sha256: Annotated[str, Path(pattern=SHA256)]) -> Response:
    async with pool.acquire() as conn:
        row = await published_image(conn, sha256)
    if row is None:
        raise not_found(["path", "sha256"], "未找到已发布的图片 / no published image with that hash")
    return Response(row["content"], media_type=row["content_type"],
                    headers={"Cache-Control": "public, max-age=31536000, immutable",
                             "X-Content-Type-Options": "nosniff"})
