"""收入报告 / income reports: a village's collective operating income and its farmers'
per-capita disposable income per year, and the city's per-capita income and growth.

Plausibility: a negative figure is refused; a figure more than ``factor`` times the
previous year's (or less than its 1/``factor``) is refused without a note, and accepted
but flagged for review with one. The flag and its reason travel in the event.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict, Field

from typing import Literal

from shared.contracts.assessment import (
    CityIncomeGrowthReported,
    CollectiveIncomeReported,
    FarmerIncomeReported,
    IncomeReportReviewed,
)
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, DomainError, NotFound

from services.assessment.domain.people import ensure_other_person
from shared.reference.tasks import INCOME_TARGET_FEN

from shared.money import SignedYuan, to_fen, yuan
from shared.validators import at_least_one

from services.assessment.domain.values import Reason, VillageCode, Year

Measure = Literal["collective", "farmer"]


class ReportVillageIncome(BaseModel):
    """村收入年报 / a village's incomes for one year (either figure, or both)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    village_code: VillageCode
    year: Year
    collective_income: SignedYuan | None = Field(None, description="村集体经营性收入（元）/ collective operating income, yuan")
    farmer_per_capita_income: SignedYuan | None = Field(
        None, description="农民人均可支配收入（元）/ farmers' per-capita disposable income, yuan")
    note: str | None = Field(None, min_length=2, max_length=1000,
                             description="说明（大幅变动时必填）/ explanation, required for a large change")

    something = at_least_one("collective_income", "farmer_per_capita_income",
                             message="至少填报一项收入 / report at least one of the two incomes")


