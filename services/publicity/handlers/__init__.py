"""Publicity's service layer: one function per command, each in one unit of work, and
``COMMANDS``, the map from command type to handler that the routes' runner dispatches on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pydantic import BaseModel

from services.publicity.domain.commands import (
    DraftReport,
    PublishNotice,
    PublishReport,
    ReturnReport,
    ReviseReport,
    SubmitReport,
    UploadImage,
)
from services.publicity.handlers.images import upload_image
from services.publicity.handlers.notices import publish_notice
from services.publicity.handlers.reports import draft_report, publish_report, return_report, revise_report, submit_report

COMMANDS: dict[type[BaseModel], Callable[..., Awaitable[dict]]] = {
    PublishNotice: publish_notice,
    DraftReport: draft_report,
    ReviseReport: revise_report,
    SubmitReport: submit_report,
    ReturnReport: return_report,
    PublishReport: publish_report,
    UploadImage: upload_image,
}
