"""A stand-in for the event store behind the command runner, for tests of what the runner
hands over (the metadata from the headers, the idempotency key, the fingerprint's body)."""

from __future__ import annotations

from shared.eventstore.store import CommandResult


class EchoStore:
    """Answers every command with what the runner handed the store; runs no handler."""

    async def execute(self, command, body, meta, handler, idempotency_key=None) -> CommandResult:
        return CommandResult({"meta": meta.model_dump(mode="json"), "key": idempotency_key, "body": body}, False)
