"""Registry stages: district offices import their village tables, the city office runs the
screening, units and cadres are registered, teams formed, assigned and sent in; then three
years of insurance, leave, presence check-ins and monthly allowances."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date

from shared.reference.places import DISTRICTS, VILLAGE_TYPE_LABELS, VillageType
from shared.reference.strengths import STRENGTH_LABELS, Strength

from scenario.drive import people
from scenario.drive.client import Api
from shared.money import yuan
from scenario.drive.stage import Stage
from scenario.generate.graduation import GRADUATED, RELEASED
from scenario.generate.team_life import DISSOLUTION, DISSOLVED, REPLACED
from scenario.generate.undo import LEAVE_CANCELLED
from scenario.model import BASE_YEARS, Scenario
from scenario.recording import (
    allowance_month,
    allowance_recorded_on,
    insurance_recorded_on,
    presence_sheets,
)

HEADERS = ["村代码", "村名", "区", "镇/街", "村类型", *(f"{y}年村集体经营性收入(元)" for y in BASE_YEARS), "扶持需求"]


class DesignationMismatch(RuntimeError):
    """The registry designated other villages than the plan: the database holds villages the
    scenario did not register (another scenario or test data), so nothing after is meaningful."""


def village_table(s: Scenario, district: str) -> bytes:
    """The district office's table, as it would send it: Chinese headers, yuan, type labels."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS)
    for v in s.villages:
        if v.district == district:
            writer.writerow([v.code, v.name, DISTRICTS[district], v.town, VILLAGE_TYPE_LABELS[VillageType(v.village_type)],
                             *(yuan(v.income_fen[y]) for y in BASE_YEARS),
                             "、".join(STRENGTH_LABELS[Strength(n)] for n in v.needs)])
    return out.getvalue().encode()


def _post(api: Api, stage: str, service: str, path: str, body: dict | None, who: dict, key: str, on: date, **kw):
    async def chain() -> None:
        await api.command(stage, service, path, body, who=who, key=key, on=on, **kw)
    return chain


