"""The envelope read without a validation pass when a record has exactly the form ``encode``
writes; any other record (a foreign one, an older writer's, a broken one) goes through
pydantic's full validation, which accepts or refuses it as it always did.

A rebuild decodes every record of the log, and these were validated when they were
appended: here orjson parses the record and the typed fields are converted directly — the
same values pydantic would give (a test holds both decoders to equality on every event of
the scenario), a quarter less time. The payload stays a dict, as in the model; its contract
model is still validated and upcast when a projection reads it (``RecordedEvent.decode``).
"""

from __future__ import annotations

from datetime import datetime

import orjson
from asyncpg.pgproto.pgproto import UUID  # a uuid.UUID, parsed in C (asyncpg returns these from uuid columns)

from shared.eventstore.envelope import RecordedEvent

FIELDS = frozenset(RecordedEvent.model_fields)
_set = object.__setattr__  # the model is frozen; pydantic's model_construct sets these the same way


def decode(value: bytes) -> RecordedEvent:
    try:
        fields = orjson.loads(value)
    except orjson.JSONDecodeError:
        fields = None
    event = as_written(fields) if type(fields) is dict else None
    return event if event is not None else RecordedEvent.model_validate_json(value)


def as_written(fields: dict) -> RecordedEvent | None:
    """The envelope of ``fields`` (an ``encode``d record's JSON), or None when any field is not
    in the form ``encode`` writes."""
    if fields.keys() != FIELDS:
        return None
    position, causation, chain_hash = fields["global_position"], fields["causation_id"], fields["chain_hash"]
    if not (type(fields["type"]) is str and type(fields["source"]) is str and type(fields["stream_id"]) is str
            and type(fields["actor"]) is str and type(fields["schema_version"]) is int
            and type(fields["stream_version"]) is int and type(fields["payload"]) is dict
            and (position is None or type(position) is int) and (chain_hash is None or type(chain_hash) is str)):
        return None
    event_id, correlation = _uuid(fields["event_id"]), _uuid(fields["correlation_id"])
    # An event recorded when it happened (most are) carries one instant twice: parsed once.
    occurred_text, recorded_text = fields["occurred_at"], fields["recorded_at"]
    occurred = _instant(occurred_text)
    recorded = occurred if recorded_text == occurred_text else _instant(recorded_text)
    if event_id is None or correlation is None or occurred is None or recorded is None:
        return None
    if causation is not None and (causation := _uuid(causation)) is None:
        return None
    fields.update(event_id=event_id, correlation_id=correlation, causation_id=causation, occurred_at=occurred,
                  recorded_at=recorded)
    event = RecordedEvent.__new__(RecordedEvent)
    _set(event, "__dict__", fields)
    _set(event, "__pydantic_fields_set__", set(FIELDS))
    _set(event, "__pydantic_extra__", None)
    _set(event, "__pydantic_private__", None)
    return event


def _uuid(text: object) -> UUID | None:
    # The canonical 8-4-4-4-12 form only: asyncpg's parser is laxer about dashes than pydantic's.
    if type(text) is not str or len(text) != 36 or not text[8] == text[13] == text[18] == text[23] == "-":
        return None
    try:
        return UUID(text)
    except ValueError:
        return None


def _instant(text: object) -> datetime | None:
    # pydantic writes YYYY-MM-DDTHH:MM:SS[.ffffff] then Z or ±HH:MM; fromisoformat reads that form
    # as pydantic does (and more, which is why the shape is checked first).
    if type(text) is not str or not 20 <= len(text) <= 32 or text[10] != "T" or text[4] != "-" or text[7] != "-" \
            or text[13] != ":" or text[16] != ":" or text[19] not in ".Z+-" or not (text[-1] == "Z" or text[-6] in "+-"):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
