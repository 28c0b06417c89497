"""Situations supervision must notice (issue 16, item 7), drawn from a stream of their own so
no other stage's numbers move: a few approvals that wait beyond the fortnight, a few approved
payments left unpaid beyond ten days, and a few cadre-months without a single check-in
(absences). The reference of what monitoring should then say is ``scenario/alerts.py``."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from scenario import calendar
from scenario.model import CheckIn, Disbursement

LATE_APPROVAL = 0.04  # share of paid disbursements whose approval waited 15–40 days
LATE_PAYMENT = 0.03  # share whose payment waited 11–30 days after the approval
ABSENT = 0.02  # share of cadre-months with no check-in at all


def _voucher(d: Disbursement, paid) -> str | None:
    return d.voucher_no and f"PZ{paid:%Y%m%d}-{d.voucher_no.rsplit('-', 1)[-1]}"


def late_decisions(rng: random.Random, disbursements: list[Disbursement]) -> list[Disbursement]:
    """Delays only what nothing else follows (paid, never reversed): the tranche's story is the same, later."""
    out = []
    for d in disbursements:
        roll = rng.random()
        if d.paid_on is None or d.reversed_on is not None or d.approved_on is None:
            out.append(d)
            continue
        wait = timedelta(days=rng.randint(15, 40) - (d.approved_on - d.requested_on).days) \
            if roll < LATE_APPROVAL else timedelta(0)
        unpaid = timedelta(days=rng.randint(11, 30) - (d.paid_on - d.approved_on).days) \
            if LATE_APPROVAL <= roll < LATE_APPROVAL + LATE_PAYMENT else timedelta(0)
        paid = d.paid_on + wait + unpaid
        if paid > calendar.END or not (wait or unpaid):
            out.append(d)
            continue
        out.append(replace(d, approved_on=d.approved_on + wait, paid_on=paid, voucher_no=_voucher(d, paid)))
    return out


def absences(rng: random.Random, check_ins: list[CheckIn]) -> list[CheckIn]:
    """Drops every check-in of a few (cadre, month) pairs."""
    months = sorted({(c.cadre_id, c.day.year, c.day.month) for c in check_ins})
    absent = {m for m in months if rng.random() < ABSENT}
    return [c for c in check_ins if (c.cadre_id, c.day.year, c.day.month) not in absent]
