"""vegeta's answers as the load benchmarks read them: a refusal tells which gate refused it."""

from __future__ import annotations

import base64

import orjson

from bench.load import _answer
from shared.http.admission import AdmissionControl


def vegeta_line(code: int, body: bytes, headers: dict[str, list[str]]) -> bytes:
    return orjson.dumps({"code": code, "timestamp": "2026-12-05T01:00:00.123456789Z", "latency": 2_000_000,
                         "body": base64.b64encode(body).decode(), "headers": headers, "error": ""})


def refusal(answer: tuple[tuple, bytes]) -> bytes:
    headers, body = answer
    return vegeta_line(503, body, {k.decode().title(): [v.decode()] for k, v in headers})


def test_each_refusal_names_the_gate_that_refused_it():
    gate = AdmissionControl(app=None, limit=64)
    in_flight, behind = _answer(refusal(gate._busy)), _answer(refusal(gate._behind(1.4, 2)))  # noqa: SLF001
    assert (in_flight.refused, in_flight.refused_by) == (True, "in flight")
    assert (behind.refused, behind.refused_by) == (True, "backlog")


def test_an_accepted_command_is_keyed_by_its_village_and_refused_by_no_gate():
    accepted = _answer(vegeta_line(201, orjson.dumps({"code": "120119000001", "stream_version": 1}), {}))
    assert (accepted.accepted, accepted.key, accepted.refused_by) == (True, "120119000001", "")
    assert accepted.latency == 0.002
