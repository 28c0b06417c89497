"""Who did something, as the events record it (``role:subject``), and the four-eyes rule."""

from __future__ import annotations

from shared.eventstore.errors import Forbidden


def subject_of(actor: str | None) -> str | None:
    return actor.split(":", 1)[-1] if actor else None


def ensure_other_person(actor: str, earlier: str | None, what_zh: str, what_en: str, field: str | None = None) -> None:
    """The one who checks is never the one who did it (under any role)."""
    if earlier is not None and subject_of(actor) == subject_of(earlier):
        raise Forbidden(f"{what_zh}不能由本人办理 / {what_en} must be done by someone else than {earlier}", field=field)