class ReviewIncomeReport(BaseModel):
    """复核被标记的收入报告 / accept or reject a report flagged for review, with the reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    measure: Measure = Field(description="collective 村集体经营性收入 / farmer 农民人均可支配收入")
    accepted: bool = Field(description="true 认可 / accept; false 不予认可 / reject")
    reason: Reason


class ReportCityIncome(BaseModel):
    """全市农民人均可支配收入及增幅 / the city's farmers' per-capita disposable income and its growth."""

    model_config = ConfigDict(extra="forbid")

    year: Year
    per_capita_income: SignedYuan = Field(description="全市农民人均可支配收入（元）/ city average, yuan")
    growth_pct: Decimal | None = Field(
        None, ge=-100, le=1000, decimal_places=2,
        description="增幅（%），缺省时按上年数计算 / growth in percent; computed from last year's figure when omitted")


def not_future(year: int, on: date) -> None:
    if year > on.year:
        raise DomainError(f"{on} 不能填报 {year} 年的收入 / on {on} there is no {year} income to report yet", field="year")


def plausible(value_fen: int, previous_fen: int | None, factor: Decimal, note: str | None,
              field: str, what_zh: str, what_en: str) -> str | None:
    """Refuse what cannot be true; return the reason to flag what needs a second look."""
    if value_fen < 0:
        raise DomainError(f"{what_zh}不能为负（{yuan(value_fen)} 元）/ {what_en} cannot be negative", field=field)
    if not previous_fen or previous_fen <= 0:
        return None
    if value_fen > previous_fen * factor:
        change_zh, change_en = "增长", "rose"
    elif value_fen * factor < previous_fen:
        change_zh, change_en = "下降", "fell"
    else:
        return None
    reason = (f"{what_zh}较上年（{yuan(previous_fen)} 元）{change_zh}超过 {factor} 倍：{yuan(value_fen)} 元 / "
              f"{what_en} {change_en} more than {factor}× against last year ({yuan(previous_fen)} → {yuan(value_fen)})")
    if note is None:
        raise DomainError(f"{reason}；请附说明 / add a note explaining it", field="note",
                          previous=yuan(previous_fen), factor=str(factor))
    return reason


class VillageIncome(Aggregate):
    """Key: village code. Stream ``income-<village_code>``."""

    stream_prefix = "income"

    def __init__(self, key: str):
        super().__init__(key)
        self.collective: dict[int, int] = {}
        self.farmer: dict[int, int] = {}
        # Per (measure, year), the report standing now: who reported it, whether it awaits
        # review, and the review's outcome (None: not reviewed).
        self.reporter: dict[tuple[str, int], str | None] = {}
        self.flagged: dict[tuple[str, int], bool] = {}
        self.review: dict[tuple[str, int], bool | None] = {}
        self.district: str | None = None

    def _standing(self, measure: str, year: int) -> int | None:
        """The figure that counts: none once its report was rejected."""
        value = (self.collective if measure == "collective" else self.farmer).get(year)
        return None if self.review.get((measure, year)) is False else value

    def _changes(self, measure: str, year: int, fen: int) -> bool:
        values = self.collective if measure == "collective" else self.farmer
        return values.get(year) != fen or self.review.get((measure, year)) is False

    def report(self, cmd: ReportVillageIncome, district: str, factor: Decimal, baseline_fen: dict[int, int],
               on: date, reporter: str | None = None) -> list[CollectiveIncomeReported | FarmerIncomeReported]:
        """Record what changed; ``baseline_fen`` holds the registry's 2018–2020 figures. A
        rejected figure is not compared against and may be reported again, even unchanged."""
        not_future(cmd.year, on)
        changed: list[CollectiveIncomeReported | FarmerIncomeReported] = []
        if cmd.collective_income is not None:
            fen = to_fen(cmd.collective_income)
            previous = self._standing("collective", cmd.year - 1)
            if previous is None and cmd.year - 1 not in self.collective:
                previous = baseline_fen.get(cmd.year - 1)
            flag = plausible(fen, previous, factor, cmd.note, "collective_income", "村集体经营性收入",
                             "collective operating income")
            if self._changes("collective", cmd.year, fen):
                changed.append(CollectiveIncomeReported(
                    village_code=self.key, district=district, year=cmd.year, income_fen=fen, note=cmd.note,
                    flagged=flag is not None, flag_reason=flag, reported_by=reporter))
        if cmd.farmer_per_capita_income is not None:
            fen = to_fen(cmd.farmer_per_capita_income)
            flag = plausible(fen, self._standing("farmer", cmd.year - 1), factor, cmd.note,
                             "farmer_per_capita_income", "农民人均可支配收入", "farmers' per-capita income")
            if self._changes("farmer", cmd.year, fen):
                changed.append(FarmerIncomeReported(
                    village_code=self.key, district=district, year=cmd.year, per_capita_fen=fen, note=cmd.note,
                    flagged=flag is not None, flag_reason=flag, reported_by=reporter))
        for event in changed:  # recorded only once both figures passed their checks
            self.record(event)
        return changed

    def review_report(self, year: int, cmd: ReviewIncomeReport, reviewer: str, on: date) -> IncomeReportReviewed:
        """Accept or reject the standing report of ``year`` flagged for review: by someone
        other than its reporter, once (a new report of the year may be flagged and reviewed again)."""
        key = (cmd.measure, year)
        values = self.collective if cmd.measure == "collective" else self.farmer
        if year not in values:
            raise NotFound(f"村 {self.key} 没有 {year} 年的该项收入报告 / village {self.key} has no {cmd.measure} income "
                           f"report for {year}", field="year", location="path")
        if self.review.get(key) is not None:
            done = "认可" if self.review[key] else "不予认可"
            raise Conflict(f"{year} 年该项收入报告已复核（{done}）/ the {year} {cmd.measure} report was already reviewed "
                           f"({'accepted' if self.review[key] else 'rejected'})", field="measure")
        if not self.flagged.get(key):
            raise Conflict(f"{year} 年该项收入报告未被标记待复核 / the {year} {cmd.measure} report is not flagged for "
                           "review", field="measure")
        ensure_other_person(reviewer, self.reporter.get(key), "收入报告复核", "reviewing an income report")
        event = IncomeReportReviewed(village_code=self.key, district=self.district, year=year, measure=cmd.measure,
                                     amount_fen=values[year], accepted=cmd.accepted, reason=cmd.reason,
                                     reviewed_on=on, reviewed_by=reviewer)
        self.record(event)
        return event

    def _reported(self, measure: str, e: CollectiveIncomeReported | FarmerIncomeReported) -> None:
        self.district = e.district
        self.reporter[(measure, e.year)] = e.reported_by
        self.flagged[(measure, e.year)] = e.flagged
        self.review[(measure, e.year)] = None

    def when_CollectiveIncomeReported(self, e: CollectiveIncomeReported) -> None:
        self.collective[e.year] = e.income_fen
        self._reported("collective", e)

    def when_FarmerIncomeReported(self, e: FarmerIncomeReported) -> None:
        self.farmer[e.year] = e.per_capita_fen
        self._reported("farmer", e)

    def when_IncomeReportReviewed(self, e: IncomeReportReviewed) -> None:
        self.review[(e.measure, e.year)] = e.accepted
        self.flagged[(e.measure, e.year)] = False


def growth_pct(current_fen: int, previous_fen: int) -> Decimal:
    return (Decimal(current_fen - previous_fen) * 100 / Decimal(previous_fen)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def reached_target(income_fen: int | None) -> bool:
    return income_fen is not None and income_fen >= INCOME_TARGET_FEN


class CityIncome(Aggregate):
    """One stream, ``city-income``: the city's figure for each year."""

    stream_prefix = "city"

    def __init__(self, key: str = "income"):
        super().__init__(key)
        self.years: dict[int, tuple[int, Decimal]] = {}

    def report(self, cmd: ReportCityIncome, on: date) -> CityIncomeGrowthReported | None:
        not_future(cmd.year, on)
        fen = to_fen(cmd.per_capita_income)
        if fen <= 0:
            raise DomainError("全市人均收入须为正数 / the city average must be positive", field="per_capita_income")
        growth = cmd.growth_pct.quantize(Decimal("0.01")) if cmd.growth_pct is not None else None
        if growth is None:
            previous = self.years.get(cmd.year - 1)
            if previous is None:
                raise DomainError(f"缺少 {cmd.year - 1} 年全市数据，请直接填报增幅 / no {cmd.year - 1} figure to compute "
                                  f"the growth from: give growth_pct", field="growth_pct")
            growth = growth_pct(fen, previous[0])
        if self.years.get(cmd.year) == (fen, growth):
            return None
        event = CityIncomeGrowthReported(year=cmd.year, per_capita_fen=fen, growth_pct=growth)
        self.record(event)
        return event

    def when_CityIncomeGrowthReported(self, e: CityIncomeGrowthReported) -> None:
        self.years[e.year] = (e.per_capita_fen, e.growth_pct)