def stages(s: Scenario, api: Api) -> list[Stage]:
    team_of = s.team_of_cadre
    out: list[Stage] = []

    def import_district(district: str):
        async def chain() -> None:
            table = village_table(s, district)
            if table.count(b"\n") <= 1:
                return
            on = next(v.registered_on for v in s.villages if v.district == district)
            await api.command("registry.villages", "registry", "/villages/import", None, who=people.district(api, district),
                              key=api.key("villages-import", district), on=on,
                              files={"file": (f"{district}-villages.csv", table, "text/csv")})
        return chain

    out.append(Stage("registry.villages", "登记村（各区导入）/ villages, imported by district",
                     [import_district(d) for d in DISTRICTS], len(DISTRICTS)))

    async def screen() -> None:
        answer = await api.command("registry.screening", "registry", "/screenings",
                                   {"run_id": s.screening.run_id, "quota": s.screening.quota},
                                   who=people.city(api), key=api.key("screening", s.screening.run_id),
                                   on=s.screening.on)
        if answer is not None and (set(answer.get("added", ())) != s.designated
                                   or answer.get("cutoff_average_fen") != s.screening.cutoff_average_fen):
            raise DesignationMismatch(
                f"登记服务认定了其他的村（分界线 {answer.get('cutoff_average_fen')} 分，计划 "
                f"{s.screening.cutoff_average_fen} 分）：数据库中有本情景之外的村 / the registry designated other "
                f"villages than planned: the database holds villages this scenario did not register. "
                f"用新的库运行 / use fresh databases, e.g. XINGCUN_DB_PREFIX=tj_ XINGCUN_TOPIC_PREFIX=tj. "
                f"for both `xingcun stack up` and this command")

    out.append(Stage("registry.screening", "精准识别 / screening", [screen], 1))
    out.append(Stage("registry.units", "扶持单位 / supporting units", [
        _post(api, "registry.units", "registry", "/units",
              {"unit_id": u.unit_id, "name": u.name, "level": u.level, "district": u.district,
               "strengths": list(u.strengths)},
              people.city(api) if u.level == "city" else people.district(api, u.district), api.key("unit", u.unit_id),
              u.registered_on)
        for u in s.units], len(s.units)))
    out.append(Stage("registry.cadres", "选派干部 / cadres", [
        _post(api, "registry.cadres", "registry", "/cadres",
              {"cadre_id": c.cadre_id, "unit_id": c.unit_id, "name": c.name, "title": c.title},
              people.unit(api, c.unit_id), api.key("cadre", c.cadre_id), c.registered_on)
        for c in s.cadres], len(s.cadres)))
    out.append(Stage("registry.trainings", "集中培训 / training", [
        _post(api, "registry.trainings", "registry", f"/cadres/{t.cadre_id}/trainings",
              {"course": t.course, "completed_on": t.completed_on.isoformat(), "centralised": t.centralised},
              people.city(api), api.key("training", t.cadre_id, t.course), t.completed_on)
        for t in s.trainings], len(s.trainings)))
    out.append(Stage("registry.teams", "组建工作队 / work teams", [
        _post(api, "registry.teams", "registry", "/teams",
              {"team_id": t.team_id, "district": t.district, "lead_unit_id": t.lead_unit_id,
               "partner_unit_ids": list(t.partner_unit_ids), "member_ids": list(t.member_ids),
               "first_secretary_id": t.first_secretary_id},
              people.district(api, t.district), api.key("team", t.team_id), t.formed_on)
        for t in s.teams], len(s.teams)))
    # A team's two villages go one after the other: both change the team's stream.
    by_team = defaultdict(list)
    for a in s.assignments:
        if not (s.rescreening and a.assigned_on >= s.rescreening.on):  # the re-screening's come later
            by_team[a.team_id].append(a)

    def assign(team_id: str):
        async def chain() -> None:
            for a in by_team[team_id]:
                await api.command("registry.assignments", "registry", f"/teams/{team_id}/villages",
                                  {"village_code": a.village_code, "reason": a.reason},
                                  who=people.district(api, a.district), key=api.key("assign", team_id, a.village_code),
                                  on=a.assigned_on)
        return chain

    def enter(team_id: str):
        team = next(t for t in s.teams if t.team_id == team_id)

        async def chain() -> None:
            for a in by_team[team_id]:
                await api.command("registry.entries", "registry", f"/teams/{team_id}/villages/{a.village_code}/entry",
                                  {"entered_on": a.entered_on.isoformat()},
                                  who=people.secretary(api, team_id, team.first_secretary_id),
                                  key=api.key("enter", team_id, a.village_code), on=a.entered_on)
        return chain

    first = sum(len(v) for v in by_team.values())
    out.append(Stage("registry.assignments", "因需对接 / team–village assignments",
                     [assign(t) for t in by_team], first))
    out.append(Stage("registry.entries", "工作队入村 / teams enter their villages",
                     [enter(t) for t in by_team], first))
    out.append(Stage("registry.insurance", "人身意外伤害保险 / accident insurance", [
        _post(api, "registry.insurance", "registry", f"/cadres/{i.cadre_id}/insurance",
              {"policy_no": i.policy_no, "valid_from": i.valid_from.isoformat(), "valid_to": i.valid_to.isoformat()},
              people.unit(api, s.unit_of_cadre[i.cadre_id]), api.key("insurance", i.policy_no),
              insurance_recorded_on(i))
        for i in s.insurances], len(s.insurances)))

    leaves_of = defaultdict(list)
    for lv in s.leaves:
        leaves_of[lv.cadre_id].append(lv)

    def leave_chain(cadre_id: str):
        team = team_of[cadre_id]

        async def chain() -> None:
            for lv in sorted(leaves_of[cadre_id], key=lambda x: x.start):
                done = await api.command(
                    "registry.leave", "registry", f"/cadres/{cadre_id}/leaves",
                    {"leave_id": lv.leave_id, "start": lv.start.isoformat(), "end": lv.end.isoformat(),
                     "reason": lv.reason},
                    who=people.secretary(api, team.team_id, team.first_secretary_id),
                    key=api.key("leave", lv.leave_id), on=lv.requested_on)
                if done is None:
                    continue
                decision = {"approve": True} if lv.approved else {"approve": False, "reason": lv.reject_reason}
                if await api.command(
                        "registry.leave", "registry", f"/cadres/{cadre_id}/leaves/{lv.leave_id}/decision", decision,
                        who=people.district(api, team.district), key=api.key("leave-decision", lv.leave_id),
                        on=lv.decided_on) is None or lv.cancelled_on is None:
                    continue
                await api.command("registry.leave", "registry", f"/cadres/{cadre_id}/leaves/{lv.leave_id}/cancellation",
                                  {"reason": LEAVE_CANCELLED},
                                  who=people.secretary(api, team.team_id, team.first_secretary_id),
                                  key=api.key("leave-cancel", lv.leave_id), on=lv.cancelled_on)
        return chain

    out.append(Stage("registry.leave", "请假、审批与撤销 / leave, decisions and cancellations",
                     [leave_chain(c) for c in sorted(leaves_of)],
                     2 * len(s.leaves) + sum(lv.cancelled_on is not None for lv in s.leaves)))

    sheets = presence_sheets(s)
    out.append(Stage("registry.presence", "驻村打卡（四同）/ presence check-ins",
                     [_post(api, "registry.presence", "registry", "/presence", _sheet_body(entries),
                            people.district(api, district), api.key("presence", district, month, part), on)
                      for district, month, part, entries, on in sheets], len(sheets)))
    months = sorted({allowance_month(c.day) for c in s.check_ins})
    out.append(Stage("registry.allowances", "生活补助 / monthly allowances", [
        _post(api, "registry.allowances", "registry", "/allowances",
              {"month": month}, people.finance(api, "fin-city-chief", "city"),
              api.key("allowance", month), allowance_recorded_on(month))
        for month in months], len(months)))
    # After the check-ins, leave and allowances were recorded (the allowances name each cadre's team).
    out.append(team_change_stage(s, api))
    return out


