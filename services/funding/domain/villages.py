"""What the funding service knows of a village: its copy of registry's register."""

from __future__ import annotations

from dataclasses import dataclass

from shared.eventstore.errors import Conflict, DomainError


@dataclass(frozen=True)
class VillageInfo:
    code: str
    name: str
    district: str
    village_type: str
    designated: bool


def ensure_fundable(village: VillageInfo | None, code: str) -> VillageInfo:
    """Programme money goes only to villages registry has designated and not revoked."""
    if village is None:
        raise DomainError(
            f"村 {code} 未登记（或登记尚未同步）/ village {code} is not in the register (or not yet synchronised)",
            field="village_code",
        )
    if not village.designated:
        raise DomainError(
            f"村 {code}（{village.name}）不是经济薄弱村，不能分配扶持资金 / village {code} is not a designated "
            "economically weak village and cannot receive programme allocations",
            field="village_code",
        )
    return village


def ensure_not_revoked(code: str, designated: bool | None, revocation_reason: str | None) -> None:
    """A village that left the list takes no new money (409: the state, not the input, is at fault)."""
    if designated is False:
        why = f"（{revocation_reason}）" if revocation_reason else ""
        why_en = f" ({revocation_reason})" if revocation_reason else ""
        raise Conflict(
            f"村 {code} 已撤销经济薄弱村认定{why}，不能再分配扶持资金 / village {code} is no longer designated{why_en} "
            "and takes no new programme allocations",
            field="village_code", revocation_reason=revocation_reason,
        )
