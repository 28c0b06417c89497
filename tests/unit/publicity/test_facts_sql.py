"""Every query reads the facts through the building blocks of ``queries/facts_sql.py``."""

from __future__ import annotations

from pathlib import Path

import services.publicity as publicity
from services.publicity.queries.facts_sql import from_current, latest
from services.publicity.queries.metrics import CATALOGUE

ROOT = Path(publicity.__file__).parent


def test_no_query_reads_the_facts_table_but_through_the_building_blocks():
    # Written by hand, a query tends to filter before it picks the latest fact of a key, and then
    # an earlier "yes" outlives the later "no" (a revocation, a reversal) that replaced it.
    readers = sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*.py")
                     if "stats.facts" in p.read_text(encoding="utf-8") and "projections" not in p.parts)
    assert readers == ["queries/facts_sql.py"]


def test_latest_picks_each_key_first_and_filters_after():
    sql = latest("designation", "(value->>'designated')::boolean")
    picked, kept = sql.index("distinct on (key)"), sql.index("(value->>'designated')::boolean")
    assert picked < kept and sql.index("order by key", picked) < kept


def test_every_metric_reads_each_keys_latest_from_the_kept_table_as_of_now():
    # from_current finds latest()'s text: were that text to change, figures as of now would
    # quietly go back to picking the latest of every key's history (the same answer, but slow).
    for m in CATALOGUE.values():
        for sql in filter(None, (m.sql, m.tallied)):
            rewritten = from_current(sql)
            assert "stats.facts" not in rewritten, m.name
            assert rewritten.count("stats.current") == sql.count("stats.facts"), m.name
