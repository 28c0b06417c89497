"""Uploaded images are judged by their content, not their declared type (issue 18, item 7)."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from services.publicity.adapters.image_check import NotAnImage, image_type


def picture(fmt: str, size=(4, 3)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(("fmt", "kind"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"),
                                           ("GIF", "image/gif")])
def test_real_images_are_known_by_their_bytes(fmt, kind):
    assert image_type(picture(fmt)) == kind


@pytest.mark.parametrize("content", [
    b"<html><script>alert(1)</script></html>",  # a page declared image/png by its sender
    b"\x89PNG\r\n\x1a\n" + b"<script>alert(1)</script>",  # a PNG signature and nothing of a PNG
    b"",
])
def test_what_is_not_an_image_is_refused(content):
    with pytest.raises(NotAnImage):
        image_type(content)


def test_a_png_with_a_broken_chunk_is_refused():
    png = bytearray(picture("PNG"))
    png[-20] ^= 0xFF  # inside the image data: its CRC no longer holds
    with pytest.raises(NotAnImage):
        image_type(bytes(png))


def test_a_small_file_declaring_a_huge_canvas_is_refused_without_decoding():
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + \
        chunk(b"IEND", b"")
    assert len(bomb) < 200
    with pytest.raises(NotAnImage):
        image_type(bomb)
