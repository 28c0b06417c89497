"""公开数字的披露控制 / disclosure control: no public figure singles out a person.

No public answer states a fact about one identifiable person (whether a village's first
secretary completed the training: ``PERSON_FACTS``, dropped). Counts about people —
low-income persons and their cover, cadres stationed and insured, first secretaries trained,
days of presence and of leave — are suppressed below the threshold
(``XINGCUN_PUBLIC_MIN_COUNT``, 5): the cell is ``null`` and its name is listed in the row's
``suppressed``. Every other count about people is rounded to a multiple of the threshold, so a
total less its other cells never gives a suppressed cell back: the "totals shown only rounded"
form of complementary suppression, chosen over suppressing a second cell per row because it
depends on the cell alone — the same figure reads the same in every answer, whatever its
filters, and no answer can be differenced against another (docs/security.md). Zero stays 0.
Villages, teams, units, projects and money are not about persons and stay exact.

Pure: the routes decide who reads exact figures (authenticated officials) and apply this to
the answers of everyone else, at the answer's boundary.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Answer fields that count people (or their days), wherever they appear in an answer.
PERSON_FIELDS = frozenset({
    "eligible", "covered", "gap", "low_income_gap",
    "cadres_stationed", "insured", "uninsured", "presence_days", "leave_days",
    "first_secretaries_trained", "first_secretaries_untrained",
    "members",  # a team's cadres: the cadres stationed in its village, as the figures count them
})
# Answer fields that state a fact about one identifiable person (a village's team has one
# first secretary, named in the press): dropped from public answers, kept for officials.
PERSON_FACTS = frozenset({"first_secretary_trained"})
# Maps whose every value counts people (a village's gap by cover).
PERSON_MAPS = frozenset({"by_cover"})
# Metric units (queries/metrics.py) that count people or their days.
PERSON_UNITS = frozenset({"people", "days"})
# Fact kinds (projections/facts) that are about one person: the live feed does not say where.
PERSON_KINDS = frozenset({"person", "cadre", "member", "secretary", "trained", "eligibility", "coverage",
                          "policy_applied", "entered", "presence", "leave", "insurance", "allowance"})


@dataclass(frozen=True)
class Disclosure:
    min_count: int = 5

    def cell(self, n: int) -> int | None:
        """``None`` (suppressed) for 1 … min_count − 1; else ``n`` rounded to a multiple of min_count."""
        if 0 < n < self.min_count:
            return None
        k = self.min_count
        return (n + k // 2) // k * k

    def note(self) -> dict:
        k = self.min_count
        return {"min_count": k, "rounded_to": k,
                "zh": f"涉及个人的计数：小于{k}的不公布（null，见 suppressed），其余按{k}取整；登录的官员看到精确数字",
                "en": f"counts of people: below {k} suppressed (null, named in suppressed), the others rounded to "
                      f"a multiple of {k}; authenticated officials read exact figures"}

    # ---- answers shaped by field names (the statistics routes, village stories, the feed) ----

    def fields(self, body: Any) -> Any:
        """``body`` with every person-count field suppressed or rounded and every fact about one
        person dropped, at any depth."""
        if isinstance(body, list):
            return [self.fields(x) for x in body]
        if not isinstance(body, dict):
            return body
        out: dict = {}
        hidden: list[str] = list(body.get("suppressed") or [])
        for key, value in body.items():
            if key in PERSON_FACTS:
                continue
            if key in PERSON_FIELDS and _count(value):
                out[key] = self.cell(value)
                if out[key] is None:
                    hidden.append(key)
            elif key in PERSON_MAPS and isinstance(value, dict):
                out[key] = {}
                for sub, n in value.items():
                    out[key][sub] = self.cell(n) if _count(n) else n
                    if out[key][sub] is None:
                        hidden.append(f"{key}.{sub}")
            elif key != "suppressed":
                out[key] = self.fields(value)
        if hidden:
            out["suppressed"] = hidden
        return out

    # ---- answers about one metric (figures, explain, timeline, open data) ----

    def figure(self, body: dict, unit: str) -> dict:
        if unit not in PERSON_UNITS:
            return body
        out = self._cells(body, ("value", "rows"))
        if body.get("groups") is not None:
            out["groups"] = [self._cells(g, ("value", "rows")) for g in body["groups"]]
        return out

    def explain(self, body: dict, unit: str) -> dict:
        """Of a figure about people, the kinds of events it rests on and how many — never one
        event (one person) at a time."""
        if unit not in PERSON_UNITS:
            return body
        out = self._cells(body, ("value", "rows", "events_total"))
        out["events"] = []
        out["sources"] = [self._cells(s, ("events",)) for s in body.get("sources", [])]
        return out

    def timeline(self, body: dict, unit: str) -> dict:
        if unit not in PERSON_UNITS:
            return body
        return body | {"points": [self._cells(p, ("value",)) for p in body["points"]]}

    def open_data(self, rows: Iterable[dict]) -> list[dict]:
        """Open-data rows (one figure each): ``value`` of a count of people rounded, or ``None`` with
        ``suppressed: true``."""
        out = []
        for row in rows:
            if row.get("unit") in PERSON_UNITS and _count(row.get("value")):
                value = self.cell(row["value"])
                row = row | {"value": value} | ({"suppressed": True} if value is None else {})
            out.append(row)
        return out

    def feed_change(self, change: dict) -> dict:
        """A change about one person (cover recorded, presence logged…) does not name its village."""
        if PERSON_KINDS.intersection(change.get("figures") or ()):
            return change | {"village": None}
        return change

    def _cells(self, row: dict, names: tuple[str, ...]) -> dict:
        out = dict(row)
        hidden = list(row.get("suppressed") or [])
        for name in names:
            if _count(row.get(name)):
                out[name] = self.cell(row[name])
                if out[name] is None:
                    hidden.append(name)
        if hidden:
            out["suppressed"] = hidden
        return out


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
