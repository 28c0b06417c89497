"""Assessment stages: teams plan projects and report milestones, assessors verify (or send
back); incomes and low-income coverage are reported; inspectors inspect and accept the
rectifications; and each year's assessment is defined, marked, computed, reviewed, published."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from scenario import calendar
from scenario.drive import people
from scenario.drive.client import Api
from shared.money import yuan
from scenario.drive.stage import Stage
from scenario.generate.undo import MILESTONE_REPLANNED, PROJECT_CANCELLED, REVIEW
from scenario.model import Scenario

# A team's actions reach assessment's copy of the team assignments through registry's events.
NOT_YET = (403, 404, 409, 422)
EVIDENCE = "已按计划完成，附照片与验收单 / done as planned; photos and acceptance sheet attached"
RETURN_REASON = "佐证材料不足，请补充 / evidence insufficient, please add more"


def work_stages(s: Scenario, api: Api) -> list[Stage]:
    """Projects and their milestones: must precede allocations (tranches name milestones)."""
    first = {a.village_code: a for a in s.assignments if a.assigned_on == calendar.ASSIGNMENTS}
    teams = {t.team_id: t for t in s.teams}

    def team_of(code: str, day: date) -> dict[str, str]:
        """The first secretary, that day, of the team first serving the village. (Only a team may
        report; a village's reports after its team was dissolved are sent, as everything here,
        before the dissolution is, so that team's secretary sends them: the rotated team only
        serves it once the late stage has run.)"""
        a = first[code]
        return people.secretary(api, a.team_id, s.secretary_on(teams[a.team_id], day))

    def plan(p):
        body = {"project_id": p.project_id, "village_code": p.village_code, "task_no": p.task_no, "title": p.title,
                "planned_start": p.planned_start.isoformat(), "planned_end": p.planned_end.isoformat(),
                "milestones": [{"milestone_id": m.milestone_id, "title": m.title, "due_on": m.due_on.isoformat(),
                                "funding_share_pct": str(m.funding_share_pct)} for m in p.milestones]}

        async def chain() -> None:
            await api.command("assessment.projects", "assessment", "/projects", body,
                              who=team_of(p.village_code, p.planned_on), key=api.key("project", p.project_id),
                              on=p.planned_on, eventual=NOT_YET)
        return chain

    def progress(p):
        async def chain() -> None:
            for m in p.milestones:
                base = f"/projects/{p.project_id}/milestones/{m.milestone_id}"
                if m.replanned and await api.command(
                        "assessment.milestones", "assessment", f"{base}/replan",
                        {"due_on": m.replanned[1].isoformat(), "reason": MILESTONE_REPLANNED},
                        who=people.district(api, p.district), key=api.key("replan", m.milestone_id),
                        on=m.replanned[0], eventual=NOT_YET) is None:
                    return
                for i, day in enumerate(m.reports):
                    if await api.command("assessment.milestones", "assessment", f"{base}/report",
                                         {"evidence_text": EVIDENCE}, who=team_of(p.village_code, day),
                                         key=api.key("report", m.milestone_id, i), on=day, eventual=NOT_YET) is None:
                        return
                    if i < len(m.returned):
                        await api.command("assessment.milestones", "assessment", f"{base}/return",
                                          {"reason": RETURN_REASON}, who=people.assessor(api, 1),
                                          key=api.key("return", m.milestone_id, i), on=m.returned[i])
                if m.verified_on is None:
                    return
                await api.command("assessment.milestones", "assessment", f"{base}/verify", None,
                                  who=people.assessor(api, 2), key=api.key("verify", m.milestone_id), on=m.verified_on)
        return chain

    steps = sum(len(m.reports) + len(m.returned) + (m.verified_on is not None) + (m.replanned is not None)
                for p in s.projects for m in p.milestones)
    return [
        Stage("assessment.projects", "项目立项 / projects planned", [plan(p) for p in s.projects], len(s.projects)),
        Stage("assessment.milestones", "节点填报与验收 / milestones reported and verified",
              [progress(p) for p in s.projects], steps),
    ]


def cancellation_stage(s: Scenario, api: Api) -> Stage:
    """Stalled projects cancelled by their district office: after the money stages, since the
    allocations name their milestones and funding returns what was never released."""
    def cancel(p):
        async def chain() -> None:
            await api.command("assessment.cancellations", "assessment", f"/projects/{p.project_id}/cancel",
                              {"reason": PROJECT_CANCELLED}, who=people.district(api, p.district),
                              key=api.key("project-cancel", p.project_id), on=p.cancelled_on)
        return chain

    cancelled = [p for p in s.projects if p.cancelled_on]
    return Stage("assessment.cancellations", "撤销停滞项目 / stalled projects cancelled", [cancel(p) for p in cancelled],
                 len(cancelled))


def outcome_stages(s: Scenario, api: Api) -> list[Stage]:
    """Incomes, low-income protection and inspections."""
    reports = defaultdict(list)  # village → its reports in the order they were made
    for r in s.incomes:
        reports[r.village_code].append((r.reported_on, r.year, "collective_income", r.income_fen, r.note, r.reviewed))
    for f in s.farmer_incomes:
        reports[f.village_code].append((f.reported_on, f.year, "farmer_per_capita_income", f.per_capita_fen, None,
                                        None))

    def village_reports(code: str):
        district = s.village(code).district

        async def chain() -> None:
            # In order: each figure is judged against the village's previous year (a rejected one: none).
            for on, year, field, fen, note, reviewed in sorted(reports[code], key=lambda x: x[:3]):
                body = {"village_code": code, "year": year, field: yuan(fen)} | ({"note": note} if note else {})
                if await api.command("assessment.incomes", "assessment", "/incomes/villages", body,
                                     who=people.district(api, district), key=api.key("income", code, year, field),
                                     on=on, eventual=NOT_YET) is None or reviewed is None:
                    continue
                await api.command("assessment.incomes", "assessment", f"/incomes/villages/{code}/{year}/review",
                                  {"measure": "collective", "accepted": reviewed[1], "reason": REVIEW[reviewed[1]]},
                                  who=people.assessor(api, 2), key=api.key("income-review", code, year),
                                  on=reviewed[0])
        return chain

    async def city_reports() -> None:
        for g in s.city_growth:
            await api.command("assessment.incomes", "assessment", "/incomes/city",
                              {"year": g.year, "per_capita_income": yuan(g.per_capita_fen),
                               "growth_pct": str(g.growth_pct)},
                              who=people.city(api), key=api.key("city-income", g.year), on=g.reported_on)

    def person(p):
        who = people.district(api, p.district)

        async def chain() -> None:
            if await api.command("assessment.low_income", "assessment", "/low-income/persons",
                                 {"person_id": p.person_id, "household_id": p.household_id,
                                  "village_code": p.village_code},
                                 who=who, key=api.key("person", p.person_id), on=p.registered_on, eventual=NOT_YET) is None:
                return
            base = f"/low-income/persons/{p.person_id}"
            for c in p.covers:
                await api.command("assessment.low_income", "assessment", f"{base}/eligibility",
                                  {"cover": c.cover, "eligible": True}, who=who,
                                  key=api.key("eligible", p.person_id, c.cover), on=c.eligible_on)
                if c.covered_on:
                    await api.command("assessment.low_income", "assessment", f"{base}/coverage",
                                      {"cover": c.cover, "covered_on": c.covered_on.isoformat()}, who=who,
                                      key=api.key("covered", p.person_id, c.cover), on=c.covered_on)
                if c.withdrawn_on:
                    await api.command("assessment.low_income", "assessment", f"{base}/eligibility",
                                      {"cover": c.cover, "eligible": False}, who=who,
                                      key=api.key("ineligible", p.person_id, c.cover), on=c.withdrawn_on)
        return chain

    teams = {t.team_id: t for t in s.teams}

    def inspection(i):
        async def chain() -> None:
            body = {"inspection_id": i.inspection_id, "target_kind": i.target_kind, "target_id": i.target_id,
                    "inspected_on": i.inspected_on.isoformat(),
                    "findings": [{"finding_id": f.finding_id, "text": f.text, "deadline": f.deadline.isoformat()}
                                 for f in i.findings]}
            if await api.command("assessment.inspections", "assessment", "/inspections", body,
                                 who=people.inspector(api), key=api.key("inspection", i.inspection_id),
                                 on=i.inspected_on, eventual=NOT_YET) is None:
                return
            # The inspected answer: the team itself, or for a village its district office.
            who = (people.secretary(api, i.target_id, teams[i.target_id].first_secretary_id)
                   if i.target_kind == "team" else people.district(api, i.district))
            for f in i.findings:
                base = f"/inspections/{i.inspection_id}/findings/{f.finding_id}"
                if f.rectified_on is None:
                    continue
                if await api.command("assessment.inspections", "assessment", f"{base}/rectification",
                                     {"text": f"已整改：{f.text}问题已解决 / rectified"}, who=who,
                                     key=api.key("rectify", f.finding_id), on=f.rectified_on) is None:
                    continue
                if f.accepted_on:
                    await api.command("assessment.inspections", "assessment", f"{base}/accept", None,
                                      who=people.inspector(api), key=api.key("accept", f.finding_id), on=f.accepted_on)
        return chain

    person_steps = sum(1 + len(p.covers) + sum((c.covered_on is not None) + (c.withdrawn_on is not None)
                                               for c in p.covers) for p in s.persons)
    inspection_steps = sum(1 + sum((f.rectified_on is not None) + (f.accepted_on is not None) for f in i.findings)
                           for i in s.inspections)
    return [
        Stage("assessment.incomes", "收入年报与复核 / income reports and reviews",
              [city_reports, *(village_reports(c) for c in sorted(reports))],
              len(s.incomes) + len(s.farmer_incomes) + len(s.city_growth) + sum(r.reviewed is not None for r in s.incomes)),
        Stage("assessment.low_income", "低收入人口保障 / low-income protection", [person(p) for p in s.persons],
              person_steps),
        Stage("assessment.inspections", "督导检查与整改 / inspections and rectification",
              [inspection(i) for i in s.inspections], inspection_steps),
    ]


def annual_stage(s: Scenario, api: Api) -> Stage:
    """Each year: the rubric, the assessors' marks, compute, review by another assessor, publish."""
    def year_chain(a):
        async def chain() -> None:
            y = a.year
            rubric = {"dimensions": [{"code": c, "weight": str(w)} for c, w in a.weights.items()],
                      "params": {"presence_days_per_year": str(a.presence_days_per_year)}}
            if await api.command("assessment.annual", "assessment", f"/rubrics/{y}", rubric, who=people.city(api),
                                 key=api.key("rubric", y), on=a.rubric_on, method="PUT") is None:
                return
            for team_id, mark in sorted(a.marks.items()):
                await api.command("assessment.annual", "assessment", f"/assessments/{y}/marks",
                                  {"subject_kind": "team", "subject_id": team_id, "mark": str(mark)},
                                  who=people.assessor(api, 1), key=api.key("mark", y, team_id), on=a.computed_on)
            for step, who, body, on in (
                ("compute", people.assessor(api, 1), {"as_of": a.as_of.isoformat()}, a.computed_on),
                ("review", people.assessor(api, 2), {"as_of": a.as_of.isoformat(), "approved": True}, a.computed_on),
                ("publish", people.city(api), {"as_of": a.as_of.isoformat()}, a.published_on),
            ):
                if await api.command("assessment.annual", "assessment", f"/assessments/{y}/{step}", body, who=who,
                                     key=api.key("assessment", y, step), on=on) is None:
                    return
        return chain

    return Stage("assessment.annual", "年度考核 / annual assessments", [year_chain(a) for a in s.assessments],
                 sum(4 + len(a.marks) for a in s.assessments))
