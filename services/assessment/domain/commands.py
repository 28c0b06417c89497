"""Commands that have no body of their own, or share one, given a type each so that the
service's ``COMMANDS`` map (command type → handler) names every one of them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.assessment.domain.projects import CancelWithReason
from services.assessment.domain.values import Sha256


class VerifyMilestone(BaseModel):
    """节点验收通过 / verify a milestone: nothing to say but the path (any body is ignored, as before)."""


class AcceptRectification(BaseModel):
    """整改验收 / accept a rectification: nothing to say but the path (any body is ignored, as before)."""


class CancelProject(CancelWithReason):
    """撤销项目 / cancel a project, with the reason."""


class CancelMilestone(CancelWithReason):
    """撤销节点 / cancel a milestone, with the reason."""


class ReportMilestoneFiles(BaseModel):
    """填报节点并上传佐证文件 / a milestone report whose evidence came as files: the text and the
    files' hashes (the files themselves travel beside the command, not in it)."""

    model_config = ConfigDict(extra="forbid")

    evidence_text: str = Field(min_length=2, max_length=5000)
    files: list[Sha256] = Field(description="上传文件的 SHA-256 / the uploaded files' hashes")
