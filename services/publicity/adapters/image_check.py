"""What an uploaded image really is, read from its content (Pillow), never from the type the
client declared: a page of HTML sent as ``image/png`` would otherwise be served back from
``/images`` to the public as whatever it claimed.

Pillow identifies the format from the bytes, ``verify`` walks the whole file (PNG chunks and
their CRCs, for one), and the pixel count is capped before anything is decoded, so a small
file declaring a 100,000 × 100,000 canvas is refused rather than expanded.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}
MAX_PIXELS = 40_000_000  # a 40-megapixel photograph; reports show far smaller


class NotAnImage(ValueError):
    pass


def image_type(content: bytes) -> str:
    """The image's media type, from its content; NotAnImage if it is none we take."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=list(FORMATS)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise NotAnImage(f"图片像素过多（{width}×{height}）/ image too large: {width}×{height} pixels")
                kind = FORMATS[image.format]
                image.verify()
    except NotAnImage:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            OSError, SyntaxError, ValueError, KeyError) as exc:
        raise NotAnImage(f"文件内容不是 PNG、JPEG、WebP 或 GIF 图片 / the content is not a PNG, JPEG, WebP or "
                         f"GIF image ({type(exc).__name__})") from exc
    return kind
