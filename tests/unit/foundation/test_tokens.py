"""Bearer tokens: a verified token is remembered, but never past its expiry or under another key."""

from __future__ import annotations

import time

import jwt
import pytest

from shared.config import Settings
from shared.http.auth import Principal, Role, issue_token, verify_token


def settings(secret: str) -> Settings:
    return Settings(jwt_secret=secret)


def test_a_remembered_token_still_expires():
    s = settings("s" * 40)
    token = issue_token(s, Principal(subject="a", role=Role.unit, unit="U1"), ttl_seconds=1)
    assert verify_token(s, token).unit == "U1"
    assert verify_token(s, token).unit == "U1"  # from memory
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    time.sleep(max(0.0, expires - time.time()) + 0.01)  # at most a second: exp has whole seconds
    with pytest.raises(jwt.ExpiredSignatureError):
        verify_token(s, token)


def test_a_token_verified_under_one_key_is_not_accepted_under_another():
    token = issue_token(settings("a" * 40), Principal(subject="a", role=Role.city_office))
    verify_token(settings("a" * 40), token)
    with pytest.raises(jwt.InvalidSignatureError):
        verify_token(settings("b" * 40), token)


def test_a_tampered_token_is_refused_even_when_the_original_is_remembered():
    s = settings("c" * 40)
    token = issue_token(s, Principal(subject="a", role=Role.public))
    verify_token(s, token)
    head, body, signature = token.split(".")
    forged = jwt.encode({"subject": "a", "role": "city_office", "exp": int(time.time()) + 60}, "x" * 40)
    with pytest.raises(jwt.InvalidSignatureError):
        verify_token(s, f"{forged.split('.')[0]}.{forged.split('.')[1]}.{signature}")
