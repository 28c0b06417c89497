"""How each route finds its scope, for the cross-scope matrix (``test_scope_matrix.py``).

Every operation that admits a scoped role — a district official, a finance officer, assessor
or inspector with a district claim, a unit, a first secretary — has one row here: where its
scope is read from (a path parameter, a body field, a query parameter, the author or owner of
what it names) and how to call it on a given world's records (``scope_world.World``), or why
it is city-wide by design. A route missing from this table, or a row for a route that no
longer exists, fails ``test_every_scoped_operation_has_a_scope_rule``.

Reading a row: called on the caller's own world's records the route must not be refused for
scope (403); called on another world's records a write must be refused with 403 and append
nothing, and a read must be refused or answer without a single row of the other world.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shared.http.auth import Role
from tests.e2e.reliability.permissions import ANYONE, PERMISSIONS
from tests.e2e.reliability.scope_world import World
from tests.support.registry import to_csv, village_rows
from tests.support.villages import village_body

R = Role
# Roles whose reach a scope claim narrows (finance officers, assessors and inspectors when
# their token names a district; without one they are city-level).
SCOPED_ROLES = frozenset({R.district_official, R.finance_officer, R.assessor, R.inspector, R.unit,
                          R.first_secretary})

UNIT = frozenset({R.unit})  # the worlds' reports are drafted by their unit
OFFICIAL = frozenset({R.district_official})  # the worlds' subscriptions are their district official's
Request = dict[str, Any]


def fresh(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Rule:
    by: str  # "path", "body", "query", "author", "owner" or "city"
    name: str  # the parameter or field; for "city", why the route is city-wide
    call: Callable[[World], Request] | None = None
    roles: frozenset[Role] | None = None  # the scoped roles the rule applies to (default: all admitted)
    read: bool = field(default=False)
    refusal: tuple[int, str] = (403, "")  # how another scope's call is refused: status, and words of its message


def write(by: str, name: str, method: str, url: str, body: Callable[[World], Any] | None = None,
          roles: frozenset[Role] | None = None, **extra: Callable[[World], Any]) -> Rule:
    def call(w: World) -> Request:
        req: Request = {"method": method, "url": url.format(**vars(w))}
        if body is not None:
            req["json"] = body(w)
        for k, f in extra.items():
            req[k] = f(w)
        return req
    return Rule(by, name, call, roles)


def read(by: str, name: str, url: str, params: Callable[[World], dict] | None = None,
         roles: frozenset[Role] | None = None) -> Rule:
    def call(w: World) -> Request:
        return {"method": "GET", "url": url.format(**vars(w)), "params": params(w) if params else {}}
    return Rule(by, name, call, roles, read=True)


def city(why: str) -> Rule:
    return Rule("city", why)


def reason(w: World) -> dict:
    return {"reason": "跨辖区检查 / scope matrix"}


def nothing(w: World) -> dict:
    return {}


SCOPE_RULES: dict[str, dict[str, Rule]] = {
    "registry": {
        "POST /villages": write("body", "district", "POST", "/villages", lambda w: village_body(w.district)),
        # A table is judged row by row: a row of another district is refused as a bad row
        # (422, "只能办理本区事务", nothing imported), as any other bad row is.
        "POST /villages/import": Rule("body", "the file's district column", write(
            "body", "", "POST", "/villages/import",
            files=lambda w: {"file": ("v.csv", to_csv(village_rows(1, w.district)), "text/csv")}).call,
            refusal=(422, "只能办理本区事务")),
        "POST /villages/{code}/income-corrections": write(
            "path", "code", "POST", "/villages/{village}/income-corrections",
            lambda w: {"year": "2019", "income": "135001", "reason": "更正 / correction"}),
        "POST /villages/{code}/attributes": write("path", "code", "POST", "/villages/{village}/attributes",
                                                  lambda w: {"reason": "更正 / correction", "town": "新镇"}),
        "GET /villages": city("the register of villages and their designation is the city's published list"),
        "GET /villages/{code}": city("a village's register entry is published with the designated list"),
        "GET /villages/{code}/history": read("path", "code", "/villages/{village}/history"),
        "GET /screenings": city("a screening ranks every village of the city"),
        "GET /screenings/{run_id}": city("a screening ranks every village of the city"),
        "GET /screenings/{run_id}/verify": city("a screening ranks every village of the city"),
        "POST /screenings/{run_id}/objections": city("公示: whoever in the programme receives an objection records it"),
        "GET /screenings/{run_id}/objections": read("query", "village district (rows)", "/screenings/scope-run/objections"),
        "POST /units": write("body", "district", "POST", "/units",
                             lambda w: {"unit_id": fresh("SU"), "name": "区单位", "level": "district",
                                        "district": w.district, "strengths": ["农业"]}),
        "POST /units/{unit_id}/attributes": write("path", "unit_id", "POST", "/units/{unit}/attributes",
                                                  lambda w: {"strengths": ["农业"], "reason": "更正 / correction"}),
        "GET /units/{unit_id}": city("supporting units are organisations matched across the city, not people"),
        "POST /cadres": write("body", "unit_id", "POST", "/cadres",
                              lambda w: {"cadre_id": fresh("SC"), "unit_id": w.unit, "name": "新干部", "title": "科员"}),
        "GET /cadres/{cadre_id}": read("path", "cadre_id", "/cadres/{cadre}"),
        "POST /cadres/{cadre_id}/trainings": write("path", "cadre_id", "POST", "/cadres/{cadre}/trainings",
                                                   lambda w: {"course": "集中培训", "completed_on": "2026-11-01"}),
        "POST /cadres/{cadre_id}/insurance": write("path", "cadre_id", "POST", "/cadres/{cadre}/insurance",
                                                   lambda w: {"policy_no": fresh("PN"), "valid_from": "2026-01-01",
                                                              "valid_to": "2026-12-31"}),
        "POST /cadres/{cadre_id}/leaves": write("path", "cadre_id", "POST", "/cadres/{cadre}/leaves",
                                                lambda w: {"leave_id": fresh("SL"), "start": "2026-12-28",
                                                           "end": "2026-12-28", "reason": "事假"}),
        "POST /cadres/{cadre_id}/leaves/{leave_id}/decision": write(
            "path", "cadre_id", "POST", "/cadres/{cadre}/leaves/{leave}/decision", lambda w: {"approve": True}),
        "POST /cadres/{cadre_id}/leaves/{leave_id}/cancellation": write(
            "path", "cadre_id", "POST", "/cadres/{cadre}/leaves/{leave}/cancellation", reason),
        "POST /teams": write("body", "district", "POST", "/teams",
                             lambda w: {"team_id": fresh("ST"), "district": w.district, "lead_unit_id": w.unit,
                                        "member_ids": [w.cadre], "first_secretary_id": w.cadre}),
        "GET /teams/{team_id}": read("path", "team_id", "/teams/{team}"),
        "POST /teams/{team_id}/members": write("path", "team_id", "POST", "/teams/{team}/members",
                                               lambda w: {"add": [], "remove": []}),
        "POST /teams/{team_id}/first-secretary": write("path", "team_id", "POST", "/teams/{team}/first-secretary",
                                                       lambda w: {"cadre_id": w.secretary, "reason": "轮换"}),
        "POST /teams/{team_id}/rotation": write("path", "team_id", "POST", "/teams/{team}/rotation",
                                                lambda w: {"villages": [w.village], "reason": "轮换"}),
        "POST /teams/{team_id}/dissolution": write("path", "team_id", "POST", "/teams/{team}/dissolution", reason),
        "POST /teams/{team_id}/villages": write("path", "team_id", "POST", "/teams/{team}/villages",
                                                lambda w: {"village_code": w.village, "reason": "因需对接"}),
        "POST /teams/{team_id}/villages/{code}/unassign": write(
            "path", "team_id", "POST", "/teams/{team}/villages/{village}/unassign", reason),
        "POST /teams/{team_id}/villages/{code}/entry": write(
            "path", "team_id", "POST", "/teams/{team}/villages/{village}/entry", lambda w: {"entered_on": "2026-11-02"}),
        "POST /matching/proposals": write("body", "districts", "POST", "/matching/proposals",
                                          lambda w: {"proposal_id": fresh("MP"), "districts": [w.district]}),
        "GET /matching/proposals/{proposal_id}": read("path", "proposal's districts", "/matching/proposals/{proposal}"),
        "POST /matching/proposals/{proposal_id}/accept": write(
            "path", "proposal's districts", "POST", "/matching/proposals/{proposal}/accept", nothing),
        "POST /presence": write("body", "entries[].cadre_id, village_code", "POST", "/presence",
                                lambda w: {"entries": [{"cadre_id": w.secretary, "village_code": w.village,
                                                        "day": "2026-11-20", "togethers": ["eat"]}]}),
        "GET /allowances/{month}": city("a month's allowances are computed city-wide: a district's finance officer "
                                        "is refused (city_finance)"),
        "GET /alerts": read("query", "district", "/alerts", lambda w: {"district": w.district, "as_of": "2026-11-30"}),
        "GET /network/gaps": read("query", "district", "/network/gaps", lambda w: {"district": w.district}),
    },
    "funding": {
        "POST /lines": write("body", "scope", "POST", "/lines",
                             lambda w: {"line_id": fresh("SLN"), "source": "district", "fiscal_year": 2026,
                                        "scope": w.district, "title": "区级配套", "amount": "1000"}),
        "POST /lines/{line_id}/adjust": write("path", "line_id", "POST", "/lines/{line}/adjust",
                                              lambda w: {"amount": "1000000", "reason": "调整"}),
        "GET /lines": read("query", "scope", "/lines", lambda w: {"scope": w.district}),
        "GET /lines/{line_id}": read("path", "line_id", "/lines/{line}"),
        "POST /allocations": write("body", "line_id, village_code", "POST", "/allocations",
                                   lambda w: {"allocation_id": fresh("SA"), "line_id": w.line,
                                              "village_code": w.village, "amount": "1"}),
        "POST /allocations/{allocation_id}/adjust": write("path", "allocation_id", "POST",
                                                          "/allocations/{allocation}/adjust",
                                                          lambda w: {"amount": "100000", "reason": "调整"}),
        "POST /allocations/{allocation_id}/cancel": write("path", "allocation_id", "POST",
                                                          "/allocations/{allocation}/cancel", reason),
        "GET /allocations": read("query", "village_code", "/allocations", lambda w: {"village_code": w.village}),
        "GET /allocations/{allocation_id}": read("path", "allocation_id", "/allocations/{allocation}"),
        "POST /disbursements": write("body", "allocation_id", "POST", "/disbursements",
                                     lambda w: {"disbursement_id": fresh("SD"), "allocation_id": w.allocation,
                                                "amount": "1"}),
        "POST /disbursements/{disbursement_id}/approve": write("path", "disbursement_id", "POST",
                                                               "/disbursements/{disbursement}/approve", nothing),
        "POST /disbursements/{disbursement_id}/reject": write("path", "disbursement_id", "POST",
                                                              "/disbursements/{disbursement}/reject", reason),
        "POST /disbursements/{disbursement_id}/pay": write("path", "disbursement_id", "POST",
                                                           "/disbursements/{disbursement}/pay",
                                                           lambda w: {"voucher_no": fresh("V")}),
        "POST /disbursements/{disbursement_id}/reverse": write("path", "disbursement_id", "POST",
                                                               "/disbursements/{disbursement}/reverse", reason),
        "GET /disbursements": read("query", "village_code", "/disbursements", lambda w: {"village_code": w.village}),
        "GET /disbursements/{disbursement_id}": read("path", "disbursement_id", "/disbursements/{disbursement}"),
        "POST /policies": write("body", "districts", "POST", "/policies",
                                lambda w: {"policy_id": fresh("SP"), "name": "区级政策", "districts": [w.district]}),
        "POST /policies/{policy_id}/apply": write("body", "village_codes", "POST", "/policies/{policy}/apply",
                                                  lambda w: {"village_codes": [w.village]}),
        "GET /policies": read("query", "(rows)", "/policies"),
        "GET /policies/{policy_id}": read("path", "policy_id", "/policies/{policy}"),
        "GET /villages/{code}": read("path", "code", "/villages/{village}"),
        "GET /reconciliation": read("query", "district", "/reconciliation",
                                  lambda w: {"district": w.district, "from": "2026-01-01", "to": "2026-12-31"}),
    },
    "assessment": {
        "GET /catalogue": city("the 19 tasks are the city's reference data"),
        "GET /catalogue/history": city("the 19 tasks are the city's reference data"),
        "GET /rubrics/{year}": city("the year's rubric is the city's"),
        "POST /assessments/{year}/compute": city("a year's assessment is computed for the whole city at once"),
        "POST /assessments/{year}/review": city("a year's assessment is reviewed for the whole city at once"),
        "GET /assessments/{year}": city("a year's assessment ranks every team, unit and district of the city"),
        "GET /facts/status": city("how far assessment has read each topic: positions, no rows"),
        "POST /projects": write("body", "village_code", "POST", "/projects",
                                lambda w: {"project_id": fresh("SPR"), "village_code": w.village, "task_no": 1,
                                           "title": "新项目", "planned_start": "2026-01-01",
                                           "planned_end": "2026-12-31",
                                           "milestones": [{"milestone_id": "M1", "title": "建成",
                                                           "due_on": "2026-06-30"}]}),
        "GET /projects": read("query", "village_code", "/projects", lambda w: {"village_code": w.village}),
        "GET /projects/summary": read("query", "district", "/projects/summary", lambda w: {"district": w.district}),
        "GET /projects/{project_id}": read("path", "project_id", "/projects/{project}"),
        "POST /projects/{project_id}/replan": write("path", "project_id", "POST", "/projects/{project}/replan",
                                                    lambda w: {"reason": "调整", "planned_end": "2026-12-30"}),
        "POST /projects/{project_id}/cancel": write("path", "project_id", "POST", "/projects/{project}/cancel", reason),
        "POST /projects/{project_id}/milestones/{milestone_id}/replan": write(
            "path", "project_id", "POST", "/projects/{project}/milestones/{milestone}/replan",
            lambda w: {"reason": "调整", "due_on": "2026-07-31"}),
        "POST /projects/{project_id}/milestones/{milestone_id}/cancel": write(
            "path", "project_id", "POST", "/projects/{project}/milestones/{milestone}/cancel", reason),
        "POST /projects/{project_id}/milestones/{milestone_id}/report": write(
            "path", "project_id", "POST", "/projects/{project}/milestones/{milestone}/report",
            lambda w: {"evidence_text": "已完成，见台账"}),
        "POST /projects/{project_id}/milestones/{milestone_id}/report-files": write(
            "path", "project_id", "POST", "/projects/{project}/milestones/{milestone}/report-files",
            files=lambda w: {"files": ("note.txt", b"evidence", "text/plain")},
            data=lambda w: {"evidence_text": "已完成"}),
        "POST /projects/{project_id}/milestones/{milestone_id}/verify": write(
            "path", "project_id", "POST", "/projects/{project}/milestones/{milestone}/verify", nothing),
        "POST /projects/{project_id}/milestones/{milestone_id}/return": write(
            "path", "project_id", "POST", "/projects/{project}/milestones/{milestone}/return", reason),
        "GET /milestones/overdue": read("query", "village_code", "/milestones/overdue",
                                        lambda w: {"village_code": w.village, "as_of": "2026-11-30"}),
        "GET /evidence/{sha256}": read("path", "the milestone's village", "/evidence/{evidence}"),
        "POST /incomes/villages": write("body", "village_code", "POST", "/incomes/villages",
                                        lambda w: {"village_code": w.village, "year": 2024,
                                                   "collective_income": "150000"}),
        "POST /incomes/villages/{village_code}/{year}/review": write(
            "path", "village_code", "POST", "/incomes/villages/{village}/2025/review",
            lambda w: {"measure": "collective", "accepted": True, "reason": "核实无误"}),
        "GET /incomes/{year}/checks": read("query", "district", "/incomes/2025/checks",
                                           lambda w: {"district": w.district}),
        "GET /incomes/flagged": read("query", "district", "/incomes/flagged", lambda w: {"district": w.district}),
        "POST /low-income/persons": write("body", "village_code", "POST", "/low-income/persons",
                                          lambda w: {"person_id": fresh("SLP"), "household_id": fresh("SH"),
                                                     "village_code": w.village}),
        "POST /low-income/persons/{person_id}/eligibility": write(
            "path", "person_id", "POST", "/low-income/persons/{person}/eligibility",
            lambda w: {"cover": "medical_insurance", "eligible": True}),
        "POST /low-income/persons/{person_id}/coverage": write(
            "path", "person_id", "POST", "/low-income/persons/{person}/coverage",
            lambda w: {"cover": "medical_insurance", "covered_on": "2026-11-01"}),
        "POST /low-income/persons/{person_id}/coverage/{cover}/end": write(
            "path", "person_id", "POST", "/low-income/persons/{person}/coverage/medical_insurance/end", reason),
        "GET /low-income/gaps": read("query", "village_code", "/low-income/gaps", lambda w: {"village_code": w.village}),
        "POST /inspections": write("body", "target_id", "POST", "/inspections",
                                   lambda w: {"inspection_id": fresh("SI"), "target_kind": "team", "target_id": w.team,
                                              "inspected_on": "2026-11-02"}),
        "GET /inspections/findings": read("query", "district", "/inspections/findings",
                                          lambda w: {"district": w.district}),
        "GET /inspections/{inspection_id}": read("path", "inspection_id", "/inspections/{inspection}"),
        "POST /inspections/{inspection_id}/findings/{finding_id}/rectification": write(
            "path", "inspection_id", "POST", "/inspections/{inspection}/findings/{finding}/rectification",
            lambda w: {"text": "已补齐台账"}),
        "POST /inspections/{inspection_id}/findings/{finding_id}/accept": write(
            "path", "inspection_id", "POST", "/inspections/{inspection}/findings/{finding}/accept", nothing),
        "POST /inspections/{inspection_id}/findings/{finding_id}/return": write(
            "path", "inspection_id", "POST", "/inspections/{inspection}/findings/{finding}/return", reason),
        "POST /assessments/{year}/marks": write("body", "subject_id", "POST", "/assessments/2025/marks",
                                                lambda w: {"subject_kind": "team", "subject_id": w.team, "mark": "90"}),
        "GET /villages/{code}": city("a village's register entry and the teams serving it are published (publicity's "
                                     "village story)"),
    },
    "publicity": {
        "POST /reports": write("body", "village_code (district officials); else the author", "POST", "/reports",
                               lambda w: {"report_id": fresh("SR"), "title": "新报道", "body": "正文" * 10,
                                          "village_code": w.village}, roles=frozenset({R.district_official})),
        "PUT /reports/{report_id}": write("author", "report_id", "PUT", "/reports/{report}",
                                          lambda w: {"report_id": w.report, "title": "改", "body": "正文" * 10,
                                                     "village_code": w.village}, roles=UNIT),
        "POST /reports/{report_id}/submit": write("author", "report_id", "POST", "/reports/{report}/submit", nothing,
                                                   roles=UNIT),
        "GET /reports/editorial": read("author", "(rows)", "/reports/editorial", roles=UNIT),
        "POST /images": city("an image is content-addressed and public only once a published report shows it"),
    },
    "monitoring": {
        "GET /rules": city("alert rules are the city's configuration"),
        "GET /rules/{rule_id}": city("alert rules are the city's configuration"),
        "GET /alerts": read("query", "district", "/alerts", lambda w: {"district": w.district}),
        "GET /alerts/export.csv": read("query", "district", "/alerts/export.csv", lambda w: {"district": w.district}),
        "GET /alerts/export.xlsx": city("the same rows as export.csv, as a workbook (its text is zipped)"),
        "GET /alerts/summary": read("query", "district", "/alerts/summary", lambda w: {"district": w.district}),
        "GET /alerts/{alert_id}": read("path", "alert's district", "/alerts/{alert}"),
        "POST /alerts/{alert_id}/acknowledge": write("path", "alert's district", "POST", "/alerts/{alert}/acknowledge",
                                                     lambda w: {"note": "已知悉"}),
        "POST /alerts/{alert_id}/resolve": write("path", "alert's district", "POST", "/alerts/{alert}/resolve", reason),
        "GET /alerts/stream": city("a stream (not read by the matrix); its rows come from the scoped list query"),
        "GET /subscriptions": read("owner", "(rows)", "/subscriptions", roles=OFFICIAL),
        "POST /subscriptions": write("body", "districts", "POST", "/subscriptions",
                                     lambda w: {"url": "https://example.org/hook", "secret": "s" * 32,
                                                "districts": [w.district]}),
        "GET /subscriptions/{subscription_id}": read("owner", "subscription_id", "/subscriptions/{subscription}", roles=OFFICIAL),
        "GET /subscriptions/{subscription_id}/deliveries": read("owner", "subscription_id",
                                                                "/subscriptions/{subscription}/deliveries", roles=OFFICIAL),
        "POST /subscriptions/{subscription_id}/pause": write("owner", "subscription_id", "POST",
                                                             "/subscriptions/{subscription}/pause", reason, roles=OFFICIAL),
        "POST /subscriptions/{subscription_id}/resume": write("owner", "subscription_id", "POST",
                                                              "/subscriptions/{subscription}/resume", nothing, roles=OFFICIAL),
    },
}


def scoped_roles(service: str, key: str) -> frozenset[Role]:
    """The scoped roles ``permissions.py`` admits to an operation."""
    allowed = PERMISSIONS[service][key]
    return frozenset() if allowed == ANYONE else frozenset(allowed) & SCOPED_ROLES  # type: ignore[arg-type]
