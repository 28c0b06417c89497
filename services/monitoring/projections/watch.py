"""监测 / the reactor that keeps the conditions of the rule catalogue and says them as alerts.

It reads registry's, funding's and assessment's topics for the events that open and clear
conditions, and monitoring's own for ``BusinessDayClosed``. An immediate rule raises on the
tripping event; a time-based one when a day closes more than its threshold after the
condition began; the undoing event resolves the alert (``how='cleared'``, its id as
``cause_event_id``); a day's close also escalates what stayed unacknowledged past the rule's
``escalate_after_days`` business days.

Reactions are appended in the transaction that records the delivery (shared/projections/
reactor.py) and the ``Alert`` aggregate ignores a second raise, clear or escalation to a level
reached: a redelivery or a ``projections rebuild`` says nothing twice. No clock is read:
dates come from the events (business day of ``occurred_at``) and from closed days.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import asyncpg

from shared.contracts.assessment import (
    CollectiveIncomeReported,
    CoverageEnded,
    CoverageRecorded,
    EligibilityRecorded,
    InspectionRecorded,
    RectificationAccepted,
    RectificationReported,
    RectificationReturned,
    FarmerIncomeReported,
    IncomeReportReviewed,
    MilestoneCancelled,
    MilestoneReplanned,
    MilestoneVerified,
    ProjectCancelled,
    ProjectPlanned,
)
from shared.contracts.funding import (
    AllocationAdjusted,
    AllocationCancelled,
    AllocationFrozen,
    AllocationUnfrozen,
    DisbursementApproved,
    DisbursementPaid,
    DisbursementRejected,
    DisbursementRequested,
    DisbursementReversed,
    FreezeExceptionRecorded,
    FrozenRemainderReleased,
    FundsAllocated,
)
from shared.contracts.monitoring import AlertRaised, BusinessDayClosed, RuleChanged
from shared.contracts.registry import (
    CadrePresenceLogged,
    DesignationRevoked,
    LeaveApproved,
    LeaveCancelled,
    TeamEnteredVillage,
    TeamMembersChanged,
    TeamAssigned,
    TeamDissolved,
    TeamRotated,
    TeamUnassigned,
    VillageDesignated,
    VillageIncomeCorrected,
    VillageRegistered,
    WorkTeamFormed,
)
from shared.eventstore import EventStore, RecordedEvent, UnitOfWork
from shared.projections.projection import runs_of
from shared.projections.reactor import Reactor

from services.monitoring.adapters import conditions as db
from services.monitoring.adapters import spells
from services.monitoring.adapters.conditions import Where
from services.monitoring.domain.alert import Alert, alert_id, escalation_level
from services.monitoring.domain.calendar import Calendar, business_day
from services.monitoring.domain.conditions import (
    DAY_THRESHOLD,
    IMMEDIATE,
    below_target,
    dropped,
    is_due,
    is_month_end,
    month_of,
    presence_required,
    quarter_closed_by,
    quarters_ended_before,
    spend_expected,
)
from services.monitoring.domain.rules import CATALOGUE, Rule, first_version, in_force
from services.monitoring.domain.spells import uncovered

TIMED = sorted(DAY_THRESHOLD)


async def rule_versions(uow: UnitOfWork, rule_ids: list[str],
                        cache: dict[str, list[RuleChanged]] | None = None) -> dict[str, list[RuleChanged]]:
    """Each rule's versions from the store; version 1 from code before the seed.
    ``cache``: the versions already read in this batch."""
    cache = {} if cache is None else cache
    missing = [rid for rid in rule_ids if rid not in cache]
    if missing:
        for rid, r in (await uow.load_many(Rule, missing)).items():
            cache[rid] = r.versions or [first_version(CATALOGUE[rid])]
    return {rid: cache[rid] for rid in rule_ids}


async def rules_in_force(uow: UnitOfWork, day: date, rule_ids: list[str],
                         cache: dict[str, list[RuleChanged]] | None = None) -> dict[str, RuleChanged | None]:
    """Each rule's version on ``day``."""
    return {rid: in_force(v, day) for rid, v in (await rule_versions(uow, rule_ids, cache)).items()}


def _version(rule: RuleChanged | None) -> int | None:
    return rule.rule_version if rule is not None else None


def _title(rule_id: str, subject_id: str) -> str:
    d = CATALOGUE[rule_id]
    return f"{d.title_zh}：{subject_id} / {d.title_en}: {subject_id}"


