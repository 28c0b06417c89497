"""Who may call what: the expected roles of every operation of the five services, in one table.

Read a row as "these roles are let through"; every other role, a caller without a token and
a caller with a bad token are turned away (401/403). The city office is let through everywhere
a token is needed (``require`` always admits it). ``ANYONE`` means no token is needed at all.

A new endpoint that is not in this table fails ``test_permission_matrix`` until someone
decides who may call it. The callers carry plausible scope claims (see ``SCOPES``); the
"no scope" column — a district official, unit or first secretary whose token lacks its
district, unit or team — is turned away (403) from every route that needs a token, never
read as the whole city (``UNSCOPED``). "Another scope" needs real records to be outside of,
so the services' own tests check it with their data: registry's alerts and allowances
(tests/e2e/registry/test_registry_flow.py), assessment's reads
(tests/integration/assessment/test_read_scope.py), funding's writes
(tests/e2e/funding/test_disbursements_over_http.py).
"""

from __future__ import annotations

from shared.http.auth import Role

R = Role
ANYONE = "anyone"  # no token needed: published statistics, notices, reports, health
CITY: frozenset[Role] = frozenset({R.city_office})
OFFICIALS = CITY | {R.district_official}
FINANCE = CITY | {R.finance_officer}
STAFF = frozenset(Role) - {R.public}  # every programme role, never the public
# registry: reads about the network and its people
NETWORK_READERS = OFFICIALS | {R.unit, R.first_secretary, R.inspector, R.assessor}
CADRE_KEEPERS = OFFICIALS | {R.unit, R.first_secretary}
# funding: money is read by finance, officials, and units/teams for their own villages
MONEY_READERS = FINANCE | {R.district_official, R.unit, R.first_secretary}
LEDGER_READERS = FINANCE | {R.district_official}  # whole lines, lists of policies, reconciliation
# assessment: everyone in the programme, never the public
ASSESSMENT_READERS = STAFF
PERSONAL_READERS = STAFF - {R.finance_officer}  # the gap list (pseudonymous people) and evidence files
PLANNERS = OFFICIALS | {R.first_secretary}
TEAMS = CITY | {R.first_secretary}
ASSESSORS = CITY | {R.assessor}
INSPECTORS = CITY | {R.inspector}
AUTHORS = OFFICIALS | {R.unit, R.first_secretary}

# The scope claims each role's token carries in the tests.
SCOPES: dict[Role, dict[str, str]] = {
    R.district_official: {"district": "120119"},
    R.finance_officer: {"district": "120119"},
    R.unit: {"unit": "matrix-unit"},
    R.first_secretary: {"team": "matrix-team"},
}
# Roles whose token must name a scope; each is also called without it ("<role> without scope").
UNSCOPED: tuple[Role, ...] = (R.district_official, R.unit, R.first_secretary)

