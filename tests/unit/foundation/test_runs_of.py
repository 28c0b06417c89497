"""A batch cut into runs of one event type, everything else alone, order kept; each run
beside its events decoded."""

from __future__ import annotations

from types import SimpleNamespace

from shared.contracts.registry import CadrePresenceLogged
from shared.projections.projection import runs_of

P = CadrePresenceLogged.event_type


def recorded(n: int, event_type: str) -> SimpleNamespace:
    decoded = CadrePresenceLogged(cadre_id=f"c-{n}", team_id="t", village_code="120119000001", day="2022-03-01",
                                  togethers=["live"]) if event_type == P else None
    return SimpleNamespace(type=event_type, n=n, decode=lambda: decoded)


def test_consecutive_events_of_the_type_come_as_one_run_and_the_rest_alone_in_order():
    batch = [recorded(n, P if t == "P" else t) for n, t in enumerate("PPAPPPBAP")]
    runs = [([(e.type[0], e.n) for e in run], decoded and [d.cadre_id for d in decoded])
            for run, decoded in runs_of(CadrePresenceLogged, batch)]
    assert runs == [([("C", 0), ("C", 1)], ["c-0", "c-1"]), ([("A", 2)], None),
                    ([("C", 3), ("C", 4), ("C", 5)], ["c-3", "c-4", "c-5"]), ([("B", 6)], None), ([("A", 7)], None),
                    ([("C", 8)], ["c-8"])]
    assert list(runs_of(CadrePresenceLogged, [])) == []