def team_change_stage(s: Scenario, api: Api) -> Stage:
    """First secretaries replaced and members leaving, each team's changes in date order."""
    by_team = defaultdict(list)
    for c in s.team_changes:
        if not c.dissolved:  # a dissolution comes with the rotations, after the projects' reports
            by_team[c.team_id].append(c)

    def chain_of(team_id: str):
        async def chain() -> None:
            for c in sorted(by_team[team_id], key=lambda c: c.on):
                who, key = people.district(api, c.district), api.key("team-change", team_id, c.on)
                if c.new_secretary:
                    body, path = {"cadre_id": c.new_secretary, "previous_leaves": False, "reason": REPLACED}, "first-secretary"
                else:
                    body, path = {"remove": [c.removed]}, "members"
                await api.command("registry.team_changes", "registry", f"/teams/{team_id}/{path}", body, who=who, key=key,
                                  on=c.on)
        return chain

    return Stage("registry.team_changes", "更换第一书记、队员离队 / first secretaries replaced, members leaving",
                 [chain_of(t) for t in sorted(by_team)], sum(len(v) for v in by_team.values()))


def rescreening_stage(s: Scenario, api: Api) -> Stage:
    """2023, after the money of the years before it moved: graduations (funding freezes the
    villages' allocations; a month later the city office returns what they had not paid),
    then the superseding run and the new villages' teams. One chain: the run must see every
    graduation, and a team's assignment comes after the run designated its village."""
    run = s.rescreening
    newcomers = [a for a in s.assignments if run and run.on <= a.assigned_on < DISSOLUTION]
    rotations = [a for a in s.assignments if a.assigned_on >= DISSOLUTION]
    dissolved = [c for c in s.team_changes if c.dissolved]
    teams = {t.team_id: t for t in s.teams}
    frozen = [(a, s.graduation_of[a.village_code]) for a in s.allocations
              if a.village_code in s.graduation_of and s.frozen_on(a, s.graduation_of[a.village_code].on) is not None]

    async def chain() -> None:
        stage = "registry.rescreening"
        for g in s.graduations:
            if await api.command(stage, "registry", f"/villages/{g.village_code}/graduation",
                                 {"year": g.year, "income": yuan(g.income_fen), "reason": GRADUATED},
                                 who=people.city(api), key=api.key("graduation", g.village_code), on=g.on) is None:
                return
        for a, g in frozen:
            # eventual: funding freezes the allocation when registry's revocation reaches it.
            await api.command(stage, "funding", f"/allocations/{a.allocation_id}/release-frozen",
                              {"reason": RELEASED}, who=people.city(api), key=api.key("release", a.allocation_id),
                              on=g.released_on, eventual=True)
        if run is None:
            return
        answer = await api.command(stage, "registry", "/screenings",
                                   {"run_id": run.run_id, "quota": run.quota, "supersedes": s.screening.run_id},
                                   who=people.city(api), key=api.key("screening", run.run_id), on=run.on)
        if answer is None:
            return
        for a in newcomers:
            if await api.command(stage, "registry", f"/teams/{a.team_id}/villages",
                                 {"village_code": a.village_code, "reason": a.reason},
                                 who=people.district(api, a.district), key=api.key("assign", a.team_id, a.village_code),
                                 on=a.assigned_on, eventual=True) is None:
                continue
            await enter(a)
        for c in dissolved:
            if await api.command(stage, "registry", f"/teams/{c.team_id}/dissolution", {"reason": DISSOLVED},
                                 who=people.district(api, c.district), key=api.key("dissolve", c.team_id),
                                 on=c.on) is None:
                return
        for a in rotations:
            villages = sorted(x.village_code for x in s.assignments if x.team_id == a.team_id and x.active_on(a.assigned_on))
            if await api.command(stage, "registry", f"/teams/{a.team_id}/rotation", {"villages": villages, "reason": a.reason},
                                 who=people.district(api, a.district), key=api.key("rotate", a.team_id, a.village_code),
                                 on=a.assigned_on) is None:
                continue
            await enter(a)

    async def enter(a) -> None:
        secretary = s.secretary_on(teams[a.team_id], a.entered_on)
        await api.command("registry.rescreening", "registry", f"/teams/{a.team_id}/villages/{a.village_code}/entry",
                          {"entered_on": a.entered_on.isoformat()}, who=people.secretary(api, a.team_id, secretary),
                          key=api.key("enter", a.team_id, a.village_code), on=a.entered_on)

    total = len(s.graduations) + len(frozen) + (run is not None) + 2 * len(newcomers) + len(dissolved) + 2 * len(rotations)
    return Stage("registry.rescreening", "达标出列、冻结退回、重新识别、撤队与轮换 / graduation, frozen money returned, "
                 "re-screening, a team dissolved and rotations", [chain], total)


def _sheet_body(entries: list) -> dict:
    return {"entries": [{"cadre_id": c.cadre_id, "village_code": c.village_code, "day": c.day.isoformat(),
                         "togethers": list(c.togethers)} for c in entries]}

