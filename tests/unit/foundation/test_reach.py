"""One reach decision (``shared.identity.Reach``) for every service: where each role may see,
failing closed on a token that lacks its scope claim."""

from __future__ import annotations

import pytest

from shared.eventstore.errors import Forbidden
from shared.identity import Principal, Reach, Role

D = "120221"


def who(role: Role, **claims) -> Principal:
    return Principal(subject="s", role=role, **claims)


@pytest.mark.parametrize(("principal", "reach"), [
    (who(Role.city_office), Reach()),
    (who(Role.city_office, district=D), Reach()),  # the city office is city-wide whatever its token says
    (who(Role.district_official, district=D), Reach(district=D)),
    (who(Role.finance_officer), Reach()),  # the city finance bureau
    (who(Role.finance_officer, district=D), Reach(district=D)),
    (who(Role.assessor, district=D), Reach(district=D)),
    (who(Role.inspector), Reach()),
    (who(Role.unit, unit="U1", district=D), Reach(unit="U1")),  # through its teams, never the district
    (who(Role.first_secretary, team="T1"), Reach(team="T1")),
])
def test_each_role_reaches_where_its_claims_say(principal, reach):
    assert Reach.of(principal) == reach


@pytest.mark.parametrize("principal", [who(Role.district_official), who(Role.unit), who(Role.first_secretary)])
def test_a_scoped_role_without_its_claim_is_refused_never_read_as_the_city(principal):
    with pytest.raises(Forbidden) as refused:
        Reach.of(principal)
    assert refused.value.field == "Authorization"


def test_what_a_reach_covers():
    city, district, unit = Reach(), Reach(district=D), Reach(unit="U1")
    assert city.city_wide and not city.by_teams and city.covers(D) and city.covers(None)
    assert district.covers(D) and not district.covers("120101") and not district.covers(None)
    assert unit.by_teams and not unit.city_wide and not unit.covers(D)
    assert Reach(team="T1").by_teams
