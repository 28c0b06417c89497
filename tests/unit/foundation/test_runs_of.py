"""A batch cut into runs of one event type, everything else alone, order kept."""

from __future__ import annotations

from types import SimpleNamespace

from shared.projections.projection import runs_of


def test_consecutive_events_of_the_type_come_as_one_run_and_the_rest_alone_in_order():
    batch = [SimpleNamespace(type=t, n=n) for n, t in enumerate("PPAPPPBAP")]
    runs = [[(e.type, e.n) for e in run] for run in runs_of("P", batch)]
    assert runs == [[("P", 0), ("P", 1)], [("A", 2)], [("P", 3), ("P", 4), ("P", 5)], [("B", 6)], [("A", 7)],
                    [("P", 8)]]
    assert list(runs_of("P", [])) == []
