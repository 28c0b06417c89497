"""An upload's own cap: a file at its cap is read whole; one byte over is a 413 at the file's
field, in the usual error shape, without reading the rest of it."""

from __future__ import annotations

from io import BytesIO

import pytest
from fastapi import HTTPException, UploadFile

from shared.http.limits import read_upload


async def test_a_file_at_its_cap_is_read_whole():
    assert await read_upload(UploadFile(BytesIO(b"x" * 10), filename="a.csv"), 10, field="file") == b"x" * 10


async def test_a_file_over_its_cap_is_413_at_its_field_and_read_no_further():
    stream = BytesIO(b"x" * 1000)
    with pytest.raises(HTTPException) as refused:
        await read_upload(UploadFile(stream, filename="a.csv"), 10, field="file")
    assert refused.value.status_code == 413 and stream.tell() == 11
    assert refused.value.detail == [{"loc": ["body", "file"], "type": "too_large", "ctx": {"limit": 10},
                                     "msg": "文件超过 10 字节 / file larger than 10 bytes"}]


async def test_the_nth_of_several_files_is_named_at_its_index():
    with pytest.raises(HTTPException) as refused:
        await read_upload(UploadFile(BytesIO(b"x" * 11), filename="b.pdf"), 10, field="files", index=2, name="b.pdf")
    [item] = refused.value.detail
    assert item["loc"] == ["body", "files", 2] and item["msg"] == "文件 b.pdf 超过 10 字节 / file larger than 10 bytes"
