"""A minimal server-sent-events reader over httpx, for the feed tests."""

from __future__ import annotations

import json
import time

import httpx


class FeedReader:
    def __init__(self, url: str, last_event_id: int | None = None, timeout: float = 20):
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.client = httpx.Client(timeout=httpx.Timeout(timeout, read=timeout))
        self.response = self.client.send(self.client.build_request("GET", url, headers=headers), stream=True)
        assert self.response.status_code == 200, self.response.read()
        self.lines = self.response.iter_lines()

    def next(self) -> dict:
        """The next message: {"id": int, "event": str, "data": dict}; pings are skipped."""
        message: dict = {}
        for line in self.lines:
            if not line:
                if "data" in message:
                    return message
                message = {}
                continue
            if line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "id":
                message["id"] = int(value)
            elif field == "event":
                message["event"] = value
            elif field == "data":
                message["data"] = json.loads(value)
        raise EOFError("feed closed")

    def until(self, done, timeout: float = 20) -> list[dict]:
        deadline, seen = time.monotonic() + timeout, []
        while time.monotonic() < deadline:
            seen.append(self.next())
            if done(seen):
                return seen
        raise AssertionError(f"feed never satisfied the condition; saw {seen}")

    def close(self) -> None:
        self.response.close()
        self.client.close()
