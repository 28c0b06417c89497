"""One suite for both implementations of the adapters assessment's handlers reach through the
unit of work (besides the directory): the year's facts (``PgYearFacts``) and the evidence files
(``PgEvidence``), over PostgreSQL and as the in-memory twins of ``adapters/memory.py`` that the
handlers' unit tests are given. The same calls get the same answers and the same refusals."""

from __future__ import annotations

from datetime import date

import pytest

from services.assessment.adapters.evidence import EvidenceFile, PgEvidence
from services.assessment.adapters.facts import FactsBehind, PgYearFacts
from services.assessment.adapters.memory import InMemoryEvidence, InMemoryYearFacts
from services.assessment.adapters.schema import CHAIN
from services.assessment.domain.scoring import YearFacts
from tests.support.contract import BOTH, module_database, rolled_back


pool = module_database("af_adapters", CHAIN)


@pytest.fixture(params=BOTH)
async def kept(request, pool):
    """(facts, evidence, reach): the adapters, and how a source's watermark gets somewhere
    (the projections' work in PostgreSQL)."""
    if request.param == "memory":
        facts = InMemoryYearFacts()

        async def reach(source: str, upto: int) -> None:
            facts.reached[source] = upto
        yield facts, InMemoryEvidence(), reach
        return
    async with rolled_back(pool) as conn:
        async def reach(source: str, upto: int) -> None:
            await conn.execute("insert into af.watermarks (source, upto) values ($1, $2)"
                               " on conflict (source) do update set upto = excluded.upto", source, upto)
        yield PgYearFacts(conn), PgEvidence(conn), reach


async def test_watermarks_start_at_nought_and_a_cutoff_above_them_is_refused(kept):
    facts, _, reach = kept
    assert await facts.watermarks() == {"assessment": 0, "registry": 0, "funding": 0}
    await reach("registry", 7)
    assert await facts.watermarks() == {"assessment": 0, "registry": 7, "funding": 0}
    await facts.ensure_caught_up({"registry": 7, "assessment": 0})
    with pytest.raises(FactsBehind) as behind:
        await facts.ensure_caught_up({"registry": 9, "funding": 1})
    assert behind.value.field == "as_of" and behind.value.context["behind"] == {"funding": 1, "registry": 2}


async def test_a_year_with_no_facts_reads_empty(kept):
    facts, _, _ = kept
    assert await facts.load_year(2022, date(2023, 1, 31), {"assessment": 0, "registry": 0, "funding": 0}) == \
        YearFacts(year=2022, as_of=date(2023, 1, 31), city_growth_pct=None, villages={}, teams={}, designated={})


async def test_an_evidence_file_is_kept_once_under_its_hash(kept):
    _, evidence, _ = kept
    photo = EvidenceFile("路.jpg", "image/jpeg", b"\xff\xd8road")
    assert await evidence.store([photo, EvidenceFile("again.jpg", "image/png", photo.content)]) == [photo.sha256] * 2
    assert dict(await evidence.fetch(photo.sha256)) == {"sha256": photo.sha256, "filename": "路.jpg",
                                                        "media_type": "image/jpeg", "size_bytes": 6,
                                                        "content": photo.content}
    assert await evidence.fetch("0" * 64) is None
