"""年度考核 / rubrics, assessors' marks, computing, reviewing and publishing a year."""

from __future__ import annotations

from dataclasses import replace

from shared.contracts.assessment import AssessmentComputed, AssessmentScore
from shared.eventstore import UnitOfWork
from shared.eventstore.errors import Conflict
from shared.identity import Principal

from services.assessment.domain.assessment import (
    Assessment,
    ComputeAssessment,
    PublishAssessment,
    RecordMark,
    ReviewAssessment,
)
from services.assessment.domain.rubric import DefineRubric, Rubric
from services.assessment.domain.scoring import score_year
from services.assessment.handlers.access import ensure_city_level, ensure_may_mark, today
from services.assessment.handlers.ports import directory, year_facts


def rubric_view(rubric: Rubric) -> dict:
    latest = rubric.latest
    return {"year": latest.year, "rubric_version": latest.rubric_version,
            "dimensions": [d.model_dump(mode="json") for d in latest.dimensions],
            "grade_cutoffs": {k: str(v) for k, v in latest.grade_cutoffs.items()},
            "params": {k: str(v) for k, v in latest.params.items()}}


async def define_rubric(uow: UnitOfWork, cmd: DefineRubric, *, year: int) -> dict:
    assessment = await uow.load(Assessment, str(year))
    if assessment.published is not None:
        raise Conflict(f"{year} 年考核已发布，细则不能再改 / the {year} assessment is published", field="dimensions")
    rubric = await uow.load(Rubric, str(year))
    rubric.define(cmd)
    await uow.save(rubric)
    return rubric_view(rubric)


async def record_mark(uow: UnitOfWork, cmd: RecordMark, principal: Principal, *, year: int) -> dict:
    districts = await directory(uow).subject_districts(cmd.subject_kind, cmd.subject_id)
    ensure_may_mark(principal, cmd.subject_kind, districts)
    assessment = await uow.load(Assessment, str(year))
    assessment.mark(cmd, principal.actor)
    await uow.save(assessment)
    return {"year": year, "subject_kind": cmd.subject_kind, "subject_id": cmd.subject_id, "mark": str(cmd.mark),
            "stream_version": assessment.version}


def computation_view(computed: AssessmentComputed, results: list[AssessmentScore], *, recorded: bool,
                     reproduced: bool | None) -> dict:
    return {"year": computed.year, "as_of": computed.as_of.isoformat(), "cutoff": computed.cutoff,
            "rubric_version": computed.rubric_version, "marks_through": computed.marks_through,
            "computed_by": computed.computed_by, "recorded": recorded, "reproduced": reproduced,
            "results": [r.model_dump(mode="json") for r in results]}


async def compute(uow: UnitOfWork, cmd: ComputeAssessment, principal: Principal, *, year: int) -> dict:
    """Re-run a computation already made for the day (same cut-off, rubric and marks: the
    results must come out equal), or make a new one under the current watermarks."""
    ensure_city_level(principal, field="as_of")
    assessment = await uow.load(Assessment, str(year))
    assessment.check_day(cmd, today(uow))
    rubric = await uow.load(Rubric, str(year))
    earlier = assessment.computations.get(cmd.as_of)
    if earlier is not None and not cmd.refresh:
        # Under a rebuild or a restore, or behind a lagging worker, rows below the recorded
        # cut-off may still be missing: reading them now would not reproduce, it would differ.
        facts = year_facts(uow)
        await facts.ensure_caught_up(earlier.cutoff)
        read = await facts.load_year(year, cmd.as_of, earlier.cutoff)
        read = replace(read, marks=assessment.marks_through(earlier.marks_through or 0))
        results = score_year(read, rubric.version_no(earlier.rubric_version or 1))
        return computation_view(earlier, results, recorded=False, reproduced=results == earlier.results)
    used = rubric.latest
    cutoff = await year_facts(uow).watermarks()
    read = await year_facts(uow).load_year(year, cmd.as_of, cutoff)
    read = replace(read, marks=assessment.marks_through(assessment.applied))
    results = score_year(read, used)
    event = assessment.computed(cmd.as_of, results, cutoff, used.rubric_version, assessment.applied, principal.actor)
    await uow.save(assessment)
    return computation_view(event, results, recorded=True, reproduced=None)


async def review(uow: UnitOfWork, cmd: ReviewAssessment, principal: Principal, *, year: int) -> dict:
    ensure_city_level(principal, field="as_of")
    assessment = await uow.load(Assessment, str(year))
    assessment.review_latest(cmd, principal.actor)
    await uow.save(assessment)
    return {"year": year, "as_of": cmd.as_of.isoformat(), "approved": cmd.approved,
            "stream_version": assessment.version}


async def publish(uow: UnitOfWork, cmd: PublishAssessment, *, year: int) -> dict:
    assessment = await uow.load(Assessment, str(year))
    assessment.publish(cmd)
    await uow.save(assessment)
    published = assessment.published
    return {"year": year, "as_of": published.as_of.isoformat(), "subjects": len(published.results),
            "stream_version": assessment.version}


def published_view(assessment: Assessment) -> dict:
    """What may be read beyond the assessors: the published results (publicity publishes them)."""
    published = assessment.published
    return {"year": assessment.year, "published": published is not None,
            "as_of": published.as_of.isoformat() if published else None,
            "results": [r.model_dump(mode="json") for r in published.results] if published else None}


def assessment_view(assessment: Assessment) -> dict:
    latest = assessment.latest
    return {
        "year": assessment.year,
        "status": "published" if assessment.published else "reviewed" if assessment.review and
        assessment.review.approved else "returned" if assessment.review else "computed" if latest else "open",
        "latest": computation_view(latest, latest.results, recorded=True, reproduced=None) if latest else None,
        "review": assessment.review.model_dump(mode="json") if assessment.review else None,
        "published": assessment.published is not None,
        "computations": sorted(d.isoformat() for d in assessment.computations),
        "marks": [m.model_dump(mode="json") for _, m in assessment.marks],
        "stream_version": assessment.version,
    }