PERMISSIONS: dict[str, dict[str, frozenset[Role] | str]] = {
    "registry": {
        "GET /healthz": ANYONE,
        "GET /metrics": ANYONE,
        "POST /villages": OFFICIALS,
        "POST /villages/import": OFFICIALS,
        "POST /villages/{code}/income-corrections": OFFICIALS,
        "POST /villages/{code}/attributes": OFFICIALS,
        "POST /villages/{code}/graduation": CITY,
        "GET /villages": STAFF,
        "GET /villages/{code}": STAFF,
        "GET /villages/{code}/history": STAFF,
        "POST /screenings": CITY,
        "POST /screenings/preview": CITY,
        "GET /screenings": STAFF,
        "GET /screenings/{run_id}": STAFF,
        "GET /screenings/{run_id}/verify": STAFF,
        # 公示: the city office opens, answers and confirms; any programme role may object;
        # objections name who objected, so only officials read them.
        "POST /screenings/{run_id}/objection-window": CITY,
        "POST /screenings/{run_id}/objections": STAFF,
        "POST /screenings/{run_id}/objections/{objection_id}/answer": CITY,
        "POST /screenings/{run_id}/confirmation": CITY,
        "GET /screenings/{run_id}/objections": OFFICIALS,
        "POST /units": OFFICIALS,
        "POST /units/{unit_id}/attributes": OFFICIALS,
        "GET /units/{unit_id}": STAFF,
        "POST /cadres": OFFICIALS | {R.unit},
        "GET /cadres/{cadre_id}": CADRE_KEEPERS,
        "POST /cadres/{cadre_id}/trainings": OFFICIALS,
        "POST /cadres/{cadre_id}/insurance": OFFICIALS | {R.unit},
        "POST /cadres/{cadre_id}/leaves": CADRE_KEEPERS,
        "POST /cadres/{cadre_id}/leaves/{leave_id}/decision": OFFICIALS,
        "POST /cadres/{cadre_id}/leaves/{leave_id}/cancellation": CADRE_KEEPERS,
        "POST /teams": OFFICIALS,
        "GET /teams/{team_id}": STAFF,
        "POST /teams/{team_id}/members": OFFICIALS,
        "POST /teams/{team_id}/first-secretary": OFFICIALS,
        "POST /teams/{team_id}/rotation": OFFICIALS,
        "POST /teams/{team_id}/dissolution": OFFICIALS,
        "POST /teams/{team_id}/villages": OFFICIALS,
        "POST /teams/{team_id}/villages/{code}/unassign": OFFICIALS,
        "POST /teams/{team_id}/villages/{code}/entry": OFFICIALS | {R.first_secretary},
        "POST /matching/proposals": OFFICIALS,
        "GET /matching/proposals/{proposal_id}": OFFICIALS,
        "POST /matching/proposals/{proposal_id}/accept": OFFICIALS,
        "POST /presence": OFFICIALS | {R.first_secretary},
        # City-level finance only (a finance officer without a district): the matrix's finance
        # officer is a district's, refused before its body is read.
        "POST /allowances": CITY,
        "GET /allowances/{month}": FINANCE,
        "GET /alerts": NETWORK_READERS,
        "GET /network/gaps": NETWORK_READERS,
    },
    "funding": {
        "GET /healthz": ANYONE,
        "GET /metrics": ANYONE,
        "POST /lines": FINANCE,
        "POST /lines/{line_id}/adjust": FINANCE,
        "GET /lines": LEDGER_READERS,
        "GET /lines/{line_id}": LEDGER_READERS,
        "POST /allocations": FINANCE,
        "POST /allocations/{allocation_id}/adjust": FINANCE,
        "POST /allocations/{allocation_id}/cancel": FINANCE,
        "POST /allocations/{allocation_id}/release-frozen": CITY,
        "POST /allocations/{allocation_id}/freeze-exception": CITY,
        "GET /allocations": MONEY_READERS,
        "GET /allocations/{allocation_id}": MONEY_READERS,
        "POST /disbursements": FINANCE,
        "POST /disbursements/{disbursement_id}/approve": FINANCE,
        "POST /disbursements/{disbursement_id}/reject": FINANCE,
        "POST /disbursements/{disbursement_id}/pay": FINANCE,
        "POST /disbursements/{disbursement_id}/reverse": FINANCE,
        "GET /disbursements": MONEY_READERS,
        "GET /disbursements/{disbursement_id}": MONEY_READERS,
        "POST /policies": FINANCE,
        "POST /policies/{policy_id}/apply": FINANCE,
        "GET /policies": LEDGER_READERS,
        "GET /policies/{policy_id}": MONEY_READERS,
        "GET /villages/{code}": MONEY_READERS,
        "GET /reconciliation": LEDGER_READERS,
    },
    "assessment": {
        "GET /healthz": ANYONE,
        "GET /metrics": ANYONE,
        "GET /catalogue": ASSESSMENT_READERS,
        "GET /catalogue/history": ASSESSMENT_READERS,
        "POST /catalogue/versions": CITY,
        "POST /projects": PLANNERS,
        "GET /projects": ASSESSMENT_READERS,
        "GET /projects/summary": ASSESSMENT_READERS,
        "GET /projects/{project_id}": ASSESSMENT_READERS,
        "POST /projects/{project_id}/replan": PLANNERS,
        "POST /projects/{project_id}/cancel": OFFICIALS,
        "POST /projects/{project_id}/milestones/{milestone_id}/replan": PLANNERS,
        "POST /projects/{project_id}/milestones/{milestone_id}/cancel": OFFICIALS,
        "POST /projects/{project_id}/milestones/{milestone_id}/report": TEAMS,
        "POST /projects/{project_id}/milestones/{milestone_id}/report-files": TEAMS,
        "POST /projects/{project_id}/milestones/{milestone_id}/verify": ASSESSORS,
        "POST /projects/{project_id}/milestones/{milestone_id}/return": ASSESSORS,
        "GET /milestones/overdue": ASSESSMENT_READERS,
        "GET /evidence/{sha256}": PERSONAL_READERS,
        "POST /incomes/villages": PLANNERS,
        "POST /incomes/city": CITY,
        "POST /incomes/villages/{village_code}/{year}/review": ASSESSORS,
        "GET /incomes/{year}/checks": ASSESSMENT_READERS,
        "GET /incomes/flagged": ASSESSMENT_READERS,
        "POST /low-income/persons": PLANNERS,
        "POST /low-income/persons/{person_id}/eligibility": PLANNERS,
        "POST /low-income/persons/{person_id}/coverage": PLANNERS,
        "POST /low-income/persons/{person_id}/coverage/{cover}/end": PLANNERS,
        "GET /low-income/gaps": PERSONAL_READERS,
        "POST /inspections": INSPECTORS,
        "GET /inspections/findings": ASSESSMENT_READERS,
        "GET /inspections/{inspection_id}": ASSESSMENT_READERS,
        "POST /inspections/{inspection_id}/findings/{finding_id}/rectification": PLANNERS,
        "POST /inspections/{inspection_id}/findings/{finding_id}/accept": INSPECTORS,
        "POST /inspections/{inspection_id}/findings/{finding_id}/return": INSPECTORS,
        "PUT /rubrics/{year}": CITY,
        "GET /rubrics/{year}": ASSESSMENT_READERS,
        "POST /assessments/{year}/marks": ASSESSORS,
        "POST /assessments/{year}/compute": ASSESSORS,
        "POST /assessments/{year}/review": ASSESSORS,
        "POST /assessments/{year}/publish": CITY,
        "GET /assessments/{year}": ASSESSMENT_READERS,
        "GET /facts/status": ASSESSMENT_READERS,
        "GET /villages/{code}": ASSESSMENT_READERS,
    },
    "publicity": {
        "GET /healthz": ANYONE,
        **{f"GET {path}": ANYONE for path in (
            "/stats/overview", "/stats/headline", "/stats/designation", "/stats/designation/ranked",
            "/stats/coverage", "/stats/income", "/stats/money", "/stats/money/villages", "/stats/projects",
            "/stats/low-income", "/stats/low-income/gaps", "/stats/cadres", "/stats/assessment",
            "/stats/metrics", "/stats/figures/{metric}", "/stats/explain/{metric}", "/stats/timeline/{metric}",
            "/stats/villages", "/stats/villages/{code}", "/stats/feed", "/stats/lag", "/metrics",
            "/open-data/statistics.json", "/open-data/statistics.csv", "/open-data/iati-activities.xml",
            "/notices", "/notices/{notice_id}", "/reports", "/reports/{report_id}", "/images/{sha256}",
            "/dashboard/",
        )},
        "POST /notices": CITY,
        "POST /reports": AUTHORS,
        "PUT /reports/{report_id}": AUTHORS,
        "POST /reports/{report_id}/submit": AUTHORS,
        "POST /reports/{report_id}/return": CITY,
        "POST /reports/{report_id}/publish": CITY,
        "GET /reports/editorial": AUTHORS,
        "POST /images": AUTHORS,
    },
    "monitoring": {
        "GET /healthz": ANYONE,
        "GET /metrics": ANYONE,
        "GET /rules": STAFF,
        "GET /rules/{rule_id}": STAFF,
        "PUT /rules/{rule_id}": CITY,
        "POST /days/{day}/close": CITY,
        "POST /days/close-through": CITY,
        "GET /alerts": STAFF,
        "GET /alerts/export.csv": STAFF,
        "GET /alerts/export.xlsx": STAFF,
        "GET /alerts/summary": STAFF,
        "GET /alerts/{alert_id}": STAFF,
        "POST /alerts/{alert_id}/acknowledge": STAFF,
        "POST /alerts/{alert_id}/resolve": OFFICIALS,
        "GET /alerts/stream": STAFF,
        "GET /subscriptions": STAFF,
        "POST /subscriptions": STAFF,
        "GET /subscriptions/{subscription_id}": STAFF,
        "GET /subscriptions/{subscription_id}/deliveries": STAFF,
        "POST /subscriptions/{subscription_id}/pause": STAFF,
        "POST /subscriptions/{subscription_id}/resume": STAFF,
        "GET /dashboard/officials": ANYONE,  # the page only: it asks for a token, and its reads need one
    },
}


def allowed(service: str, method: str, path: str) -> frozenset[Role] | str:
    return PERMISSIONS[service][f"{method.upper()} {path}"]