async def raise_alert(uow: UnitOfWork, row: asyncpg.Record | dict, rule: RuleChanged, on: date,
                      cause_event_id: UUID | None, figures: dict) -> str:
    """Raise the alert of a condition row (and resolve it at once if the row cleared since)."""
    conn = uow.conn
    aid = alert_id(row["rule_id"], row["subject_kind"], row["subject_id"], str(row["opened_by"]))
    alert = await uow.load(Alert, aid)
    alert.raise_(AlertRaised(
        alert_id=aid, rule_id=rule.rule_id, rule_version=rule.rule_version, severity=rule.severity,
        subject_kind=row["subject_kind"], subject_id=row["subject_id"], district=row["district"],
        village_code=row["village_code"], team_id=row["team_id"], audience=list(rule.audience), raised_on=on,
        cause_event_id=cause_event_id, title=_title(rule.rule_id, row["subject_id"]), figures=figures))
    if row["cleared_on"] is not None:  # it held at the end of ``on`` and cleared later: said in order
        alert.clear(row["cleared_on"], row["cleared_by"])
    await uow.save(alert)
    await db.mark_raised(conn, row, aid, on)  # type: ignore[arg-type]
    return aid


class Watch(Reactor):
    name = "watch"
    service = "monitoring"
    sources = ("registry", "funding", "assessment", "monitoring")
    tables = ("monitoring.conditions", "monitoring.days", "monitoring.villages", "monitoring.team_villages",
              "monitoring.team_units", "monitoring.incomes", "monitoring.eligibility", "monitoring.teams",
              "monitoring.team_members", "monitoring.presence", "monitoring.leaves",
              "monitoring.allocations", "monitoring.allocation_amounts", "monitoring.payments",
              "monitoring.designation_spells", "monitoring.service_spells")

    async def apply_batch(self, conn: asyncpg.Connection, events) -> None:
        # The rules' versions, read once a batch (a batch is one transaction; a rule changed
        # meanwhile applies from a day not yet closed, so the next batch sees it in time).
        self._versions: dict[str, list[RuleChanged]] = {}
        for run, check_ins in runs_of(CadrePresenceLogged, events):
            if check_ins is None or not await self._log_open_months(conn, run, check_ins):
                for event in run:
                    await self.apply(conn, event)

    async def _log_open_months(self, conn: asyncpg.Connection, run: list[RecordedEvent],
                               check_ins: list[CadrePresenceLogged]) -> bool:
        """A run of check-ins logged in one statement when none falls in a closed month (the
        everyday case: each alone would cost two round trips); False, with nothing written, when
        one does — each then goes alone, as a late day may lift its month's shortfall."""
        if len(check_ins) != len(run) or await db.any_closed(conn, sorted({month_of(e.day)[1] for e in check_ins})):
            return False
        await db.log_presence_many(conn, [(e.cadre_id, e.day) for e in check_ins])
        return True

    async def _rules(self, uow: UnitOfWork, day: date, rule_ids: list[str]) -> dict[str, RuleChanged | None]:
        return await rules_in_force(uow, day, rule_ids, getattr(self, "_versions", None))

    async def _rule_versions(self, uow: UnitOfWork, rule_ids: list[str]) -> dict[str, list[RuleChanged]]:
        return await rule_versions(uow, rule_ids, getattr(self, "_versions", None))

    # -- the two moves every rule makes ------------------------------------------------------

    async def _open(self, conn: asyncpg.Connection, cause: RecordedEvent, rule_id: str, kind: str, subject_id: str,
                    since: date, where: Where, figures: dict | None = None, on: date | None = None) -> bool:
        """``on``: the business day it began holding, when not the cause's own (a day's close).
        Whether a new episode began."""
        figures = {"since": since.isoformat(), **(figures or {})}
        on = on or business_day(cause.occurred_at)
        if not await db.open_condition(conn, rule_id, kind, subject_id, cause.event_id, since, on, where, figures,
                                       cause.global_position):
            return False
        if rule_id in IMMEDIATE:
            uow = self.unit_of_work(conn, cause)
            rule = (await self._rules(uow, on, [rule_id]))[rule_id]
            row = await db.unraised(conn, rule_id, kind, subject_id)
            if rule is not None and rule.enabled and row is not None:
                await raise_alert(uow, row, rule, on, cause.event_id, figures)
        return True

    async def _clear(self, conn: asyncpg.Connection, cause: RecordedEvent, rule_ids: list[str], kind: str,
                     subject_id: str, on: date | None = None, cause_id: UUID | None = None,
                     later_too: bool = False) -> None:
        """``on``/``cause_id``: the clearing fact, when it is not ``cause`` (recorded earlier);
        ``later_too``: see ``clear_conditions``."""
        on, cause_id = on or business_day(cause.occurred_at), cause_id or cause.event_id
        rows = await db.clear_conditions(conn, rule_ids, kind, subject_id, on, cause_id, later_too)
        await self._resolve(conn, cause, [r["alert_id"] for r in rows if r["alert_id"] is not None], on, cause_id)

    async def _resolve(self, conn: asyncpg.Connection, cause: RecordedEvent, raised: list[str], on: date,
                       cause_id: UUID) -> None:
        """The alerts of episodes that ended on ``on`` by ``cause_id``."""
        if not raised:
            return
        uow = self.unit_of_work(conn, cause)
        alerts = await uow.load_many(Alert, raised)
        changed = [a for a in alerts.values() if a.clear(on, cause_id)]
        if changed:
            await uow.save_all(changed)

    # -- money (funding) ---------------------------------------------------------------------

    async def when_FundsAllocated(self, conn, e: FundsAllocated, r: RecordedEvent) -> None:
        await self._idle(conn, r, e.allocation_id, Where(e.district, e.village_code), e.amount_fen,
                         await db.first_request(conn, e.allocation_id))
        await db.set_allocation(conn, e.allocation_id, e.district, e.fiscal_year, e.amount_fen,
                                business_day(r.occurred_at), *_when(r))
        await self._spend_changed(conn, r, e.allocation_id)

    async def when_AllocationAdjusted(self, conn, e: AllocationAdjusted, r: RecordedEvent) -> None:
        row = await db.allocation(conn, e.allocation_id)
        if row is not None:
            await db.set_allocation(conn, e.allocation_id, row["district"], row["fiscal_year"], e.amount_fen,
                                    row["made_on"], *_when(r))
            await self._spend_changed(conn, r, e.allocation_id)

    async def when_AllocationCancelled(self, conn, e: AllocationCancelled, r: RecordedEvent) -> None:
        await self._clear(conn, r, ["allocation.idle"], "allocation", e.allocation_id)
        await db.reduce_allocation(conn, e.allocation_id, e.released_fen, *_when(r))
        await self._spend_changed(conn, r, e.allocation_id)

    async def when_FrozenRemainderReleased(self, conn, e: FrozenRemainderReleased, r: RecordedEvent) -> None:
        await db.reduce_allocation(conn, e.allocation_id, e.released_fen, *_when(r))
        await self._spend_changed(conn, r, e.allocation_id)

    async def when_AllocationFrozen(self, conn, e: AllocationFrozen, r: RecordedEvent) -> None:
        await self._clear(conn, r, ["allocation.idle"], "allocation", e.allocation_id)  # nothing may be requested

    async def _idle(self, conn, r: RecordedEvent, allocation_id: str, where: Where, amount_fen: int | None,
                    drawn: asyncpg.Record | None) -> None:
        """An idle episode from ``r``'s day. A request is on a stream, so a partition, of its
        own: it may have been read first (``drawn``, the earliest). The episode then ended on
        the request's day (before it began: it never held)."""
        if await self._open(conn, r, "allocation.idle", "allocation", allocation_id, business_day(r.occurred_at),
                            where, {"amount_fen": amount_fen}) and drawn is not None:
            await self._clear(conn, r, ["allocation.idle"], "allocation", allocation_id, on=drawn["since"],
                              cause_id=drawn["opened_by"])

    async def _fundable_again(self, conn, r: RecordedEvent, allocation_id: str) -> None:
        """Unfrozen, or paid on by exception: an allocation nothing was requested on before
        that day is idle again, from that day (a new episode)."""
        last = await db.latest(conn, "allocation.idle", "allocation", allocation_id)
        drawn = await db.first_request(conn, allocation_id)
        if last is not None and last["cleared_on"] is not None and (
                drawn is None or drawn["since"] >= business_day(r.occurred_at)):
            await self._idle(conn, r, allocation_id, Where(last["district"], last["village_code"]),
                             _figures(last).get("amount_fen"), drawn)

    async def when_AllocationUnfrozen(self, conn, e: AllocationUnfrozen, r: RecordedEvent) -> None:
        await self._fundable_again(conn, r, e.allocation_id)

    async def when_FreezeExceptionRecorded(self, conn, e: FreezeExceptionRecorded, r: RecordedEvent) -> None:
        await self._fundable_again(conn, r, e.allocation_id)

    async def when_DisbursementRequested(self, conn, e: DisbursementRequested, r: RecordedEvent) -> None:
        await self._clear(conn, r, ["allocation.idle"], "allocation", e.allocation_id, later_too=True)
        await self._open(conn, r, "disbursement.awaiting_approval", "disbursement", e.disbursement_id,
                         business_day(r.occurred_at), Where(e.district, e.village_code),
                         {"amount_fen": e.amount_fen, "allocation_id": e.allocation_id})

    async def when_DisbursementApproved(self, conn, e: DisbursementApproved, r: RecordedEvent) -> None:
        await self._clear(conn, r, ["disbursement.awaiting_approval"], "disbursement", e.disbursement_id)
        await self._open(conn, r, "disbursement.approved_unpaid", "disbursement", e.disbursement_id,
                         business_day(r.occurred_at), Where(e.district, e.village_code),
                         {"amount_fen": e.amount_fen, "allocation_id": e.allocation_id})

    async def when_DisbursementRejected(self, conn, e: DisbursementRejected, r: RecordedEvent) -> None:
        await self._clear(conn, r, ["disbursement.awaiting_approval"], "disbursement", e.disbursement_id)

    async def when_DisbursementPaid(self, conn, e: DisbursementPaid, r: RecordedEvent) -> None:
        await self._clear(conn, r, ["disbursement.approved_unpaid"], "disbursement", e.disbursement_id)
        await db.set_payment(conn, e.disbursement_id, e.allocation_id, e.amount_fen, *_when(r))
        await self._spend_changed(conn, r, e.allocation_id)

    async def when_DisbursementReversed(self, conn, e: DisbursementReversed, r: RecordedEvent) -> None:
        await self._clear(conn, r, ["disbursement.awaiting_approval", "disbursement.approved_unpaid"], "disbursement",
                          e.disbursement_id)
        await db.set_payment(conn, e.disbursement_id, e.allocation_id, None, *_when(r))

    # -- a district's spending against the year's plan (funding) ------------------------------

    async def _spend_changed(self, conn, r: RecordedEvent, allocation_id: str) -> None:
        """Plan or spending moved: an open shortfall of the allocation's district and year is
        judged again against the last quarter closed, and cleared when it is made up. (A new
        shortfall is raised only when a quarter closes.)"""
        a = await db.allocation(conn, allocation_id)
        if a is None:
            return
        subject = f"{a['district']}:{a['fiscal_year']}"
        if await db.latest_open(conn, "district.spend_behind_plan", "district", subject) is None:
            return
        year = a["fiscal_year"]
        ends = [date(year, 3, 31), date(year, 6, 30), date(year, 9, 30), date(year, 12, 31)]
        closed = await db.last_closed_in(conn, ends)
        rule = (await self._rules(self.unit_of_work(conn, r), business_day(r.occurred_at),
                                     ["district.spend_behind_plan"]))["district.spend_behind_plan"]
        [row] = await db.spending(conn, year, a["district"])
        if closed is None or spend_expected(rule, quarter_closed_by(closed) or 4, row["plan_fen"],
                                            row["spent_fen"]) is None:
            await self._clear(conn, r, ["district.spend_behind_plan"], "district", subject)

    async def _quarter_spending(self, conn, uow: UnitOfWork, r: RecordedEvent, rule: RuleChanged | None,
                                day: date) -> None:
        """At a quarter's last close: every district that had paid, by the end of that day,
        less than its share of the year's plan as it stood then (each allocation's amount then,
        a payment reversed since still counted). What moved afterwards and was recorded before
        this close (the topics may come in any order; a calendar may catch up late) is then
        played in order, each move judged against the last quarter ended before its day, as
        ``_spend_changed`` judged it when days close one by one: the payment or smaller plan
        that made the shortfall up resolves it at once."""
        quarter = quarter_closed_by(day)
        if quarter is None or rule is None or not rule.enabled:
            return
        for row in await db.spending(conn, day.year, through=day):
            floor = spend_expected(rule, quarter, row["plan_fen"], row["spent_fen"])
            if floor is None:
                continue
            subject = f"{row['district']}:{day.year}"
            figures = {"year": day.year, "quarter": quarter, "plan_fen": row["plan_fen"],
                       "spent_fen": row["spent_fen"], "floor_fen": floor}
            await self._open(conn, r, "district.spend_behind_plan", "district", subject, day,
                             Where(row["district"]), figures, on=day)
            pending = await db.unraised(conn, "district.spend_behind_plan", "district", subject)
            if pending is None:
                continue
            await raise_alert(uow, pending, rule, day, None, {"since": day.isoformat(), **figures})
            amounts = await db.amounts_at(conn, day.year, row["district"], day)
            spent = row["spent_fen"]
            for move in await db.spend_moves_after(conn, day.year, row["district"], day):
                if move["plan_to"] is not None:
                    amounts[move["allocation_id"]] = move["plan_to"]
                spent += move["paid"]
                quarter_then = quarters_ended_before(day.year, move["on_day"])
                if spend_expected(rule, quarter_then, sum(amounts.values()), spent) is None:
                    await self._clear(conn, r, ["district.spend_behind_plan"], "district", subject,
                                      on=move["on_day"], cause_id=move["event_id"])
                    break

    # -- projects (assessment) ---------------------------------------------------------------

    async def when_ProjectPlanned(self, conn, e: ProjectPlanned, r: RecordedEvent) -> None:
        for m in e.milestones:
            await self._open(conn, r, "milestone.overdue", "milestone", f"{e.project_id}:{m.milestone_id}", m.due_on,
                             Where(e.district, e.village_code), {"due_on": m.due_on.isoformat()})

    async def when_MilestoneReplanned(self, conn, e: MilestoneReplanned, r: RecordedEvent) -> None:
        subject = f"{e.project_id}:{e.milestone_id}"
        await self._clear(conn, r, ["milestone.overdue"], "milestone", subject)  # a new due day: a new episode
        await self._open(conn, r, "milestone.overdue", "milestone", subject, e.due_on, Where(e.district, e.village_code),
                         {"due_on": e.due_on.isoformat()})

    async def when_MilestoneVerified(self, conn, e: MilestoneVerified, r: RecordedEvent) -> None:
        await self._clear(conn, r, ["milestone.overdue"], "milestone", f"{e.project_id}:{e.milestone_id}")

    async def when_MilestoneCancelled(self, conn, e: MilestoneCancelled, r: RecordedEvent) -> None:
        await self._clear(conn, r, ["milestone.overdue"], "milestone", f"{e.project_id}:{e.milestone_id}")

    async def when_ProjectCancelled(self, conn, e: ProjectCancelled, r: RecordedEvent) -> None:
        for mid in e.cancelled_milestone_ids:
            await self._clear(conn, r, ["milestone.overdue"], "milestone", f"{e.project_id}:{mid}")

    # -- inspections and low-income protection (assessment) -----------------------------------

    async def when_InspectionRecorded(self, conn, e: InspectionRecorded, r: RecordedEvent) -> None:
        village = e.target_id if e.target_kind == "village" else None
        team = e.target_id if e.target_kind == "team" else None
        for f in e.findings:
            await self._open(conn, r, "rectification.overdue", "inspection", f"{e.inspection_id}:{f.finding_id}",
                             f.deadline, Where(e.district, village, team), {"deadline": f.deadline.isoformat()})

    async def when_RectificationReported(self, conn, e: RectificationReported, r: RecordedEvent) -> None:
        await self._clear(conn, r, ["rectification.overdue"], "inspection", f"{e.inspection_id}:{e.finding_id}")

    async def when_RectificationAccepted(self, conn, e: RectificationAccepted, r: RecordedEvent) -> None:
        await self._clear(conn, r, ["rectification.overdue"], "inspection", f"{e.inspection_id}:{e.finding_id}")

    async def when_RectificationReturned(self, conn, e: RectificationReturned, r: RecordedEvent) -> None:
        """Not accepted: the finding is open again, against its original deadline (a new episode)."""
        subject = f"{e.inspection_id}:{e.finding_id}"
        last = await db.latest(conn, "rectification.overdue", "inspection", subject)
        if last is not None:
            await self._open(conn, r, "rectification.overdue", "inspection", subject, last["since"],
                             Where(last["district"], last["village_code"], last["team_id"]), _figures(last))

    async def when_EligibilityRecorded(self, conn, e: EligibilityRecorded, r: RecordedEvent) -> None:
        subject = f"{e.person_id}:{e.cover}"
        await db.set_eligible(conn, e.person_id, e.cover, e.eligible)
        if e.eligible:
            await self._open(conn, r, "person.eligible_not_covered", "person", subject,
                             e.recorded_on or business_day(r.occurred_at), Where(e.district, e.village_code),
                             {"cover": e.cover})
        else:
            await self._clear(conn, r, ["person.eligible_not_covered"], "person", subject)

    async def when_CoverageRecorded(self, conn, e: CoverageRecorded, r: RecordedEvent) -> None:
        await self._clear(conn, r, ["person.eligible_not_covered"], "person", f"{e.person_id}:{e.cover}")

    async def when_CoverageEnded(self, conn, e: CoverageEnded, r: RecordedEvent) -> None:
        """The cover lapsed: a person still eligible is a gap again, from the day it ended."""
        if await db.eligible(conn, e.person_id, e.cover):
            await self._open(conn, r, "person.eligible_not_covered", "person", f"{e.person_id}:{e.cover}",
                             e.ended_on, Where(e.district, e.village_code), {"cover": e.cover})

    # -- incomes (assessment) ----------------------------------------------------------------

    async def _reported(self, conn, e: CollectiveIncomeReported | FarmerIncomeReported, measure: str,
                        r: RecordedEvent, amount_fen: int) -> None:
        subject = f"{e.village_code}:{measure}:{e.year}"
        if e.flagged:
            await self._open(conn, r, "income.report_flagged", "village", subject, business_day(r.occurred_at),
                             Where(e.district, e.village_code),
                             {"year": e.year, "measure": measure, "amount_fen": amount_fen})
        else:  # reported again, not flagged: the doubt is gone
            await self._clear(conn, r, ["income.report_flagged"], "village", subject)

    async def when_CollectiveIncomeReported(self, conn, e: CollectiveIncomeReported, r: RecordedEvent) -> None:
        await self._reported(conn, e, "collective", r, e.income_fen)
        await self._collective_changed(conn, r, e.village_code, e.district, e.year, e.income_fen)

    async def _collective_changed(self, conn, r: RecordedEvent, code: str, district: str, year: int,
                                  income_fen: int | None) -> None:
        """A year's collective income is now ``income_fen`` (None: it no longer counts). The
        year is judged again, and so is the next one, whose drop is measured against it."""
        await db.set_income(conn, code, year, income_fen)
        await self._judge_year(conn, r, code, district, year)
        if await db.income(conn, code, year + 1) is not None:  # no figure next year: nothing to judge
            await self._judge_year(conn, r, code, district, year + 1)

    async def _judge_year(self, conn, r: RecordedEvent, code: str, district: str, year: int) -> None:
        income_fen = await db.income(conn, code, year)
        on, where, subject = business_day(r.occurred_at), Where(district, code), f"{code}:{year}"
        rules = await self._rules(self.unit_of_work(conn, r), on, ["income.drop", "village.below_target_final_year"])
        previous = await db.income(conn, code, year - 1)
        drop = dropped(rules["income.drop"], previous, income_fen) \
            if previous is not None and income_fen is not None else None
        if drop is not None:
            await self._open(conn, r, "income.drop", "village", subject, on, where,
                             {"year": year, "income_fen": income_fen, "previous_fen": previous or 0,
                              "drop_permille": drop})
        else:  # reported again without the drop, or last year's figure corrected: cleared
            await self._clear(conn, r, ["income.drop"], "village", subject)
        if income_fen is not None and below_target(rules["village.below_target_final_year"], year, income_fen):
            await self._open(conn, r, "village.below_target_final_year", "village", subject, on, where,
                             {"year": year, "income_fen": income_fen})
        else:
            await self._clear(conn, r, ["village.below_target_final_year"], "village", subject)

    async def when_FarmerIncomeReported(self, conn, e: FarmerIncomeReported, r: RecordedEvent) -> None:
        await self._reported(conn, e, "farmer", r, e.per_capita_fen)

    async def when_IncomeReportReviewed(self, conn, e: IncomeReportReviewed, r: RecordedEvent) -> None:
        await self._clear(conn, r, ["income.report_flagged"], "village", f"{e.village_code}:{e.measure}:{e.year}")
        if e.measure == "collective" and not e.accepted:  # rejected: the figure counts no more
            await self._collective_changed(conn, r, e.village_code, e.district, e.year, None)

    # -- villages and teams (registry) -------------------------------------------------------

    async def _without_team(self, conn, r: RecordedEvent, code: str, district: str) -> None:
        """The village's ``village.without_team`` episodes made to agree with its spells (its
        designations less every team's service of it), whatever order they were read in: an
        episode a service read late shows never held ends on its own start; one it shortens
        ends on the service's first day; one the spells show and no row has yet begins."""
        designated, served = await spells.of_village(conn, code)
        held = sorted((u for d in designated for u in uncovered(d, served)), key=lambda u: u.start)
        rows = await db.episodes(conn, "village.without_team", "village", code)
        by_start: dict[date, asyncpg.Record] = {}
        for row in sorted(rows, key=_held):  # a held row wins over a never-held one of the same start
            by_start[row["since"]] = row
        kept = {by_start[u.start]["opened_by"] for u in held if u.start in by_start}
        for row in rows:
            if row["opened_by"] not in kept and _held(row):
                await self._end_episode(conn, r, row, row["since"], r.event_id)
        where = Where(district, code)
        for u in sorted(held, key=lambda u: u.end is None):  # the open one last: one open at a time
            row = by_start.get(u.start)
            if row is None:
                await db.add_episode(conn, "village.without_team", "village", code, u.started_by, u.start, where,
                                     {"since": u.start.isoformat()}, r.global_position or 0, u.end, u.ended_by)
            elif (row["cleared_on"], row["cleared_by"]) != (u.end, u.ended_by):
                await self._end_episode(conn, r, row, u.end, u.ended_by)

    async def _end_episode(self, conn, r: RecordedEvent, row: asyncpg.Record, on: date | None,
                           by: UUID | None) -> None:
        """The episode ends on ``on`` (None: holds on), its alert resolved then."""
        await db.set_episode_end(conn, row, on, by)
        if on is not None and by is not None and row["alert_id"] is not None:
            await self._resolve(conn, r, [row["alert_id"]], on, by)

    async def _served(self, conn, r: RecordedEvent, team_id: str, code: str, district: str, serving: bool) -> None:
        await db.serve(conn, team_id, code, serving)
        if serving:
            await spells.begin_service(conn, team_id, code, business_day(r.occurred_at), r.event_id)
        else:
            await spells.end_service(conn, team_id, code, business_day(r.occurred_at), r.event_id)
        await self._without_team(conn, r, code, district)

    async def when_VillageRegistered(self, conn, e: VillageRegistered, r: RecordedEvent) -> None:
        await db.set_village(conn, e.code, e.district)
        for year, fen in e.income_fen.items():  # the baseline: 2021's drop is measured against 2020
            await db.set_income(conn, e.code, int(year), fen)

    async def when_VillageIncomeCorrected(self, conn, e: VillageIncomeCorrected, r: RecordedEvent) -> None:
        """A baseline year corrected: the next year's drop is judged against the new figure."""
        await self._collective_changed(conn, r, e.code, e.district, int(e.year), e.income_fen)

    async def when_VillageDesignated(self, conn, e: VillageDesignated, r: RecordedEvent) -> None:
        await spells.begin_designation(conn, e.code, business_day(r.occurred_at), r.event_id)
        await self._without_team(conn, r, e.code, e.district)

    async def when_DesignationRevoked(self, conn, e: DesignationRevoked, r: RecordedEvent) -> None:
        await spells.end_designation(conn, e.code, business_day(r.occurred_at), r.event_id)
        await self._without_team(conn, r, e.code, e.district)

    async def when_WorkTeamFormed(self, conn, e: WorkTeamFormed, r: RecordedEvent) -> None:
        await db.add_units(conn, e.team_id, [e.lead_unit_id, *e.partner_unit_ids])
        await db.set_team(conn, e.team_id, e.district)
        await db.set_members(conn, e.team_id, e.member_ids, [], business_day(r.occurred_at))

    async def when_TeamAssigned(self, conn, e: TeamAssigned, r: RecordedEvent) -> None:
        await db.set_team(conn, e.team_id, e.district)
        await db.add_units(conn, e.team_id, [e.lead_unit_id])
        await self._served(conn, r, e.team_id, e.village_code, e.district, True)

    async def when_TeamUnassigned(self, conn, e: TeamUnassigned, r: RecordedEvent) -> None:
        await self._served(conn, r, e.team_id, e.village_code, e.district, False)

    async def when_TeamDissolved(self, conn, e: TeamDissolved, r: RecordedEvent) -> None:
        await db.set_members(conn, e.team_id, [], e.member_ids, e.dissolved_on)
        for code in e.villages:
            await self._served(conn, r, e.team_id, code, e.district, False)

    async def when_TeamRotated(self, conn, e: TeamRotated, r: RecordedEvent) -> None:
        for code in e.joined:
            await self._served(conn, r, e.team_id, code, e.district, True)
        for code in e.left:
            await self._served(conn, r, e.team_id, code, e.district, False)

    # -- cadres' presence (registry) ----------------------------------------------------------

    async def when_TeamMembersChanged(self, conn, e: TeamMembersChanged, r: RecordedEvent) -> None:
        await db.set_members(conn, e.team_id, e.added, e.removed, business_day(r.occurred_at))

    async def when_TeamEnteredVillage(self, conn, e: TeamEnteredVillage, r: RecordedEvent) -> None:
        await db.set_team(conn, e.team_id, None, e.entered_on)

    async def when_LeaveApproved(self, conn, e: LeaveApproved, r: RecordedEvent) -> None:
        await db.set_leave(conn, e.leave_id, e.cadre_id, e.start, e.end, business_day(r.occurred_at))

    async def when_LeaveCancelled(self, conn, e: LeaveCancelled, r: RecordedEvent) -> None:
        await db.set_leave(conn, e.leave_id, e.cadre_id, None, None)

    async def when_CadrePresenceLogged(self, conn, e: CadrePresenceLogged, r: RecordedEvent) -> None:
        """A day recorded after its month closed may lift that month's shortfall."""
        await db.log_presence(conn, e.cadre_id, e.day)
        first, last = month_of(e.day)
        if not await db.is_closed(conn, last):
            return
        uow = self.unit_of_work(conn, r)
        rule = (await self._rules(uow, last, ["cadre.presence_below_requirement"]))["cadre.presence_below_requirement"]
        for row in await db.month_presence(conn, first, last, e.cadre_id):
            if rule is not None and row["present"] >= presence_required(rule, first, last, row["leave_days"]):
                await self._clear(conn, r, ["cadre.presence_below_requirement"], "cadre",
                                  f"{e.cadre_id}:{first:%Y-%m}")

    async def _month_presence(self, conn, uow: UnitOfWork, r: RecordedEvent, rule: RuleChanged | None,
                              day: date) -> None:
        """At a month's last close: every member of an entered team below the month's requirement."""
        if rule is None or not rule.enabled:
            return
        first, last = month_of(day)
        for row in await db.month_presence(conn, first, last):
            required = presence_required(rule, first, last, row["leave_days"])
            if row["present"] >= required:
                continue
            subject = f"{row['cadre_id']}:{first:%Y-%m}"
            figures = {"month": f"{first:%Y-%m}", "present_days": row["present"], "required_days": required,
                       "leave_days": row["leave_days"]}
            await self._open(conn, r, "cadre.presence_below_requirement", "cadre", subject, last,
                             Where(row["district"], None, row["team_id"]), figures, on=day)
            pending = await db.unraised(conn, "cadre.presence_below_requirement", "cadre", subject)
            if pending is not None:
                await raise_alert(uow, pending, rule, day, None, {"since": last.isoformat(), **figures})

    # -- the day's close: time-based rules and escalation ------------------------------------

    async def when_BusinessDayClosed(self, conn, e: BusinessDayClosed, r: RecordedEvent) -> None:
        """Days close in order, one after another (``Calendar``), but each year's are a stream of
        their own, on a partition of their own: a day may be read before the days before it. Those
        are read from the store and judged first, each as itself (its own event), so an alert is
        raised on the day it fell due whatever order the partitions come in; a day read again
        after that is judged already."""
        for earlier in await self._unread_before(conn, e.day):
            await self._day_closed(conn, earlier.decode().day,  # type: ignore[union-attr]
                                   earlier if earlier.global_position else earlier.model_copy(
                                       update={"global_position": r.global_position}))
        await self._day_closed(conn, e.day, r)

    async def _unread_before(self, conn, day: date) -> list[RecordedEvent]:
        """The days closed before ``day`` that this watch has not judged yet, in order: every day
        after the last one judged (or the first ever closed) — the calendar leaves no gap."""
        last = await db.last_closed_before(conn, day)
        if last == day - timedelta(days=1):
            return []
        store, out, year = EventStore(pool=None, source=self.service), [], day.year
        while True:
            events = await store.read_stream(conn, f"{Calendar.stream_prefix}-{year}")
            out += [ev for ev in events if (last is None or ev.payload["day"] > last.isoformat())
                    and ev.payload["day"] < day.isoformat()]
            if not events or (last is not None and year <= last.year):
                return sorted(out, key=lambda ev: ev.payload["day"])
            year -= 1

    async def _day_closed(self, conn, day: date, r: RecordedEvent) -> None:
        if await db.is_closed(conn, day):
            return
        await db.close_day(conn, day)
        uow = self.unit_of_work(conn, r)
        versions = await self._rule_versions(uow, sorted(CATALOGUE))
        rules = {rid: in_force(v, day) for rid, v in versions.items()}
        for row in await db.held_at(conn, TIMED, day):
            rule = rules[row["rule_id"]]
            if is_due(rule, row["since"], day):
                figures = {**_figures(row), "days": (day - row["since"]).days}
                await raise_alert(uow, row, rule, day, None, figures)  # type: ignore[arg-type]
        if is_month_end(day):
            await self._month_presence(conn, uow, r, rules["cadre.presence_below_requirement"], day)
            await self._quarter_spending(conn, uow, r, rules["district.spend_behind_plan"], day)
        new_version = [rid for rid, v in versions.items()
                       if _version(in_force(v, day)) != _version(in_force(v, day - timedelta(days=1)))]
        await self._escalate(uow, rules, day, new_version)

    async def _escalate(self, uow: UnitOfWork, rules: dict[str, RuleChanged | None], day: date,
                        new_version: list[str]) -> None:
        """Escalate what is due on ``day``, not every open alert: an alert's level moves only
        when its business days open reach the next multiple of its rule's
        ``escalate_after_days`` — that day is kept (``escalates_on``) — or when another version
        of its rule takes effect (``new_version``: its alerts are looked at that day). At its
        rule's ``escalate_at_most`` an alert has no next day ('infinity') until a version that
        raises the ceiling takes effect; one that lowers it below a level reached records
        nothing (levels never go down). An acknowledgement or resolution is found when the
        alert is next looked at; it is never escalated after either (``Alert.escalate``)."""
        rows = await db.escalations_due(uow.conn, day, new_version)
        if not rows:
            return
        alerts = await uow.load_many(Alert, [r["alert_id"] for r in rows])
        next_days, settled, changed = [], [], []
        for row in rows:
            alert, rule = alerts[row["alert_id"]], rules[row["rule_id"]]
            if not alert.open or alert.acknowledged:
                next_days.append(date.max)
                settled.append(True)
                continue
            settled.append(False)
            if rule is None or not rule.escalate_after_days:
                next_days.append(date.max)
                continue
            every, open_days = rule.escalate_after_days, row["open_days"]
            level = escalation_level(open_days, every, rule.escalate_at_most)
            if alert.escalate(level, list(rule.escalate_to), day):
                changed.append(alert)
            if alert.level >= rule.escalate_at_most:
                next_days.append(date.max)
                continue
            # One more day open for each day closed from here: the next level's day.
            next_days.append(day + timedelta(days=every * (level + 1) - open_days))
        await db.set_escalations(uow.conn, rows, next_days, settled)
        if changed:
            await uow.save_all(changed)


def _held(row: asyncpg.Record) -> bool:
    """Whether the episode held at the end of any day (one that ended on its first never did)."""
    return row["cleared_on"] is None or row["cleared_on"] > row["since"]


def _figures(row: asyncpg.Record) -> dict:
    return dict(row["figures"])


def _when(r: RecordedEvent) -> tuple[date, UUID, int]:
    """A fact's business day, event id and position: when a plan or spending moved, and by what."""
    return business_day(r.occurred_at), r.event_id, r.global_position or 0
