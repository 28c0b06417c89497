"""Kept answers before routing: the as-of head made per request is FastAPI's rendering, byte
for byte, and the layer runs after every other middleware of the service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.publicity.domain.asof import parse_as_of
from services.publicity.entrypoints.routes.caching import as_of_head, render_json


def test_the_as_of_head_is_fastapis_rendering_for_any_instant():
    start = datetime(2026, 12, 4, 15, 59, 59, 999_000, tzinfo=UTC)  # 23:59:59.999 in Beijing, then the next day
    for step in (timedelta(0), timedelta(microseconds=1), timedelta(milliseconds=1), timedelta(seconds=1),
                 timedelta(hours=5), timedelta(days=400)):
        for instant in (start + step, (start + step).replace(microsecond=0)):  # isoformat drops zero microseconds
            asof = parse_as_of(None, instant)
            assert as_of_head(asof) == render_json(asof.to_json())[:-1], instant


def test_kept_answers_run_after_every_other_middleware():
    from services.publicity.entrypoints.api import app
    from services.publicity.entrypoints.kept_answers import KeptAnswers

    # (the public edge and admission wrap the whole stack: tests/unit/reliability/test_admission.py)
    order = [m.cls for m in app.user_middleware]  # outermost first
    assert order[-1] is KeptAnswers and order.count(KeptAnswers) == 1
