"""Facts from ``assessment.events``: projects, milestones, incomes, low-income cover, assessments.

Low-income people are known here by pseudonymous id only, and only inside keys: no
statistic or explanation ever returns a key.
"""

from __future__ import annotations

from services.publicity.projections.facts.model import Fact, Payload, district_of, rule


@rule("ProjectPlanned")
def planned(p: Payload) -> list[Fact]:
    village, project = p["village_code"], p["project_id"]
    district = district_of(village, p.get("district"))
    return [
        Fact("project", project, {"action_code": p.get("action_code"), "task_no": p.get("task_no"),
                                   "title": p.get("title"), "planned_start": p.get("planned_start"),
                                   "planned_end": p.get("planned_end")}, district=district, village=village),
        *(Fact("milestone", f"{project}:{m['milestone_id']}",
               {"project_id": project, "milestone_id": m["milestone_id"], "title": m.get("title"),
                "due_on": m.get("due_on")}, district=district, village=village)
          for m in p.get("milestones", ())),
    ]


def _milestone(state: str, p: Payload, on: str | None) -> list[Fact]:
    village = p.get("village_code")
    return [Fact("milestone_state", f"{p['project_id']}:{p['milestone_id']}",
                 {"project_id": p["project_id"], "state": state, "on": on},
                 district=district_of(village, p.get("district")), village=village)]


@rule("MilestoneReported")
def reported(p: Payload) -> list[Fact]:
    return _milestone("reported", p, p.get("reported_on"))


@rule("MilestoneVerified")
def verified(p: Payload) -> list[Fact]:
    return _milestone("verified", p, p.get("verified_on"))


@rule("MilestoneReturned")
def returned(p: Payload) -> list[Fact]:
    return _milestone("returned", p, None)


@rule("ProjectCompleted")
def completed(p: Payload) -> list[Fact]:
    village = p["village_code"]
    return [Fact("project_done", p["project_id"], {"completed_on": p.get("completed_on")},
                 district=district_of(village, p.get("district")), village=village)]


@rule("ProjectReplanned")
def replanned(p: Payload) -> list[Fact]:
    # A kind of its own: the "project" fact keeps the action and task ProjectReplanned does not repeat.
    village = p["village_code"]
    return [Fact("project_plan", p["project_id"], {"title": p.get("title"), "planned_start": p.get("planned_start"),
                                                    "planned_end": p.get("planned_end")},
                 district=district_of(village, p.get("district")), village=village)]


@rule("MilestoneReplanned")
def milestone_replanned(p: Payload) -> list[Fact]:
    village, project = p["village_code"], p["project_id"]
    return [Fact("milestone", f"{project}:{p['milestone_id']}",
                 {"project_id": project, "milestone_id": p["milestone_id"], "title": p.get("title"),
                  "due_on": p.get("due_on")}, district=district_of(village, p.get("district")), village=village)]


@rule("MilestoneCancelled")
def milestone_cancelled(p: Payload) -> list[Fact]:
    return _milestone("cancelled", p, p.get("cancelled_on"))


@rule("ProjectCancelled")
def project_cancelled(p: Payload) -> list[Fact]:
    village, project = p["village_code"], p["project_id"]
    district = district_of(village, p.get("district"))
    return [
        Fact("project_cancel", project, {"cancelled_on": p.get("cancelled_on"), "task_no": p.get("task_no")},
             district=district, village=village),
        *(Fact("milestone_state", f"{project}:{m}", {"project_id": project, "state": "cancelled",
                                                     "on": p.get("cancelled_on")}, district=district, village=village)
          for m in p.get("cancelled_milestone_ids", ())),
    ]


@rule("CollectiveIncomeReported")
def collective_income(p: Payload) -> list[Fact]:
    village = p["village_code"]
    return [Fact("income", f"{village}:{p['year']}",
                 {"year": p["year"], "income_fen": p["income_fen"], "flagged": bool(p.get("flagged"))},
                 district=district_of(village, p.get("district")), village=village)]


@rule("FarmerIncomeReported")
def farmer_income(p: Payload) -> list[Fact]:
    village = p["village_code"]
    return [Fact("farmer_income", f"{village}:{p['year']}", {"year": p["year"], "per_capita_fen": p["per_capita_fen"]},
                 district=district_of(village, p.get("district")), village=village)]


@rule("IncomeReportReviewed")
def income_reviewed(p: Payload) -> list[Fact]:
    """The report restated as reviewed: no longer flagged; a rejected one no longer counts
    (the income figures leave out a latest fact with ``rejected``)."""
    village, year = p["village_code"], p["year"]
    rejected = not p.get("accepted")
    if p.get("measure") == "farmer":
        fact = Fact("farmer_income", f"{village}:{year}",
                    {"year": year, "per_capita_fen": p["amount_fen"], "rejected": rejected})
    else:
        fact = Fact("income", f"{village}:{year}",
                    {"year": year, "income_fen": p["amount_fen"], "flagged": False, "rejected": rejected})
    return [Fact(fact.kind, fact.key, fact.value, district=district_of(village, p.get("district")), village=village)]


@rule("CityIncomeGrowthReported")
def city_income(p: Payload) -> list[Fact]:
    return [Fact("city_income", str(p["year"]), {"year": p["year"], "per_capita_fen": p.get("per_capita_fen"),
                                                  "growth_pct": str(p.get("growth_pct"))})]


@rule("LowIncomePersonRegistered")
def person(p: Payload) -> list[Fact]:
    village = p["village_code"]
    return [Fact("person", p["person_id"], {}, district=district_of(village, p.get("district")), village=village)]


@rule("EligibilityRecorded")
def eligibility(p: Payload) -> list[Fact]:
    village = p["village_code"]
    return [Fact("eligibility", f"{p['person_id']}:{p['cover']}", {"cover": p["cover"], "eligible": bool(p["eligible"])},
                 district=district_of(village, p.get("district")), village=village)]


@rule("CoverageRecorded")
def coverage(p: Payload) -> list[Fact]:
    village = p["village_code"]
    return [Fact("coverage", f"{p['person_id']}:{p['cover']}",
                 {"cover": p["cover"], "covered": True, "covered_on": p.get("covered_on")},
                 district=district_of(village, p.get("district")), village=village)]


@rule("CoverageEnded", "CoverageLapsed")
def coverage_ended(p: Payload) -> list[Fact]:
    village = p["village_code"]
    return [Fact("coverage", f"{p['person_id']}:{p['cover']}", {"cover": p["cover"], "covered": False},
                 district=district_of(village, p.get("district")), village=village)]


@rule("AssessmentPublished")
def assessment_published(p: Payload) -> list[Fact]:
    # Only published results are public; AssessmentComputed drafts stay with the assessors.
    year = p["year"]
    return [
        Fact("assessment", f"{year}:{r['subject_kind']}:{r['subject_id']}",
             {"year": year, "subject_kind": r["subject_kind"], "subject_id": r["subject_id"],
              "total": str(r.get("total")), "grade": r.get("grade"),
              "scores": {k: str(v) for k, v in (r.get("scores") or {}).items()}},
             district=r["subject_id"] if r["subject_kind"] == "district" else None)
        for r in p.get("results", ())
    ]
