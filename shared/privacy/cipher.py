"""Sealing and opening personal data with a person's data key (AES-256-GCM)."""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.privacy.sealed import A256GCM, CLEAR, ERASED, Sealed

NONCE_BYTES = 12  # GCM's 96-bit nonce; random per value (2^-32 collision risk only after ~2^32 values of one key)


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(data_key: bytes, subject: str, text: str) -> Sealed:
    """``text`` encrypted under ``data_key``; the subject is bound as associated data, so a
    value cannot be passed off as another person's."""
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(data_key).encrypt(nonce, text.encode("utf-8"), subject.encode("utf-8"))
    return Sealed(key=subject, alg=A256GCM, nonce=_b64(nonce), data=_b64(ciphertext))


def unseal(data_key: bytes, sealed: Sealed) -> str:
    return AESGCM(data_key).decrypt(_unb64(sealed.nonce), _unb64(sealed.data), sealed.key.encode("utf-8")).decode("utf-8")


@dataclass(frozen=True)
class Sealer:
    """Seals values of one person (what a command hands the domain)."""

    subject: str
    data_key: bytes

    def __call__(self, text: str) -> Sealed:
        return seal(self.data_key, self.subject, text)


@dataclass(frozen=True)
class Opener:
    """Opens values with the keys the caller looked up: ``None`` for an erased person."""

    keys: Mapping[str, bytes | None]

    def __call__(self, sealed: Sealed | None) -> str | None:
        if sealed is None:
            return None
        key = self.keys.get(sealed.key)
        if key is None:  # erased, or a key this database never had
            return ERASED
        if sealed.alg == CLEAR:
            return sealed.data
        try:
            return unseal(key, sealed)
        except InvalidTag:  # altered, or sealed under another key: never show a guess
            return ERASED

    def erased(self, subject: str) -> bool:
        return self.keys.get(subject) is None
