"""What the registry's routes answer: one response model per shape, described in Chinese and
English. They state the answers as they are (no field renamed or left out); amounts are
integer ``*_fen`` with ``*_yuan`` strings beside them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from shared.contracts.registry import ObjectionOutcome


def d(text: str, **kwargs: Any) -> Any:
    """A field described ``中文 / English``."""
    return Field(description=text, **kwargs)


# As recorded by PostgreSQL, written out with the offset as before (``+00:00``, not ``Z``).
Instant = Annotated[datetime, PlainSerializer(lambda v: v.isoformat(), return_type=str, when_used="json")]
Codes = list[str]
# The ids most answers carry, described once.
VillageCode = Annotated[str, Field(description="村代码 / village code")]
CadreId = Annotated[str, Field(description="干部标识 / cadre id")]
TeamId = Annotated[str, Field(description="工作队标识 / team id")]
District = Annotated[str, Field(description="区代码 / district code")]
RunId = Annotated[str, Field(description="筛选批次 / run id")]
ObjectionId = Annotated[str, Field(description="异议编号 / objection id")]


class View(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class Versioned(View):
    stream_version: int = d("事件流版本（乐观并发）/ the stream's version (optimistic concurrency)")


# 村 / villages

class VillageRegistered(Versioned):
    code: VillageCode


class BadRow(View):
    row: int = d("表格行号（表头为第 1 行）/ spreadsheet row number, the header is row 1")
    code: str | None = d("该行的村代码 / the row's village code")
    field: str | None = d("出错的列 / the column at fault")
    reason: str = d("原因 / why the row is bad")


class ImportReport(View):
    rows: int = d("表格行数（不含表头）/ rows in the table, header excluded")
    good_rows: int = d("正确的行数 / good rows")
    bad_rows: list[BadRow] = d("每个错误行及原因 / every bad row and why")
    partial: bool = d("是否只写正确的行 / whether only the good rows were to be written")
    imported: int = d("写入的村数 / villages written")
    written: bool = d("是否写入了任何行 / whether anything was stored")


class IncomeCorrected(Versioned):
    code: VillageCode
    year: str = d("年份 / year")
    income_fen: int = d("更正后的收入（分）/ corrected income, fen")


class VillageAttributes(Versioned):
    code: VillageCode
    town: str = d("镇/街 / town or subdistrict")
    village_type: str = d("村类型 / village type")
    needs: Codes = d("扶持需求 / what the village needs")


class VillageGraduated(Versioned):
    code: VillageCode
    graduated: bool = d("已达标出列 / graduated")
    designated_by_run: str | None = d("出列前认定它的筛选批次 / the run that had designated it")
    year: int = d("达标年度 / the year the target was met")
    teams_unassigned: list[str] = d("随之解除对接的工作队 / teams unassigned with it")


class DirectoryEntry(View):
    code: VillageCode
    name: str = d("村名 / village name")
    district: District
    town: str = d("镇/街 / town or subdistrict")
    village_type: str = d("村类型 / village type")
    designated: bool = d("是否为经济薄弱村 / designated as economically weak")


class VillagePage(View):
    items: list[DirectoryEntry] = d("本页的村 / this page's villages")
    next_after: str | None = d("下一页从此村代码之后开始；无下一页为空 / the next page starts after this code; null at "
                               "the end")


class VillageNow(Versioned):
    code: VillageCode
    name: str = d("村名 / village name")
    district: District
    town: str = d("镇/街 / town or subdistrict")
    village_type: str = d("村类型 / village type")
    needs: Codes = d("扶持需求 / what the village needs")
    income_yuan: dict[str, str] = d("2018–2020 各年村集体经营性收入（元）/ collective operating income by year, yuan")
    average_yuan: str = d("三年平均（元，按分向下取整）/ 3-year average, yuan (fen floored)")
    designated: bool = d("是否为经济薄弱村 / designated as economically weak")
    designated_by_run: str | None = d("认定它的筛选批次 / the run that designated it")
    rank: int | None = d("该批次中自下而上的名次 / rank from the bottom in that run")
    team_id: str | None = d("对接的工作队 / the team serving it")


class RecordedEventView(View):
    event_id: UUID = d("事件标识 / event id")
    type: str = d("事件类型 / event type")
    schema_version: int = d("事件结构版本 / schema version")
    source: str = d("来源服务 / source service")
    stream_id: str = d("事件流 / stream")
    stream_version: int = d("在流中的版本 / version within the stream")
    global_position: int | None = d("全局位置 / global position")
    occurred_at: datetime = d("业务发生时间 / business time")
    recorded_at: datetime = d("记录时间 / when recorded")
    correlation_id: UUID = d("关联 ID / correlation id")
    causation_id: UUID | None = d("起因 ID / causation id")
    actor: str = d("办理人 / who acted")
    payload: dict[str, Any] = d("事件内容 / the event's content")
    chain_hash: str | None = d("哈希链 / hash chain value")


class VillageHistory(View):
    code: VillageCode
    events: list[RecordedEventView] = d("全部事件，按版本 / every event, in version order")


# 精准识别 / screening

class Cutoff(View):
    cutoff_average_fen: int = d("分界线：第 N 名的三年平均（分）/ cut-off: the N-th village's average, fen")
    cutoff_average_yuan: str = d("分界线（元）/ cut-off, yuan")


class ObjectionWindow(View):
    run_id: RunId
    opens_on: date = d("公示首日 / first day objections are taken")
    closes_on: date = d("公示末日（含）/ last day objections are taken")
    days: int = d("公示天数 / the window's length in days")


class ObjectionLodgedView(View):
    run_id: RunId
    objection_id: ObjectionId
    village_code: VillageCode
    lodged_on: date = d("登记日 / day recorded")
    closes_on: date = d("异议期末日 / last day of the window")


class ObjectionAnsweredView(View):
    run_id: RunId
    objection_id: ObjectionId
    outcome: ObjectionOutcome = d("upheld（成立）/ dismissed（不成立）")
    answered_on: date = d("答复日 / day answered")


class DesignationConfirmedView(View):
    run_id: RunId
    confirmed_on: date = d("确认日 / day confirmed")
    objections: int = d("异议数（均不成立）/ objections, all dismissed")
    designated: int = d("确认的薄弱村数 / villages on the confirmed list")


class ObjectionEntry(View):
    objection_id: ObjectionId
    village_code: VillageCode
    district: District
    listed: bool = d("该村是否在名单内 / whether the village is on the list")
    objector: str = d("异议人（个人数据；删除后为“已删除”）/ who objects (personal; reads 已删除 once erased)")
    grounds: str = d("异议理由 / the grounds")
    lodged_on: date = d("登记日 / day recorded")
    lodged_by: str = d("登记账号 / the account that recorded it")
    outcome: ObjectionOutcome | None = d("答复结果，未答复为空 / upheld, dismissed, or null while unanswered")
    reason: str | None = d("答复理由 / the answer's reason")
    answered_on: date | None = d("答复日，未答复为空 / day answered, or null")


class ObjectionsView(ObjectionWindow):
    confirmed_on: date | None = d("名单确认日，未确认为空 / day the list was confirmed, or null")
    objections: list[ObjectionEntry] = d("异议 / the objections, in the order recorded")


class ScreeningDone(Cutoff):
    run_id: RunId
    quota: int = d("认定数量 N / how many are designated")
    villages_ranked: int = d("参与排序的村数 / villages ranked")
    designated: int = d("认定数 / villages designated")
    supersedes: str | None = d("取代的批次 / the run it supersedes")
    added: Codes = d("相对上一批次新增的村 / villages in, against the superseded run")
    removed: Codes = d("相对上一批次移出的村 / villages out, against the superseded run")
    teams_unassigned: Codes = d("因撤销认定而解除对接的村 / villages whose team was unassigned by the revocation")


class ScreeningPreview(Cutoff):
    quota: int = d("认定数量 N / how many would be designated")
    villages_ranked: int = d("参与排序的村数 / villages ranked")
    designated: Codes = d("将被认定的村 / villages that would be designated")
    in_force: str | None = d("现行批次 / the run in force")
    added: Codes = d("相对现行批次新增的村 / villages in, against the run in force")
    removed: Codes = d("相对现行批次移出的村 / villages out, against the run in force")


class ScreeningSummary(Cutoff):
    run_id: RunId
    quota: int = d("认定数量 N / how many are designated")
    villages_ranked: int = d("参与排序的村数 / villages ranked")
    added: int = d("新增数 / how many in")
    removed: int = d("移出数 / how many out")
    supersedes: str | None = d("取代的批次 / the run it supersedes")
    actor: str = d("办理人 / who ran it")
    occurred_at: Instant = d("筛选时间 / when it ran")
    in_force: bool = d("是否为现行批次 / the run in force")


class ScreeningList(View):
    in_force: str | None = d("现行批次 / the run in force")
    items: list[ScreeningSummary] = d("全部批次，按时间 / every run, oldest first")


class RankedVillage(View):
    code: VillageCode
    district: District
    income_fen: dict[str, int] = d("各年收入（分）/ income by year, fen")
    average_fen: int = d("三年平均（分，向下取整）/ 3-year average in fen, floored")
    rank: int = d("自下而上名次，1 为最低 / rank from the bottom, 1 = lowest")


class ScreeningRunView(View):
    run_id: RunId
    rule: str = d("筛选规则 / the rule, e.g. bottom_n_by_average_2018_2020")
    rule_version: int = d("规则版本 / rule version")
    tie_break: str = d("相同时的次序 / how ties are ordered")
    quota: int = d("认定数量 N / how many are designated")
    cutoff_average_fen: int = d("第 N 名的三年平均（分）/ average of the N-th village, fen")
    supersedes: str | None = d("取代的批次 / the run it supersedes")
    villages_ranked: int = d("参与排序的村数 / villages ranked")
    designated_count: int = d("认定数 / villages designated")
    added_count: int = d("新增数 / how many in")
    removed_count: int = d("移出数 / how many out")
    pages: int = d("名单分页事件数 / page events the lists travelled in")
    ranked: list[RankedVillage] = d("全部参与排序的村，自下而上 / every village ranked, bottom first")
    designated: Codes = d("认定的村 / villages designated")
    added: Codes = d("新增的村 / villages in")
    removed: Codes = d("移出的村 / villages out")


class ScreeningVerification(View):
    run_id: RunId
    matches: bool = d("重新推导的结果与记录一致 / the re-derived result equals the recorded one")
    designated: int = d("重新推导的认定数 / villages designated on re-derivation")
    cutoff_average_fen: int = d("重新推导的分界线（分）/ re-derived cut-off, fen")
    mismatches: list[str] = d("不一致之处 / what differs")
    inputs_match_register: bool = d("输入与当时的登记一致 / the inputs equal the register of the time")
    rule: str = d("筛选规则 / the rule")
    rule_version: int = d("规则版本 / rule version")


# 扶持单位 / units

class UnitRegistered(Versioned):
    unit_id: str = d("单位标识 / unit id")


class UnitStrengths(Versioned):
    unit_id: str = d("单位标识 / unit id")
    strengths: Codes = d("职能优势 / functional strengths")


class UnitView(View):
    unit_id: str = d("单位标识 / unit id")
    name: str = d("单位名称 / name")
    level: str = d("市级或区级 / city or district level")
    district: str | None = d("区级单位所在区 / a district unit's district")
    strengths: Codes = d("职能优势 / functional strengths")
    team_ids: Codes = d("参与的工作队 / the teams it takes part in")


# 选派干部 / cadres

class CadreRegistered(Versioned):
    cadre_id: CadreId


class CadreTrainedView(View):
    cadre_id: CadreId
    trained_on: date | None = d("最早完成集中培训之日 / first completed centralised training")


class InsuranceRecorded(View):
    cadre_id: CadreId
    valid_from: date = d("保险起始日 / valid from")
    valid_to: date = d("保险截止日 / valid to")


class LeaveRequested(View):
    cadre_id: CadreId
    leave_id: str = d("请假单 / leave id")
    status: str = d("状态：requested / approved / rejected / cancelled / status")
    days: int = d("天数 / days")


class LeaveCancelled(LeaveRequested):
    used_days: int = d("该年已用天数 / days used that year")


class LeaveDecided(LeaveCancelled):
    quota_days: int = d("年度额度（天）/ annual quota, days")


class Training(View):
    cadre_id: CadreId
    course: str = d("课程 / course")
    completed_on: date = d("完成日期 / completed on")
    centralised: bool = d("是否为集中培训 / the centralised training")


class Insurance(View):
    cadre_id: CadreId
    policy_no: str | None = d("保单号（已删除时为“已删除 / erased”）/ policy number, or erased")
    valid_from: date = d("保险起始日 / valid from")
    valid_to: date = d("保险截止日 / valid to")


class LeaveView(View):
    leave_id: str = d("请假单 / leave id")
    start: date = d("首日 / first day")
    end: date = d("末日 / last day")
    days: int = d("天数 / days")
    status: str = d("状态：requested / approved / rejected / cancelled / status")
    reason: str | None = d("理由 / reason")
    rejection_reason: str | None = d("驳回理由 / why it was rejected")


class CadreRecord(View):
    cadre_id: CadreId
    unit_id: str = d("派出单位 / the cadre's unit")
    name: str | None = d("姓名（已删除时为“已删除 / erased”）/ name, or erased")
    title: str | None = d("职务（已删除时为“已删除 / erased”）/ title, or erased")
    personal_data_erased: bool = d("个人数据已删除 / personal data erased")
    team_id: str | None = d("所在工作队 / the cadre's team")
    trained_on: date | None = d("最早完成集中培训之日 / first completed centralised training")
    trainings: list[Training] = d("培训记录 / trainings")
    insurance: list[Insurance] = d("人身意外伤害保险 / personal accident insurance")
    leaves: list[LeaveView] = d("请假 / leaves")
    leave_used_days: dict[int, int] = d("各年已用假期（天）/ leave days used, by year")


# 驻村工作队 / work teams

class TeamFormed(Versioned):
    team_id: TeamId


class TeamView(Versioned):
    team_id: TeamId
    dissolved: bool = d("已撤销 / dissolved")
    district: str | None = d("服务的区 / district served")
    lead_unit_id: str | None = d("牵头单位 / lead unit")
    partner_unit_ids: Codes = d("协作单位 / partner units")
    member_ids: Codes = d("队员 / members")
    first_secretary_id: str | None = d("第一书记 / first secretary")
    villages: Codes = d("对接的村 / villages served")
    entered: dict[str, date] = d("各村入村日期 / day of entry, by village")


class TeamMembers(Versioned):
    team_id: TeamId
    members: Codes = d("队员 / members")
    first_secretary_id: str | None = d("第一书记 / first secretary")


class Assignment(View):
    team_id: TeamId
    village_code: VillageCode


class Unassigned(Assignment):
    villages: Codes = d("该队此后对接的村 / the team's villages now")


class Entered(Assignment):
    entered_on: date = d("入村日期 / date of entry")


class TeamRotated(Versioned):
    team_id: TeamId
    left: Codes = d("离开的村 / villages left")
    joined: Codes = d("新对接的村 / villages joined")
    villages: Codes = d("轮换后对接的村 / villages served now")


class TeamDissolvedView(Versioned):
    team_id: TeamId
    dissolved: bool = d("已撤销 / dissolved")
    villages_released: Codes = d("解除对接的村 / villages released")
    members_released: Codes = d("释放的队员 / members released")
    units_released: Codes = d("释放名额的单位 / units whose place is freed")


# 因需对接 / matching

class Pair(View):
    team_id: TeamId
    village_code: VillageCode
    district: District
    score: int = d("契合度 / fit score")
    second_village: bool = d("是否为该队第二个村 / the team's second village")
    reason: str = d("对接理由 / why this pair")


class Proposed(View):
    proposal_id: str = d("方案标识 / proposal id")
    districts: Codes = d("求解的区（空为全市）/ districts solved, empty = city-wide")
    solver: str = d("求解器 / solver")
    rule_version: int = d("规则版本 / rule version")
    pairs: list[Pair] = d("建议的对 / proposed pairs")
    unmatched_villages: Codes = d("无队可派的村 / villages left without a team")
    idle_teams: Codes = d("未分到村的队 / teams left without a village")
    total_score: int = d("总契合度 / total fit")


class ProposalPair(Pair):
    accepted: bool = d("已确认 / accepted")


class ProposalView(View):
    proposal_id: str = d("方案标识 / proposal id")
    pairs: list[ProposalPair] = d("全部建议的对 / every proposed pair")
    accepted: int = d("已确认的对数 / pairs accepted")
    pending: int = d("待确认的对数 / pairs pending")


class ProposalAccepted(View):
    proposal_id: str = d("方案标识 / proposal id")
    assigned: list[Assignment] = d("本次对接的队与村 / pairs assigned now")
    pending: int = d("待确认的对数 / pairs still pending")


# 驻村管理 / presence, allowances, alerts

class PresenceLogged(View):
    logged: int = d("记录的打卡数 / check-ins recorded")


class AllowanceItem(View):
    cadre_id: CadreId
    team_id: str | None = d("工作队 / team")
    presence_days: int = d("驻村天数 / days present")
    amount_fen: int = d("补助（分）/ allowance, fen")
    amount_yuan: str = d("补助（元）/ allowance, yuan")


class Allowances(View):
    month: str = d("月份 YYYY-MM / month")
    daily_rate_fen: int = d("日标准（分）/ daily rate, fen")
    daily_rate_yuan: str = d("日标准（元）/ daily rate, yuan")
    changed: int = d("本次有变化的干部数 / cadres whose amount changed now")
    total_fen: int = d("合计（分）/ total, fen")
    total_yuan: str = d("合计（元）/ total, yuan")
    items: list[AllowanceItem] = d("每名干部 / per cadre")


class AbsentCadre(View):
    cadre_id: CadreId
    team_id: str = d("工作队 / team")
    district: District
    last_present: date | None = d("最近驻村日 / last day present")
    absent_days: int = d("缺勤天数（不含假期）/ days absent, leave excluded")


class Week(View):
    from_: date = d("周一 / Monday", alias="from")
    to: date = d("周日 / Sunday")


class SilentVillage(View):
    team_id: str = d("工作队 / team")
    village_code: VillageCode
    district: District
    entered_on: date = d("入村日期 / date of entry")


class Alerts(View):
    as_of: date = d("截至日期 / as of")
    absent_days_threshold: int = d("缺勤预警天数 / threshold, days")
    absent_cadres: list[AbsentCadre] = d("长期缺勤的干部 / cadres absent beyond the threshold")
    week: Week = d("所查的周 / the week looked at")
    villages_without_presence: list[SilentVillage] = d("本周无人驻村的村 / villages nobody was present in this week")


class NetworkGaps(View):
    units_without_team: Codes = d("未参与工作队的单位 / units in no team")
    villages_without_team: Codes = d("无工作队的经济薄弱村 / weak villages without a team")
    teams_without_village: Codes = d("无村的工作队 / teams without a village")
    teams_with_untrained_first_secretary: Codes = d("第一书记未完成集中培训的工作队 / teams whose first secretary is "
                                                    "untrained")
    teams_by_villages: dict[str, int] = d("按对接村数（0、1、2）统计的工作队 / teams by how many villages they serve")
