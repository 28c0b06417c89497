"""图片 / report images: kept once by content hash, recorded once as ``ImageUploaded``."""

from __future__ import annotations

from shared.contracts.publicity import ImageUploaded
from shared.eventstore import Aggregate, UnitOfWork
from shared.eventstore.errors import DomainError

from services.publicity.domain.commands import UploadImage
from services.publicity.handlers.ports import images

IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024


class Image(Aggregate):
    stream_prefix = "image"


async def upload_image(uow: UnitOfWork, cmd: UploadImage) -> dict:
    if cmd.content_type not in IMAGE_TYPES:
        raise DomainError(f"仅支持 / only {sorted(IMAGE_TYPES)} images, got {cmd.content_type!r}", field="file")
    size = len(cmd.content)
    if not size or size > MAX_IMAGE_BYTES:
        raise DomainError("图片为空或超过 5 MB / image empty or over 5 MB", field="file")
    if await images(uow).store(cmd.sha256, cmd.content_type, cmd.content):
        image = await uow.load(Image, cmd.sha256)
        image.record(ImageUploaded(sha256=cmd.sha256, content_type=cmd.content_type, size=size))
        await uow.save(image)
    return {"sha256": cmd.sha256, "size": size, "content_type": cmd.content_type}
