"""Who does what: the users whose bearer tokens the driver presents."""

from __future__ import annotations

from shared.http.auth import Role

from scenario.drive.client import Api


def city(api: Api) -> dict[str, str]:
    return api.auth(Role.city_office, "tj-leading-group-office")


def district(api: Api, code: str) -> dict[str, str]:
    return api.auth(Role.district_official, f"tj-district-{code}", district=code)


def unit(api: Api, unit_id: str) -> dict[str, str]:
    return api.auth(Role.unit, f"tj-unit-{unit_id}", unit=unit_id)


def secretary(api: Api, team_id: str, cadre_id: str) -> dict[str, str]:
    return api.auth(Role.first_secretary, cadre_id, team=team_id)


def finance(api: Api, subject: str, scope: str) -> dict[str, str]:
    """A finance officer of the city (scope "city": no district in the token) or of a district."""
    return api.auth(Role.finance_officer, subject, district=None if scope == "city" else scope)


def assessor(api: Api, n: int = 1) -> dict[str, str]:
    return api.auth(Role.assessor, f"tj-assessor-{n}")


def inspector(api: Api) -> dict[str, str]:
    return api.auth(Role.inspector, "tj-inspector-1")
