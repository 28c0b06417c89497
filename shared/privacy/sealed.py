"""The value an event carries in place of a person's data, and what reads show once erased."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ERASED = "已删除 / erased"
A256GCM = "A256GCM"
# Events recorded before personal data was sealed hold it in clear; their upcasters wrap it
# as ``alg="none"`` so every reader takes the one path (and an erasure hides it too).
CLEAR = "none"


class Sealed(BaseModel):
    """个人数据密文 / personal data, encrypted with one person's data key (crypto-shredding).

    Only the owning service holds the key and opens the value; once the key is destroyed
    (the person's data erased) nobody can.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(description="数据密钥归属（化名，即此人的事件流）/ whose data key: the person's stream id, pseudonymous")
    alg: Literal["A256GCM", "none"] = Field(
        A256GCM, description="A256GCM（AES-256-GCM）；none 仅见于加密前的旧版本事件经升级而来 / "
                             "`none` only when upcast from an older version that recorded the value in clear")
    nonce: str = Field("", description="随机数（base64url）/ the 96-bit nonce, base64url")
    data: str = Field(description="密文含认证标签（base64url）/ ciphertext with its tag, base64url")

    @classmethod
    def clear(cls, key: str, text: str) -> Sealed:
        """A value an old event recorded in clear (for upcasters only; never written)."""
        return cls(key=key, alg=CLEAR, data=text)
