"""Tokens (issue 18, item 6): issuer and audience checked when configured, a maximum lifetime,
keys from a JWKS URL that rotate (a real HTTP server on 127.0.0.1) or a static key, and
production refusing to start without a key rather than inventing a secret."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter

from shared.config import Settings
from shared.http.auth import KeyNotConfigured, Principal, Role, check_token_keys, issue_token, verify_token


def _rsa():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(private, kid: str) -> dict:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return jwk | {"kid": kid, "use": "sig", "alg": "RS256"}


def _sign(private, kid: str | None = None, ttl: int = 600, **claims) -> str:
    now = int(time.time())
    body = {"subject": "s", "role": "city_office", "iat": now, "exp": now + ttl} | claims
    return jwt.encode(body, private, algorithm="RS256", headers={"kid": kid} if kid else None)


class JwksServer:
    """A JWKS endpoint on 127.0.0.1 whose key set the test can rotate; counts its fetches."""

    def __init__(self):
        self.keys: list[dict] = []
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                outer.fetches += 1
                body = json.dumps({"keys": outer.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def jwks():
    server = JwksServer()
    yield server
    server.close()


def test_keys_come_from_a_jwks_url_and_a_rotated_key_is_fetched(jwks):
    old, new = _rsa(), _rsa()
    jwks.keys = [_jwk(old, "k1")]
    s = Settings(jwt_jwks_url=jwks.url, jwt_jwks_cache_seconds=300, jwt_jwks_cooldown_seconds=0.3)
    assert verify_token(s, _sign(old, "k1", subject="a")).subject == "a"
    assert verify_token(s, _sign(old, "k1", subject="a2")).subject == "a2"
    assert jwks.fetches == 1  # the key set is cached
    # Rotation: the issuer publishes k2 and signs with it. Within the cooldown an unknown kid
    # fetches nothing (made-up kids cannot make each request fetch); after it, one fetch.
    jwks.keys = [_jwk(new, "k2")]
    with pytest.raises(jwt.PyJWKClientError):
        verify_token(s, _sign(new, "k2", subject="b"))
    assert jwks.fetches == 1
    time.sleep(0.35)
    assert verify_token(s, _sign(new, "k2", subject="b")).subject == "b"
    assert jwks.fetches == 2
    time.sleep(0.35)
    with pytest.raises(jwt.PyJWTError):  # a key nobody published
        verify_token(s, _sign(_rsa(), "k3"))
    with pytest.raises(jwt.PyJWTError):  # an HS256 token signed with some secret is not accepted
        verify_token(s, jwt.encode({"subject": "x", "role": "city_office", "iat": int(time.time()),
                                    "exp": int(time.time()) + 60}, "x" * 40, algorithm="HS256",
                                   headers={"kid": "k2"}))


def test_a_static_public_key(jwks):
    private = _rsa()
    pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    s = Settings(jwt_public_key=pem)
    assert verify_token(s, _sign(private, subject="c")).subject == "c"
    with pytest.raises(jwt.InvalidSignatureError):
        verify_token(s, _sign(_rsa()))


def test_issuer_and_audience_are_checked_when_configured(jwks):
    key = _rsa()
    jwks.keys = [_jwk(key, "k1")]
    s = Settings(jwt_jwks_url=jwks.url, jwt_issuer="https://id.tj.gov.cn", jwt_audience="xingcun")
    good = {"iss": "https://id.tj.gov.cn", "aud": "xingcun"}
    assert verify_token(s, _sign(key, "k1", subject="ok", **good)).subject == "ok"
    with pytest.raises(jwt.InvalidIssuerError):
        verify_token(s, _sign(key, "k1", **(good | {"iss": "https://elsewhere"})))
    with pytest.raises(jwt.InvalidAudienceError):
        verify_token(s, _sign(key, "k1", **(good | {"aud": "another-system"})))
    with pytest.raises(jwt.MissingRequiredClaimError):
        verify_token(s, _sign(key, "k1", aud="xingcun"))  # no issuer at all


def test_development_tokens_name_the_configured_issuer_and_audience():
    s = Settings(jwt_secret="d" * 40, jwt_issuer="xingcun-dev", jwt_audience="xingcun")
    token = issue_token(s, Principal(subject="a", role=Role.city_office))
    assert verify_token(s, token).subject == "a"
    other = Settings(jwt_secret="d" * 40, jwt_issuer="xingcun-dev", jwt_audience="someone-else")
    with pytest.raises(jwt.InvalidAudienceError):
        verify_token(other, token)


def test_a_token_longer_lived_than_the_maximum_is_refused():
    s = Settings(jwt_secret="e" * 40, jwt_max_ttl_seconds=3600)
    assert verify_token(s, issue_token(s, Principal(subject="a", role=Role.city_office), ttl_seconds=3600))
    with pytest.raises(jwt.InvalidTokenError, match="lifetime"):
        verify_token(s, issue_token(s, Principal(subject="b", role=Role.city_office), ttl_seconds=3601))
    no_iat = jwt.encode({"subject": "c", "role": "city_office", "exp": int(time.time()) + 60}, "e" * 40)
    with pytest.raises(jwt.MissingRequiredClaimError):
        verify_token(s, no_iat)


def test_production_refuses_to_start_without_a_key(tmp_path):
    from shared.http.app import create_service_app

    from services.registry.adapters.schema import CHAIN

    # No key from the environment either (the test session sets a secret for the services).
    s = Settings(env="production", state_dir=tmp_path, jwt_secret=None, jwt_public_key=None, jwt_jwks_url=None)
    with pytest.raises(KeyNotConfigured):
        check_token_keys(s)
    with pytest.raises(KeyNotConfigured):
        create_service_app("registry", title="t", description="d", routers=[APIRouter()], migrations=CHAIN, settings=s)
    with pytest.raises(KeyNotConfigured):  # nor is a secret invented for a token
        issue_token(s, Principal(subject="a", role=Role.city_office))
    assert not (tmp_path / "jwt-secret").exists()
    check_token_keys(Settings(env="production", jwt_jwks_url="https://id.example/jwks.json"))
    check_token_keys(Settings(env="development", state_dir=tmp_path, jwt_secret=None))  # development may invent one


async def test_over_http_a_jwks_token_is_verified_off_the_loop_and_an_unreachable_provider_is_a_503(jwks, monkeypatch):
    import httpx
    from fastapi import Depends, FastAPI

    from shared.config import get_settings
    from shared.http.auth import current_principal
    from shared.http.errors import install_error_handlers

    key = _rsa()
    jwks.keys = [_jwk(key, "k1")]
    monkeypatch.setenv("XINGCUN_JWT_JWKS_URL", jwks.url)
    monkeypatch.setenv("XINGCUN_JWT_JWKS_COOLDOWN_SECONDS", "0")
    get_settings.cache_clear()
    app = FastAPI()

    @app.get("/me")
    async def me(principal: Principal = Depends(current_principal)) -> dict:
        return {"subject": principal.subject}

    install_error_handlers(app)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            ok = await client.get("/me", headers={"Authorization": f"Bearer {_sign(key, 'k1', subject='j')}"})
            assert ok.status_code == 200 and ok.json() == {"subject": "j"}
            jwks.close()  # the identity provider goes away; a token with a new kid needs it
            away = await client.get("/me", headers={"Authorization": f"Bearer {_sign(_rsa(), 'k9')}"})
            assert away.status_code == 503 and away.headers["Retry-After"], away.text
    finally:
        get_settings.cache_clear()
