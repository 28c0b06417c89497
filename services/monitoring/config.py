"""The monitoring service's own settings beside ``shared.config`` (port 8005 there)."""

from __future__ import annotations

from datetime import date

SERVICE = "monitoring"
# Version 1 of every rule applies from the programme's first day, so a replay of 2021–2024
# is judged by the same catalogue as the live system.
PROGRAMME_START = date(2021, 1, 1)
# Alerts listed per page at most (GET /alerts), and rows in one export.
MAX_PAGE = 500
MAX_EXPORT_ROWS = 50_000
