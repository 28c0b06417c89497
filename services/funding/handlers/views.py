"""What a command answers: the figures after the change, in yuan."""

from __future__ import annotations

from services.funding.domain.limits import AllocationFigures, LineFigures
from shared.money import yuan


def line_view(line: LineFigures) -> dict:
    return {
        "line_id": line.line_id,
        "scope": line.scope,
        "appropriated": yuan(line.appropriated_fen),
        "allocated": yuan(line.allocated_fen),
        "paid": yuan(line.paid_fen),
        "unallocated": yuan(line.unallocated_fen),
    }


def allocation_view(alloc: AllocationFigures) -> dict:
    return {
        "allocation_id": alloc.allocation_id,
        "allocated": yuan(alloc.amount_fen),
        "released": yuan(alloc.released_fen),
        "committed": yuan(alloc.committed_fen),
        "paid": yuan(alloc.paid_fen),
        "available": yuan(alloc.payable_fen),
        "cancelled": alloc.cancelled,
    }
