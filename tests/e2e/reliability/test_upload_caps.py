"""The three upload endpoints carry caps of their own (docs/security.md): a file just under
its cap gets through the transport (accepted, or refused for what it says), one over it is
refused with 413 in the usual shape, and a refused upload writes nothing."""

from __future__ import annotations

import http.client
import io
import json
import os
import struct
import zlib
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image

from shared.http.auth import Role
from shared.http.limits import MIB, MULTIPART_OVERHEAD
from tests.support.db import events_written
from tests.support.villages import village_body

pytestmark = pytest.mark.e2e

IMPORT_CAP = 20 * MIB  # registry: a district's (or a whole city's) village table
EVIDENCE_CAP, REPORT_CAP = 10 * MIB, 32 * MIB  # assessment: each file; all files of one report
IMAGE_CAP = 5 * MIB  # publicity: one image
HEADER = "村代码,村名,区,镇/街,村类型,2018年收入,2019年收入,2020年收入,备注\n"


async def log_size(stack, service: str) -> int:
    return await events_written(stack.dsn(service))


def village_table(size: int) -> tuple[bytes, int]:
    """A CSV of valid villages with long remarks (a column the import ignores), ``size`` bytes."""
    rows, lines, used = 0, [HEADER.encode()], len(HEADER.encode())
    while used < size:
        v = village_body()
        line = f"{v['code']},{v['name']},{v['district']},{v['town']},{v['village_type']},1,2,3,"
        remark = min(3_900, size - used - len(line.encode()) - 1)  # a cell holds at most 4,000 characters
        if remark < 0:  # not room for another village: pad the last remark
            lines[-1] = lines[-1][:-1] + b"x" * (size - used) + b"\n"
            break
        lines.append((line + "x" * remark + "\n").encode())
        used += len(lines[-1])
        rows += 1
    data = b"".join(lines)
    assert len(data) == size
    return data, rows


def too_large_at(response: httpx.Response | tuple[int, dict], loc: list) -> bool:
    status, body = (response.status_code, response.json()) if isinstance(response, httpx.Response) else response
    item = body["detail"][0]
    return (status == 413 and item["loc"] == loc and item["type"] == "too_large"
            and " / " in item["msg"] and "limit" in item.get("ctx", {}))


def announce(url: str, headers: dict[str, str], length: int) -> tuple[int, dict]:
    """Announce a multipart body of ``length`` bytes and send none of it. The cap is decided
    from Content-Length before a byte is read; really sending megabytes the server will not
    read races with it closing the connection, and the client may never see the answer."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest("POST", parts.path)
        for name, value in {**headers, "Content-Type": "multipart/form-data; boundary=x",
                            "Content-Length": str(length)}.items():
            conn.putheader(name, value)
        conn.endheaders()
        answer = conn.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        conn.close()


async def test_village_import_just_under_its_cap_is_imported(stack, token):
    url = stack.url("registry") + "/villages/import"
    data, rows = village_table(IMPORT_CAP - 1)
    r = httpx.post(url, files={"file": ("村表.csv", data, "text/csv")}, headers=token(Role.city_office), timeout=120)
    assert r.status_code == 201, r.text[:300]
    assert r.json()["written"] is True and r.json()["imported"] == rows > 150


async def test_village_import_over_its_cap_is_413_and_writes_nothing(stack, token):
    url = stack.url("registry") + "/villages/import"
    before = await log_size(stack, "registry")
    one_byte_over, _ = village_table(IMPORT_CAP + 1)  # the file itself: the body still fits
    r = httpx.post(url, files={"file": ("村表.csv", one_byte_over, "text/csv")}, headers=token(), timeout=120)
    assert too_large_at(r, ["body", "file"]), r.text[:300]
    r = announce(url, token(), IMPORT_CAP + MULTIPART_OVERHEAD + 1)  # the whole body over the route's cap
    assert too_large_at(r, ["body"]), r
    assert await log_size(stack, "registry") == before


async def test_evidence_files_under_their_caps_reach_the_domain(stack, token):
    url = stack.url("assessment") + "/projects/no-such-project/milestones/m1/report-files"
    files = [("files", (f"报告{i}.pdf", os.urandom(EVIDENCE_CAP), "application/pdf")) for i in range(3)]
    r = httpx.post(url, data={"evidence_text": "扫描件 / scans"}, files=files,
                   headers=token(Role.first_secretary, team="cap-team"), timeout=120)
    assert r.status_code == 404, r.text[:300]  # read in full; refused only because the project does not exist


async def test_evidence_over_its_caps_is_413_and_writes_nothing(stack, token):
    url = stack.url("assessment") + "/projects/no-such-project/milestones/m1/report-files"
    headers = token(Role.first_secretary, team="cap-team")
    before = await log_size(stack, "assessment")
    one_file_over = [("files", ("a.pdf", b"%PDF", "application/pdf")),
                     ("files", ("b.pdf", os.urandom(EVIDENCE_CAP + 1), "application/pdf"))]
    r = httpx.post(url, data={"evidence_text": "扫描件"}, files=one_file_over, headers=headers, timeout=120)
    assert too_large_at(r, ["body", "files", 1]), r.text[:300]
    r = announce(url, headers, REPORT_CAP + MULTIPART_OVERHEAD + 1)  # all files together
    assert too_large_at(r, ["body"]), r
    assert await log_size(stack, "assessment") == before


def png_of_size(size: int) -> bytes:
    """A real PNG (images are judged by their content) of exactly ``size`` bytes: random pixels,
    then a text chunk just before IEND to make up the rest."""
    out = io.BytesIO()
    Image.frombytes("RGB", (1024, 1600), os.urandom(1024 * 1600 * 3)).save(out, format="PNG", compress_level=0)
    body, end = out.getvalue()[:-12], out.getvalue()[-12:]  # IEND is the last 12 bytes
    text = b"pad\0" + b"x" * (size - len(body) - len(end) - 12 - 4)
    chunk = struct.pack(">I", len(text)) + b"tEXt" + text + struct.pack(">I", zlib.crc32(b"tEXt" + text))
    return body + chunk + end


async def test_an_image_just_under_its_cap_is_stored(stack, token):
    image = png_of_size(IMAGE_CAP)
    r = httpx.post(stack.url("publicity") + "/images", files={"file": ("photo.png", image, "image/png")},
                   headers=token(Role.unit, unit="cap-unit"), timeout=60)
    assert r.status_code == 201 and r.json()["size"] == IMAGE_CAP, r.text[:300]


async def test_an_image_over_its_cap_is_413_and_writes_nothing(stack, token):
    url, headers = stack.url("publicity") + "/images", token(Role.unit, unit="cap-unit")
    before = await log_size(stack, "publicity")
    r = httpx.post(url, files={"file": ("p.png", os.urandom(IMAGE_CAP + 1), "image/png")}, headers=headers, timeout=60)
    assert too_large_at(r, ["body", "file"]), r.text[:300]
    r = announce(url, headers, IMAGE_CAP + MULTIPART_OVERHEAD + 1)
    assert too_large_at(r, ["body"]), r
    assert await log_size(stack, "publicity") == before
