"""Facts from ``assessment.events``: projects, milestones, incomes, low-income cover, assessments.

Low-income people are known here by pseudonymous id only, and only inside keys: no
statistic or explanation ever returns a key.
"""

from __future__ import annotations

from datetime import date

from shared.contracts import assessment as A

from services.publicity.projections.facts.model import Fact, district_of, rule


def _at(e) -> dict:
    """Where an event happened: its district (named, or from the village code) and village."""
    return {"district": district_of(e.village_code, getattr(e, "district", None)), "village": e.village_code}


@rule(A.ProjectPlanned)
def planned(e: A.ProjectPlanned) -> list[Fact]:
    project = e.project_id
    return [
        Fact("project", project, {"action_code": e.action_code, "task_no": e.task_no, "title": e.title,
                                   "planned_start": e.planned_start, "planned_end": e.planned_end}, **_at(e)),
        *(Fact("milestone", f"{project}:{m.milestone_id}",
               {"project_id": project, "milestone_id": m.milestone_id, "title": m.title, "due_on": m.due_on},
               **_at(e))
          for m in e.milestones),
    ]


def _milestone(state: str, e, on: date | None) -> list[Fact]:
    return [Fact("milestone_state", f"{e.project_id}:{e.milestone_id}",
                 {"project_id": e.project_id, "state": state, "on": on}, **_at(e))]


@rule(A.MilestoneReported)
def reported(e: A.MilestoneReported) -> list[Fact]:
    return _milestone("reported", e, e.reported_on)


@rule(A.MilestoneVerified)
def verified(e: A.MilestoneVerified) -> list[Fact]:
    return _milestone("verified", e, e.verified_on)


@rule(A.MilestoneReturned)
def returned(e: A.MilestoneReturned) -> list[Fact]:
    return _milestone("returned", e, None)


@rule(A.ProjectCompleted)
def completed(e: A.ProjectCompleted) -> list[Fact]:
    return [Fact("project_done", e.project_id, {"completed_on": e.completed_on}, **_at(e))]


@rule(A.ProjectReplanned)
def replanned(e: A.ProjectReplanned) -> list[Fact]:
    # A kind of its own: the "project" fact keeps the action and task ProjectReplanned does not repeat.
    return [Fact("project_plan", e.project_id, {"title": e.title, "planned_start": e.planned_start,
                                                 "planned_end": e.planned_end}, **_at(e))]


@rule(A.MilestoneReplanned)
def milestone_replanned(e: A.MilestoneReplanned) -> list[Fact]:
    return [Fact("milestone", f"{e.project_id}:{e.milestone_id}",
                 {"project_id": e.project_id, "milestone_id": e.milestone_id, "title": e.title,
                  "due_on": e.due_on}, **_at(e))]


@rule(A.MilestoneCancelled)
def milestone_cancelled(e: A.MilestoneCancelled) -> list[Fact]:
    return _milestone("cancelled", e, e.cancelled_on)


@rule(A.ProjectCancelled)
def project_cancelled(e: A.ProjectCancelled) -> list[Fact]:
    project = e.project_id
    return [
        Fact("project_cancel", project, {"cancelled_on": e.cancelled_on, "task_no": e.task_no}, **_at(e)),
        *(Fact("milestone_state", f"{project}:{m}", {"project_id": project, "state": "cancelled",
                                                     "on": e.cancelled_on}, **_at(e))
          for m in e.cancelled_milestone_ids),
    ]


@rule(A.CollectiveIncomeReported)
def collective_income(e: A.CollectiveIncomeReported) -> list[Fact]:
    return [Fact("income", f"{e.village_code}:{e.year}",
                 {"year": e.year, "income_fen": e.income_fen, "flagged": bool(e.flagged)}, **_at(e))]


@rule(A.FarmerIncomeReported)
def farmer_income(e: A.FarmerIncomeReported) -> list[Fact]:
    return [Fact("farmer_income", f"{e.village_code}:{e.year}", {"year": e.year, "per_capita_fen": e.per_capita_fen},
                 **_at(e))]


@rule(A.IncomeReportReviewed)
def income_reviewed(e: A.IncomeReportReviewed) -> list[Fact]:
    """The report restated as reviewed: no longer flagged; a rejected one no longer counts
    (the income figures leave out a latest fact with ``rejected``)."""
    key, rejected = f"{e.village_code}:{e.year}", not e.accepted
    if e.measure == "farmer":
        return [Fact("farmer_income", key, {"year": e.year, "per_capita_fen": e.amount_fen, "rejected": rejected},
                     **_at(e))]
    return [Fact("income", key, {"year": e.year, "income_fen": e.amount_fen, "flagged": False, "rejected": rejected},
                 **_at(e))]


@rule(A.CityIncomeGrowthReported)
def city_income(e: A.CityIncomeGrowthReported) -> list[Fact]:
    return [Fact("city_income", str(e.year), {"year": e.year, "per_capita_fen": e.per_capita_fen,
                                               "growth_pct": str(e.growth_pct)})]


@rule(A.LowIncomePersonRegistered)
def person(e: A.LowIncomePersonRegistered) -> list[Fact]:
    return [Fact("person", e.person_id, {}, **_at(e))]


@rule(A.EligibilityRecorded)
def eligibility(e: A.EligibilityRecorded) -> list[Fact]:
    return [Fact("eligibility", f"{e.person_id}:{e.cover}", {"cover": e.cover, "eligible": bool(e.eligible)},
                 **_at(e))]


@rule(A.CoverageRecorded)
def coverage(e: A.CoverageRecorded) -> list[Fact]:
    return [Fact("coverage", f"{e.person_id}:{e.cover}", {"cover": e.cover, "covered": True,
                                                         "covered_on": e.covered_on}, **_at(e))]


@rule(A.CoverageEnded)
def coverage_ended(e: A.CoverageEnded) -> list[Fact]:
    return [Fact("coverage", f"{e.person_id}:{e.cover}", {"cover": e.cover, "covered": False}, **_at(e))]


def _assessment(year: int, results: list[A.AssessmentScore]) -> list[Fact]:
    return [
        Fact("assessment", f"{year}:{r.subject_kind}:{r.subject_id}",
             {"year": year, "subject_kind": r.subject_kind, "subject_id": r.subject_id, "total": str(r.total),
              "grade": r.grade, "scores": {k: str(v) for k, v in r.scores.items()}},
             district=r.subject_id if r.subject_kind == "district" else None)
        for r in results
    ]


@rule(A.AssessmentPublished)
def assessment_published(e: A.AssessmentPublished) -> list[Fact]:
    # Only published results are public; AssessmentComputed drafts stay with the assessors.
    # A paged publication (v2, pages > 0) has no results here: its pages state them.
    return _assessment(e.year, e.results)


@rule(A.AssessmentResultsPage)
def assessment_page(e: A.AssessmentResultsPage) -> list[Fact]:
    return _assessment(e.year, e.results) if e.step == "published" else []
