"""Compare the statistics publicity serves, as of several days, with the plan.

Every figure is fetched from ``/stats/figures/<metric>?as_of=…&by=…`` (and the overview
and designation endpoints), and set beside the same figure computed from the scenario
(``scenario.expect``). Each year's published assessment is read from the assessment
service and every subject's scores, total and grade set beside ``scenario.scores``. A
metric that is not served is reported as not checked, never as a pass.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import httpx

from scenario import alerts, calendar
from scenario.drive.client import Api
from shared.config import Settings, get_settings
from shared.http.auth import Principal, Role, issue_token
from shared.money import yuan
from scenario.expect import FEN, figure
from scenario.model import Scenario
from scenario.scores import expected_results

DATES = (date(2021, 3, 5), date(2021, 4, 30), date(2021, 6, 30), date(2021, 12, 31), date(2022, 6, 30),
         date(2022, 12, 31), date(2023, 3, 31), date(2023, 12, 31), calendar.END)  # 2023-03-31: graduated, frozen
# (metric, group by, filter): what is compared on each day.
FIGURES: tuple[tuple[str, str | None, dict[str, str]], ...] = (
    ("villages_registered", "district", {}),
    ("villages_registered", "village_type", {}),
    ("villages_designated", "district", {}),
    ("weak_with_team", "district", {}),
    ("weak_without_team", "district", {}),
    ("teams", "villages", {}),
    ("teams", "district", {}),
    ("units", "teams", {}),
    ("units", "level", {}),
    ("first_secretaries", "trained", {}),
    ("income_reports", "year", {}),
    ("income_reports", "year", {"at_target": "yes"}),
    ("income_reports", "district", {"at_target": "yes"}),
    ("farmer_income", "year", {}),
    ("appropriated", "source", {}),
    ("appropriated", "year", {}),
    ("allocated", "source", {}),
    ("allocated", "task", {}),
    ("allocated", "district", {}),
    ("disbursed", "source", {}),
    ("disbursed", "district", {}),
    ("awaiting_approval", None, {}),
    ("approved_unpaid", None, {}),
    ("projects", "status", {}),
    ("projects", "task", {}),
    ("projects_cancelled", "task", {}),
    ("allocations_frozen", "district", {}),
    ("villages_graduated", "district", {}),
    ("milestones_overdue", "district", {}),
    ("low_income_eligible", "cover", {}),
    ("low_income_eligible", "covered", {}),
    ("cadres_stationed", "insured", {}),
    ("presence_days", "district", {}),
    ("leave_days", "year", {}),
    ("allowances", "month", {}),
    ("assessment_grades", "year", {"subject_kind": "team"}),
)


@dataclass(frozen=True)
class Difference:
    day: date
    what: str
    key: str
    expected: object
    served: object


@dataclass
class Report:
    compared: int = 0
    differences: list[Difference] = field(default_factory=list)
    not_served: set[str] = field(default_factory=set)


def _episode(e: alerts.Episode) -> str:
    return f"raised {e.raised_on}, resolved {e.resolved_on or '-'}"


def _label(name: str, by: str | None, dims: dict[str, str]) -> str:
    return name + (f" by {by}" if by else "") + "".join(f" [{k}={v}]" for k, v in dims.items())


def _show(name: str, value: int) -> str | int:
    return yuan(value) if name in FEN else value


def _served_value(name: str, value: str | int) -> int:
    return int(Decimal(value) * 100) if name in FEN else int(value)


class Checker:
    """``assessment`` and ``settings`` (to sign a reader's token) let it compare the published
    assessments too; without them they are reported as not checked. ``monitoring``: also compare
    monitoring's alerts with the plan's (``scenario.alerts``)."""

    def __init__(self, s: Scenario, publicity: str, concurrency: int = 6, *, assessment: str | None = None,
                 settings: Settings | None = None, monitoring: Api | None = None):
        self.s = s
        self.url = publicity
        self.assessment = assessment
        self.settings = settings
        self.report = Report()
        self._sem = asyncio.Semaphore(concurrency)
        self.monitoring = monitoring

    async def run(self, dates: tuple[date, ...] = DATES) -> Report:
        days = [d for d in dates if d <= self.s.end]
        # The figures are compared exactly: read as the city office, which sees counts of people
        # unrounded (the public's are withheld below 5 and rounded, services/publicity/domain/disclosure.py).
        city = Principal(subject="scenario-check", role=Role.city_office)
        official = issue_token(self.settings or get_settings(), city)
        async with httpx.AsyncClient(timeout=60, headers={"Authorization": f"Bearer {official}"}) as self.client:
            await asyncio.gather(*(self._figure(d, *f) for d in days for f in FIGURES),
                                 *(self._overview(d) for d in days),
                                 *(self._designation(d) for d in days if d >= self.s.screening.on),
                                 *(self._assessment(a) for a in self.s.assessments if a.published_on <= self.s.end))
        if self.monitoring is not None:
            await self._alerts(self.monitoring)
        return self.report

    async def _alerts(self, api: Api) -> None:
        try:
            compared, differences, _ = await alerts.check(self.s, api)
        except alerts.NotCaughtUp as exc:  # a check that compared nothing must not pass
            self.report.differences.append(Difference(self.s.end, "alerts", "monitoring", "caught up", str(exc)))
            return
        self.report.compared += compared
        self.report.not_served |= {f"alerts: {rule} (not compared)" for rule in alerts.NOT_COMPARED}
        for d in differences:
            self.report.differences.append(Difference(
                self.s.end, f"alert {d.rule}", d.subject, "; ".join(_episode(e) for e in d.expected) or "-",
                "; ".join(_episode(e) for e in d.served) or "-"))

    async def _get(self, path: str, params: list[tuple[str, str]], base: str | None = None,
                   headers: dict[str, str] | None = None) -> httpx.Response:
        url = (base or self.url) + path
        async with self._sem:
            for attempt in range(5):
                try:
                    return await self.client.get(url, params=params, headers=headers)
                except httpx.TransportError:
                    await asyncio.sleep(0.5 * (attempt + 1))
            return await self.client.get(url, params=params, headers=headers)

    async def _assessment(self, a) -> None:
        """Every subject of the year's published results: each dimension's score, the total, the grade."""
        if self.assessment is None or self.settings is None:
            self.report.not_served.add("assessment results")
            return
        token = issue_token(self.settings, Principal(subject="tj-check", role=Role.inspector), ttl_seconds=3600)
        r = await self._get(f"/assessments/{a.year}", [], self.assessment, {"Authorization": f"Bearer {token}"})
        r.raise_for_status()
        body = r.json()
        served = {(x["subject_kind"], x["subject_id"]): x for x in body.get("results") or ()}
        expected = {(x.subject_kind, x.subject_id): x.model_dump(mode="json") for x in expected_results(self.s, a)}
        day = a.published_on
        self.report.compared += 1
        if body.get("as_of") != a.as_of.isoformat():
            self.report.differences.append(Difference(day, f"assessment {a.year}: as of", "-", a.as_of.isoformat(),
                                                       body.get("as_of")))
        for key in sorted(set(expected) | set(served)):
            want, got = expected.get(key) or {}, served.get(key) or {}
            self.report.compared += 1
            label = f"{key[0]} {key[1]}"
            for what in ("total", "grade"):
                if want.get(what) != got.get(what):
                    self.report.differences.append(Difference(day, f"assessment {a.year}: {what}", label,
                                                              want.get(what), got.get(what)))
            scores_w, scores_g = want.get("scores") or {}, got.get("scores") or {}
            for dim in sorted(set(scores_w) | set(scores_g)):
                if scores_w.get(dim) != scores_g.get(dim):
                    self.report.differences.append(Difference(
                        day, f"assessment {a.year}: {dim}", label,
                        f"{scores_w.get(dim)} ({(want.get('basis') or {}).get(dim)})",
                        f"{scores_g.get(dim)} ({(got.get('basis') or {}).get(dim)})"))

    def _compare(self, day: date, what: str, expected: dict, served: dict, show=lambda v: v) -> None:
        self.report.compared += 1
        for key in sorted(set(expected) | set(served), key=str):
            if expected.get(key, 0) != served.get(key, 0):
                self.report.differences.append(
                    Difference(day, what, str(key), show(expected.get(key, 0)), show(served.get(key, 0))))

    async def _figure(self, day: date, name: str, by: str | None, dims: dict[str, str]) -> None:
        params = [("as_of", day.isoformat()), *([("by", by)] if by else []), *(("dim", f"{k}:{v}") for k, v in dims.items())]
        r = await self._get(f"/stats/figures/{name}", params)
        if r.status_code == 404:
            self.report.not_served.add(name)
            return
        r.raise_for_status()
        body = r.json()
        if by is None:
            served = {None: _served_value(name, body["value"])}
        else:
            served = {g[by]: _served_value(name, g["value"]) for g in body.get("groups") or ()}
        served = {k: v for k, v in served.items() if v}
        self._compare(day, _label(name, by, dims), figure(self.s, name, day, by, dims), served,
                      lambda v: _show(name, v))

    async def _overview(self, day: date) -> None:
        r = await self._get("/stats/overview", [("as_of", day.isoformat())])
        r.raise_for_status()
        served = {d["code"]: d["villages"] for d in r.json()["districts"] if d["villages"]}
        self._compare(day, "overview: villages per district", figure(self.s, "villages_registered", day, "district", {}),
                      served)

    async def _designation(self, day: date) -> None:
        codes, offset = set(), 0
        while True:
            r = await self._get("/stats/designation/ranked", [("as_of", day.isoformat()), ("designated_only", "true"),
                                                               ("limit", "1000"), ("offset", str(offset))])
            if r.status_code == 404:
                self.report.not_served.add("designation/ranked")
                return
            r.raise_for_status()
            body = r.json()
            codes |= {i["code"] for i in body["items"]}
            offset += len(body["items"])
            if not body["items"] or offset >= body["total"]:
                break
        screening = body.get("screening") or {}
        self.report.compared += 2
        # The ranked list is the run's own output: a village graduated since stays on it (the
        # figures, villages_designated and the rest, no longer count it).
        designated = set(self.s.screening_on(day).designated)
        if codes != designated:
            self.report.differences.append(Difference(
                day, "designated list of the run in force", f"{len(codes - designated)} extra, "
                f"{len(designated - codes)} missing",
                len(designated), len(codes)))
        cutoff = yuan(self.s.screening_on(day).cutoff_average_fen)
        if screening.get("cutoff_average_yuan") != cutoff:
            self.report.differences.append(Difference(day, "screening cut-off (yuan)", screening.get("run_id") or "-",
                                                      cutoff, screening.get("cutoff_average_yuan")))
