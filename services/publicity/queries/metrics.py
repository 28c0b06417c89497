"""The catalogue of figures: each a query whose rows are counted or summed.

A metric's query yields one row per thing counted — ``district``, ``village``, ``dims``
(the breakdowns: source, task, status, year…), ``value`` and ``refs``, the events that row
rests on. A figure is the sum of ``value`` over the rows that match; its explanation is
the union of their ``refs``. So every number can be traced to its events by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.reference.tasks import INCOME_TARGET_FEN

from services.publicity.queries.facts_sql import (
    ACTIVE_ASSIGNMENTS,
    DESIGNATED,
    STANDS,
    TEAM_DISTRICT,
    latest,
    ref,
    refs,
)


@dataclass(frozen=True)
class Metric:
    name: str
    zh: str
    en: str
    unit: str  # "villages", "teams", "units", "people", "projects", "milestones", "days", "fen", "count"
    sql: str
    breakdowns: tuple[str, ...] = ()
    # The same rows summed from the projection's running tallies (``stats.tallies``, one row per
    # tally with ``rows``, how many of the metric's rows it sums), for figures as of now.
    tallied: str | None = None


def _m(name, zh, en, unit, sql, *breakdowns, tallied: str | None = None) -> Metric:
    return Metric(name, zh, en, unit, sql, tuple(breakdowns), tallied)


# A village's type as last edited (VillageAttributesChanged), else as registered.
VILLAGES = f"""select v.district, v.village,
    jsonb_build_object('village_type', coalesce(va.value->>'village_type', v.value->>'village_type')) as dims,
    1::numeric as value, {refs('v', 'va')} as refs
    from {latest('village')} v left join {latest('village_attributes')} va on va.key = v.key"""

# Teams that exist: a dissolved team (TeamDissolved) counts in no figure of the network.
EXISTING_TEAMS = f"""(select * from {latest('team')} x where not coalesce((x.value->>'dissolved')::boolean, false))"""

# 达标出列: villages whose designation last ended by graduation (a later designation would end it).
GRADUATED = f"""select d.district, d.village,
        jsonb_build_object('year', d.value->'met_target'->>'year') as dims,
        1::numeric as value, {refs('d')} as refs
    from {latest('designation')} d
    where not (d.value->>'designated')::boolean and d.value->>'reason_code' = 'graduated'"""

DESIGNATED_ROWS = f"""select d.district, d.village, jsonb_build_object('run_id', d.value->>'run_id') as dims,
    1::numeric as value, {refs('d')} as refs from {DESIGNATED} d"""


def _weak_team(with_team: bool) -> str:
    test = "exists" if with_team else "not exists"
    return f"""select d.district, d.village, '{{}}'::jsonb as dims, 1::numeric as value,
        {refs('d')} || coalesce((select jsonb_agg({ref('a')}) from {latest('assignment')} a
                                 where a.village = d.village), '[]'::jsonb) as refs
        from {DESIGNATED} d
        where {test} (select 1 from {ACTIVE_ASSIGNMENTS} a where a.village = d.village)"""


TEAMS = f"""select td.district, null::text as village,
        jsonb_build_object('villages', case when coalesce(x.n, 0) >= 3 then '3+' else coalesce(x.n, 0)::text end,
                           'lead_unit_id', t.value->>'lead_unit_id') as dims,
        1::numeric as value, {refs('t')} || coalesce(x.refs, '[]'::jsonb) as refs
    from {EXISTING_TEAMS} t
    join {TEAM_DISTRICT} td on td.team_id = t.key
    left join (select a.value->>'team_id' as team_id, count(*) as n, jsonb_agg({ref('a')}) as refs
               from {ACTIVE_ASSIGNMENTS} a group by 1) x on x.team_id = t.key"""

UNITS = f"""with t as {EXISTING_TEAMS},
    part as (select t.key as team_id, t.value->>'lead_unit_id' as unit_id, {ref('t')} as ref from t
             union all
             select t.key, p.unit_id, {ref('t')} from t, jsonb_array_elements_text(t.value->'partner_unit_ids') p(unit_id))
    select u.district, null::text as village,
        jsonb_build_object('teams', case when count(distinct p.team_id) >= 3 then '3+'
                                         else count(distinct p.team_id)::text end,
                           'level', u.value->>'level') as dims,
        1::numeric as value,
        jsonb_build_array({ref('u')}) || coalesce(jsonb_agg(p.ref) filter (where p.team_id is not null), '[]'::jsonb)
            as refs
    from {latest('unit')} u left join part p on p.unit_id = u.key
    group by u.key, u.district, u.value, u.source, u.position, u.event_id, u.event_type, u.at"""

SECRETARIES = f"""select td.district, null::text as village,
        jsonb_build_object('trained', case when tr.key is null then 'no' else 'yes' end) as dims,
        1::numeric as value, {refs('s', 'tr')} as refs
    from {latest('secretary')} s
    join {EXISTING_TEAMS} t on t.key = s.key
    join {TEAM_DISTRICT} td on td.team_id = s.key
    left join {latest('trained')} tr on tr.key = s.value->>'cadre_id'"""

INCOME = f"""select i.district, i.village,
        jsonb_build_object('year', i.value->>'year',
                           'at_target', case when (i.value->>'income_fen')::bigint >= {INCOME_TARGET_FEN}
                                             then 'yes' else 'no' end,
                           'weak', case when d.key is null then 'no' else 'yes' end,
                           'flagged', case when (i.value->>'flagged')::boolean then 'yes' else 'no' end) as dims,
        1::numeric as value, {refs('i', 'd')} as refs
    from {latest('income', STANDS)} i left join {DESIGNATED} d on d.village = i.village"""

FARMER_INCOME = f"""select f.district, f.village,
        jsonb_build_object('year', f.value->>'year', 'weak', case when d.key is null then 'no' else 'yes' end) as dims,
        (f.value->>'per_capita_fen')::numeric as value, {refs('f', 'd')} as refs
    from {latest('farmer_income', STANDS)} f left join {DESIGNATED} d on d.village = f.village"""

APPROPRIATED = f"""select l.district, null::text as village,
        jsonb_build_object('source', l.value->>'source', 'year', l.value->>'fiscal_year') as dims,
        coalesce((la.value->>'amount_fen')::numeric, (l.value->>'amount_fen')::numeric) as value,
        {refs('l', 'la')} as refs
    from {latest('line')} l left join {latest('line_amount')} la on la.key = l.key"""

ALLOCATED = f"""select a.district, a.village,
        jsonb_build_object('source', a.value->>'source', 'year', a.value->>'fiscal_year',
                           'task', a.value->>'task_no', 'project', a.value->>'project_id') as dims,
        coalesce((aa.value->>'amount_fen')::numeric, (a.value->>'amount_fen')::numeric)
            - coalesce((ac.value->>'released_fen')::numeric, 0) as value,
        {refs('a', 'aa', 'ac')} as refs
    from {latest('allocation')} a
    left join {latest('allocation_amount')} aa on aa.key = a.key
    left join {latest('allocation_cancel')} ac on ac.key = a.key"""

# Allocations frozen now (their village left the list; the city office has not decided):
# what they had not paid when frozen.
FROZEN = f"""select a.district, a.village,
        jsonb_build_object('source', a.value->>'source', 'year', a.value->>'fiscal_year') as dims,
        (f.value->>'unspent_fen')::numeric as value, {refs('a', 'f')} as refs
    from {latest('allocation')} a join {latest('allocation_freeze')} f on f.key = a.key
    where (f.value->>'frozen')::boolean"""


def _disbursements(status: str | None) -> str:
    where = f"where s.value->>'status' = '{status}'" if status else ""
    return f"""select s.district, s.village,
        jsonb_build_object('source', coalesce(d.value->>'source', s.value->>'source'),
                           'task', coalesce(d.value->>'task_no', s.value->>'task_no'),
                           'project', coalesce(d.value->>'project_id', s.value->>'project_id'),
                           'year', a.value->>'fiscal_year', 'status', s.value->>'status') as dims,
        (s.value->>'amount_fen')::numeric as value, {refs('s', 'd')} as refs
    from {latest('disbursement_status')} s
    left join {latest('disbursement')} d on d.key = s.key
    left join {latest('allocation')} a on a.key = s.value->>'allocation_id'
    {where}"""


# Projects with a milestone reported or verified: one set joined once, not a search of every
# milestone's latest state for each project (which made the projects figure take seconds).
REPORTED_PROJECTS = f"""(select distinct ms.value->>'project_id' as project_id from {latest('milestone_state')} ms
    where ms.value->>'state' in ('reported', 'verified'))"""

PROJECTS = f"""select p.district, p.village,
        jsonb_build_object('action', p.value->>'action_code', 'task', p.value->>'task_no',
            'status', case when done.key is not null then 'done'
                           when reported.project_id is not null
                                or coalesce(pp.value->>'planned_start', p.value->>'planned_start')::date <= $2
                           then 'in_progress'
                           else 'planned' end) as dims,
        1::numeric as value, {refs('p', 'done', 'pp')} as refs
    from {latest('project')} p left join {latest('project_done')} done on done.key = p.key
    left join {latest('project_plan')} pp on pp.key = p.key
    left join {REPORTED_PROJECTS} reported on reported.project_id = p.key
    left join {latest('project_cancel')} pc on pc.key = p.key
    where pc.key is null"""

# Cancelled projects are counted apart: they are neither planned, under way nor done.
PROJECTS_CANCELLED = f"""select p.district, p.village,
        jsonb_build_object('action', p.value->>'action_code', 'task', p.value->>'task_no') as dims,
        1::numeric as value, {refs('p', 'pc')} as refs
    from {latest('project')} p join {latest('project_cancel')} pc on pc.key = p.key"""

OVERDUE = f"""select m.district, m.village,
        jsonb_build_object('action', p.value->>'action_code', 'task', p.value->>'task_no') as dims,
        1::numeric as value, {refs('m', 's')} as refs
    from {latest('milestone')} m
    join {latest('project')} p on p.key = m.value->>'project_id'
    left join {latest('milestone_state')} s on s.key = m.key
    left join {latest('project_done')} done on done.key = p.key
    left join {latest('project_cancel')} pc on pc.key = p.key
    where (m.value->>'due_on')::date < $2 and done.key is null and pc.key is null
      and coalesce(s.value->>'state', '') not in ('verified', 'cancelled')"""

COVER = f"""select e.district, e.village,
        jsonb_build_object('cover', e.value->>'cover',
                           'covered', case when coalesce((c.value->>'covered')::boolean, false)
                                           then 'yes' else 'no' end) as dims,
        1::numeric as value, {refs('e', 'c')} as refs
    from {latest('eligibility', "(value->>'eligible')::boolean")} e
    left join {latest('coverage')} c on c.key = e.key"""

STATIONED = f"""select td.district, null::text as village,
        jsonb_build_object('insured', case when insured.cadre_id is not null then 'yes' else 'no' end) as dims,
        1::numeric as value, {refs('m')} as refs
    from {latest('member', "(value->>'active')::boolean")} m
    join {TEAM_DISTRICT} td on td.team_id = m.value->>'team_id'
    left join (select distinct i.value->>'cadre_id' as cadre_id from {latest('insurance')} i
               where (i.value->>'valid_from')::date <= $2 and $2 <= (i.value->>'valid_to')::date) insured
        on insured.cadre_id = m.value->>'cadre_id'"""

PRESENCE = f"""select p.district, p.village,
        jsonb_build_object('month', substr(p.value->>'day', 1, 7)) as dims,
        1::numeric as value, {refs('p')} as refs
    from {latest('presence')} p where (p.value->>'day')::date <= $2"""

PRESENCE_TALLIED = """select t.district, t.village, jsonb_build_object('month', t.month) as dims,
        t.amount as value, t.rows
    from stats.tallies t where t.kind = 'presence' and t.rows > 0"""

LEAVE = f"""select td.district, null::text as village,
        jsonb_build_object('year', substr(l.value->>'start', 1, 4)) as dims,
        (l.value->>'days')::numeric as value, {refs('l')} as refs
    from {latest('leave')} l left join {TEAM_DISTRICT} td on td.team_id = l.value->>'team_id'
    where coalesce((l.value->>'days')::int, 0) > 0"""

ALLOWANCES = f"""select td.district, null::text as village,
        jsonb_build_object('month', al.value->>'month') as dims,
        (al.value->>'amount_fen')::numeric as value, {refs('al')} as refs
    from {latest('allowance')} al left join {TEAM_DISTRICT} td on td.team_id = al.value->>'team_id'"""

ALLOWANCES_TALLIED = f"""select td.district, null::text as village, jsonb_build_object('month', t.month) as dims,
        t.amount as value, t.rows
    from stats.tallies t left join {TEAM_DISTRICT} td on td.team_id = t.team_id
    where t.kind = 'allowance' and t.rows > 0"""

ASSESSMENTS = f"""select a.district, null::text as village,
        jsonb_build_object('year', a.value->>'year', 'subject_kind', a.value->>'subject_kind',
                           'grade', a.value->>'grade') as dims,
        1::numeric as value, {refs('a')} as refs
    from {latest('assessment')} a"""

CATALOGUE: dict[str, Metric] = {m.name: m for m in [
    _m("villages_registered", "登记行政村", "villages registered", "villages", VILLAGES, "village_type"),
    _m("villages_designated", "经济薄弱村", "weak villages designated", "villages", DESIGNATED_ROWS),
    _m("villages_graduated", "达标出列的村", "villages graduated (met the target and left the list)", "villages",
       GRADUATED, "year"),
    _m("weak_with_team", "已派驻工作队的薄弱村", "weak villages with a team", "villages", _weak_team(True)),
    _m("weak_without_team", "未派驻工作队的薄弱村", "weak villages without a team", "villages", _weak_team(False)),
    _m("teams", "驻村工作队（按对接村数）", "work teams, by villages served", "teams", TEAMS, "villages"),
    _m("units", "扶持单位（按派出工作队数）", "supporting units, by teams sent", "units", UNITS, "teams", "level"),
    _m("first_secretaries", "第一书记（是否完成集中培训）", "first secretaries, trained or not", "people",
       SECRETARIES, "trained"),
    _m("income_reports", "村集体经营性收入报告（按年）", "collective income reports, by year", "villages", INCOME,
       "year", "at_target", "weak"),
    _m("farmer_income", "农民人均可支配收入（分，按年合计）", "farmers' per-capita income (fen, summed by year)", "fen",
       FARMER_INCOME, "year", "weak"),
    _m("appropriated", "预算下达", "appropriated", "fen", APPROPRIATED, "source", "year"),
    _m("allocated", "资金分配", "allocated", "fen", ALLOCATED, "source", "year", "task"),
    _m("disbursed", "已拨付", "disbursed", "fen", _disbursements("paid"), "source", "year", "task"),
    _m("awaiting_approval", "待审批", "awaiting approval", "fen", _disbursements("requested"), "source", "task"),
    _m("approved_unpaid", "已批准待支付", "approved, not yet paid", "fen", _disbursements("approved"), "source", "task"),
    _m("projects", "项目（按状态）", "projects, by status", "projects", PROJECTS, "status", "action", "task"),
    _m("milestones_overdue", "逾期节点", "overdue milestones", "milestones", OVERDUE, "action", "task"),
    _m("projects_cancelled", "已撤销项目", "projects cancelled", "projects", PROJECTS_CANCELLED, "action", "task"),
    _m("allocations_frozen", "冻结分配未拨付额（撤销认定待市办处理）", "frozen allocations' unpaid amount (designation "
       "revoked, awaiting the city office)", "fen", FROZEN, "source", "year"),
    _m("low_income_eligible", "低收入人口应保（按保障类别）", "low-income people eligible, by cover", "people", COVER,
       "cover", "covered"),
    _m("cadres_stationed", "驻村干部（是否参保）", "cadres stationed, insured or not", "people", STATIONED, "insured"),
    _m("presence_days", "驻村天数", "days of presence", "days", PRESENCE, "month", tallied=PRESENCE_TALLIED),
    _m("leave_days", "休假天数", "days of leave", "days", LEAVE, "year"),
    _m("allowances", "生活补助（分）", "living allowances (fen)", "fen", ALLOWANCES, "month",
       tallied=ALLOWANCES_TALLIED),
    _m("assessment_grades", "年度考核结果（按等次）", "annual assessment results, by grade", "count", ASSESSMENTS,
       "year", "subject_kind", "grade"),
]}
