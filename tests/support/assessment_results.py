"""A year's assessment results of any size, for the tests of paged results."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.contracts.assessment import AssessmentScore

AS_OF = date(2023, 1, 31)
DIMENSIONS = ("income_target", "income_growth", "task_progress", "disbursement", "coverage", "presence",
              "inspections", "assessor_marks")


def score(kind: str, subject_id: str, n: int) -> AssessmentScore:
    value = Decimal(n % 100).quantize(Decimal("0.01"))
    return AssessmentScore(subject_kind=kind, subject_id=subject_id, scores=dict.fromkeys(DIMENSIONS, value),
                           total=value, grade="较差" if n % 100 < 60 else "良好",
                           basis={d: f"{n}.00/{n + 7}.00" for d in DIMENSIONS})


def results(teams: int = 450, units: int = 430) -> list[AssessmentScore]:
    return [*(score("team", f"team-{i:04d}", i) for i in range(teams)),
            *(score("unit", f"unit-{i:04d}", i) for i in range(units)),
            *(score("district", f"1201{i:02d}", i) for i in range(1, 17))]
