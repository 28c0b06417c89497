"""IATI activity XML (standard 2.03) for the programme, its projects and their fund flows.

The programme is one activity (hierarchy 1) carrying the budget lines as incoming funds and
the flows not tied to a project; each project is an activity (hierarchy 2) with its
commitments (allocations) and disbursements (payments), each naming the receiving village.
The log positions the file was computed from are stated in the ``xc:`` namespace that
IATI allows on the root element. Amounts are yuan (CNY) with two decimals.
"""

from __future__ import annotations

from datetime import date, datetime
from xml.etree import ElementTree as ET

from shared.reference.tasks import TASK_NAMES

from shared.money import yuan

XC = "urn:xingcun:open-data"
ORG = "CN-TJ-XINGCUN"
PROGRAMME = f"{ORG}-PROGRAMME"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STATUS = {"planned": "1", "in_progress": "2", "done": "3"}
TRANSACTION = {"incoming": "1", "commitment": "2", "disbursement": "3"}
ET.register_namespace("xc", XC)


def _narratives(parent: ET.Element, tag: str, zh: str, en: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    ET.SubElement(el, "narrative", {XML_LANG: "zh"}).text = zh
    if en:
        ET.SubElement(el, "narrative", {XML_LANG: "en"}).text = en
    return el


def _transaction(parent: ET.Element, kind: str, day: date, fen: int, receiver: str | None, note: str) -> None:
    tx = ET.SubElement(parent, "transaction", {"ref": note})
    ET.SubElement(tx, "transaction-type", {"code": TRANSACTION[kind]})
    ET.SubElement(tx, "transaction-date", {"iso-date": day.isoformat()})
    ET.SubElement(tx, "value", {"currency": "CNY", "value-date": day.isoformat()}).text = yuan(fen)
    if receiver:
        _narratives(tx, "receiver-org", receiver, type="80")


def _flow(activity: ET.Element, flow: dict) -> None:
    _transaction(activity, flow["kind"], _day(flow["at"]), flow["amount_fen"], flow["receiver"], flow["ref"])


def _head(activity: ET.Element, identifier: str, title_zh: str, title_en: str | None, description: str) -> None:
    ET.SubElement(activity, "iati-identifier").text = identifier
    _narratives(activity, "reporting-org", "天津市扶持经济薄弱村发展工作领导小组办公室",
                "Tianjin leading group office for supporting economically weak villages", ref=ORG, type="10")
    _narratives(activity, "title", title_zh, title_en)
    _narratives(activity, "description", description)
    _narratives(activity, "participating-org", "天津市财政局", "Tianjin Finance Bureau", role="1", type="10")
    _narratives(activity, "participating-org", "天津市扶持经济薄弱村发展工作领导小组办公室", None,
                role="2", type="10", ref=ORG)


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])


def build(data: dict, *, as_of: str, positions: dict[str, int], generated: datetime) -> bytes:
    root = ET.Element("iati-activities", {
        "version": "2.03", "generated-datetime": generated.replace(microsecond=0).isoformat(),
        f"{{{XC}}}as-of": as_of,
        f"{{{XC}}}log-positions": " ".join(f"{s}:{p}" for s, p in sorted(positions.items())),
    })
    by_project: dict[str, list] = {}
    for flow in data["flows"]:
        by_project.setdefault(flow["project_id"] or "", []).append(flow)

    programme = ET.SubElement(root, "iati-activity", {"default-currency": "CNY", "hierarchy": "1",
                                                      XML_LANG: "zh"})
    _head(programme, PROGRAMME, "天津市扶持经济薄弱村发展（2021—2024年）",
          "Tianjin programme supporting economically weak villages (2021-2024)",
          "全市800个经济薄弱村的五大扶持行动、19项重点任务 / five support actions and 19 key tasks")
    ET.SubElement(programme, "activity-status", {"code": "2"})
    ET.SubElement(programme, "activity-date", {"type": "2", "iso-date": "2021-01-01"})
    ET.SubElement(programme, "recipient-country", {"code": "CN"})
    for line in data["lines"]:
        _transaction(programme, "incoming", _day(line["at"]), line["amount_fen"], None, f"line:{line['line_id']}")
    for flow in by_project.get("", []):
        _flow(programme, flow)

    for p in data["projects"]:
        v = p["value"]
        task = v.get("task_no")
        activity = ET.SubElement(root, "iati-activity", {"default-currency": "CNY", "hierarchy": "2",
                                                          XML_LANG: "zh"})
        zh, en = TASK_NAMES.get(task, ("", ""))
        _head(activity, f"{ORG}-{p['project_id']}", v.get("title") or p["project_id"], en,
              f"{p['village_name'] or p['village']}：{zh}")
        started = (v.get("planned_start") or "9999") <= as_of[:10]
        status = "done" if p["completed_on"] else "in_progress" if started else "planned"
        ET.SubElement(activity, "activity-status", {"code": STATUS[status]})
        if v.get("planned_start"):
            ET.SubElement(activity, "activity-date", {"type": "1", "iso-date": v["planned_start"]})
        if v.get("planned_end"):
            ET.SubElement(activity, "activity-date", {"type": "3", "iso-date": v["planned_end"]})
        if p["completed_on"]:
            ET.SubElement(activity, "activity-date", {"type": "4", "iso-date": p["completed_on"]})
        ET.SubElement(activity, "recipient-country", {"code": "CN"})
        if task:
            _narratives(activity, "sector", zh, en, vocabulary="99", code=str(task))
        for flow in by_project.get(p["project_id"], []):
            _flow(activity, flow)
        ET.SubElement(activity, "related-activity", {"ref": PROGRAMME, "type": "1"})
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
