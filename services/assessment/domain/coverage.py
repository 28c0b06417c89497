"""低收入群体保障 / low-income protection: cover all who qualify, miss no one (应保尽保、不漏一人).

People and households are known only by pseudonymous ids that the civil-affairs office
assigns; no name or ID number is ever stored. An id that looks like an ID number (a run
of 15 or more digits) or contains anything but ASCII letters and digits is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared.contracts.assessment import (
    Cover,
    CoverageEnded,
    CoverageRecorded,
    EligibilityRecorded,
    LowIncomePersonRegistered,
)
from shared.dates import IsoDate
from shared.eventstore import Aggregate
from shared.eventstore.errors import Conflict, DomainError
from shared.privacy.sealed import Sealed

from services.assessment.domain.values import Reason, VillageCode

COVERS: tuple[str, ...] = get_args(Cover)
COVER_NAMES = {"medical_insurance": "医疗保障", "education_aid": "教育资助", "housing_renovation": "危房改造"}
_ID_NUMBER = re.compile(r"\d{15,}")


def _pseudonymous(value: str) -> str:
    if _ID_NUMBER.search(value):
        raise ValueError("标识疑似身份证号，只能使用化名编号 / this looks like an ID number: use the pseudonymous id")
    return value


PseudoId = Annotated[
    str,
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{2,63}$",
          description="化名编号（不得含姓名、身份证号）/ pseudonymous id, never a name or an ID number"),
    AfterValidator(_pseudonymous),
]


class RegisterPerson(BaseModel):
    """登记低收入人口 / register a low-income person (pseudonymous), optionally with eligibilities."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    person_id: PseudoId
    household_id: PseudoId
    village_code: VillageCode
    eligible_for: list[Cover] = Field(default_factory=list, max_length=3,
                                      description="符合条件的保障 / covers the person qualifies for")


class RecordEligibility(BaseModel):
    """认定是否符合某项保障条件 / record whether the person qualifies for a cover."""

    model_config = ConfigDict(extra="forbid")

    cover: Cover = Field(description="medical_insurance 医疗保障 / education_aid 教育资助 / housing_renovation 危房改造")
    eligible: bool


class RecordCoverage(BaseModel):
    """落实保障 / record that the person is covered."""

    model_config = ConfigDict(extra="forbid")

    cover: Cover
    covered_on: IsoDate | None = Field(None, description="落实日期，缺省为业务日 / day covered; defaults to the business day")


class EndCoverage(BaseModel):
    """保障终止 / a cover ended (the person is a gap again while eligible)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Reason
    ended_on: IsoDate | None = None


class LowIncomePerson(Aggregate):
    stream_prefix = "person"
    noun = "低收入人口"

    def __init__(self, key: str):
        super().__init__(key)
        self.eligible: dict[str, bool] = {}
        self.covered: dict[str, date] = {}

    def register(self, cmd: RegisterPerson, district: str, on: date) -> None:
        if self.exists:
            raise Conflict(f"{cmd.person_id} 已登记 / already registered", field="person_id")
        self.record(LowIncomePersonRegistered(person_id=cmd.person_id, household_id=cmd.household_id,
                                              village_code=cmd.village_code, district=district))
        for cover in dict.fromkeys(cmd.eligible_for):
            self.set_eligibility(RecordEligibility(cover=cover, eligible=True), on)

    def set_eligibility(self, cmd: RecordEligibility, on: date) -> bool:
        self.require_exists()
        if self.eligible.get(cmd.cover) == cmd.eligible:
            return False
        self.record(EligibilityRecorded(person_id=self.key, village_code=self.village_code, district=self.district,
                                        cover=cmd.cover, eligible=cmd.eligible, recorded_on=on))
        return True

    def cover(self, cmd: RecordCoverage, on: date) -> None:
        self.require_exists()
        if not self.eligible.get(cmd.cover):
            raise DomainError(f"{self.key} 未认定符合{COVER_NAMES[cmd.cover]}条件 / not eligible for {cmd.cover}",
                              field="cover")
        if cmd.cover in self.covered:
            raise Conflict(f"已于 {self.covered[cmd.cover]} 落实{COVER_NAMES[cmd.cover]} / already covered",
                           field="cover")
        self.record(CoverageRecorded(person_id=self.key, village_code=self.village_code, district=self.district,
                                     cover=cmd.cover, covered_on=cmd.covered_on or on))

    def end(self, cover: str, cmd: EndCoverage, on: date, seal: Callable[[str], Sealed]) -> None:
        """``seal``: the person's data key's, for the reason (the domain never sees a key)."""
        self.require_exists()
        if cover not in self.covered:
            raise Conflict(f"{self.key} 未落实{COVER_NAMES[cover]} / not covered for {cover}", field="cover")
        ended_on = cmd.ended_on or on
        if ended_on < self.covered[cover]:
            raise DomainError(f"终止日期早于落实日期 {self.covered[cover]} / ends before it began", field="ended_on")
        self.record(CoverageEnded(person_id=self.key, village_code=self.village_code, district=self.district,
                                  cover=cover, ended_on=ended_on, reason=seal(cmd.reason)))

    def gaps(self) -> list[str]:
        return [c for c in COVERS if self.eligible.get(c) and c not in self.covered]

    def when_LowIncomePersonRegistered(self, e: LowIncomePersonRegistered) -> None:
        self.household_id, self.village_code, self.district = e.household_id, e.village_code, e.district

    def when_EligibilityRecorded(self, e: EligibilityRecorded) -> None:
        self.eligible[e.cover] = e.eligible

    def when_CoverageRecorded(self, e: CoverageRecorded) -> None:
        self.covered[e.cover] = e.covered_on

    def when_CoverageEnded(self, e: CoverageEnded) -> None:
        self.covered.pop(e.cover, None)
