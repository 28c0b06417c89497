"""schemathesis over every operation of the four running services' OpenAPI documents.

Requests are generated from each schema — valid ones and deliberately invalid ones, with the
boundary cases of schemathesis's coverage phase — and sent with the token of a role the
permission table admits, so they reach the handlers. Every answer must: never be a 5xx;
have a status code the document declares, with a body matching the declared schema and
content type; and an invalid request must be refused with a 4xx.

Strings are generated with NUL characters too (``allow-x00``): a NUL anywhere must be a 4xx,
never a 500 — PostgreSQL refuses it in text, and a handler that let one through would fail
there. Then a stateful phase per service: sequences of calls where a read or a later write
takes the id an earlier create answered (links inferred from the schemas by schemathesis'
dependency analysis), so the reads of things that exist are fuzzed too, not only their 404s.

Budget: a few generated examples per operation and per mode, no shrinking (a failure is
reported as found), so the four services take well under two minutes on two cores; the
stateful phase a few short sequences per service (``XINGCUN_FUZZ_SEQUENCES``). The seed
is fixed so that CI is repeatable; to explore, set ``XINGCUN_FUZZ_SEED`` (any integer, or
``random``) and ``XINGCUN_FUZZ_EXAMPLES`` (e.g. 50).
"""

from __future__ import annotations

import os
import random
import zlib

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from shared.config import SERVICES
from shared.http.auth import Principal, Role, issue_token
from tests.e2e.reliability.permissions import ANYONE, CITY, PERMISSIONS, SCOPES

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]
SEED = os.environ.get("XINGCUN_FUZZ_SEED", "20211")
CONFIG = {
    "seed": random.getrandbits(64) if SEED == "random" else int(SEED),
    # The token is the test's to give (the permission matrix tries the others); unknown query
    # parameters are ignored by design, so they are not generated as "invalid".
    "generation": {"mode": "all", "max-examples": int(os.environ.get("XINGCUN_FUZZ_EXAMPLES", "4")), "no-shrink": True,
                   "allow-x00": True, "with-security-parameters": False, "allow-extra-parameters": False,
                   "database": "none"},  # the seed alone decides what is sent
    "phases": {"stateful": {"enabled": False}},
    "request-timeout": 20,
    # The live feed: its first message is enough, and a client resuming after the newest
    # change is sent nothing until something changes — stop listening after half a second.
    "max-stream-events": 1,
    "operations": [{"include-path": "/stats/feed", "request-timeout": 0.5},
                   {"include-path": "/alerts/stream", "request-timeout": 0.5}],
}


@pytest.fixture(scope="module", params=SERVICES)
def api(request, stack):
    service = request.param
    print(f"schemathesis seed {CONFIG['seed']}")  # shown with a failure, to replay it
    schema = schemathesis.openapi.from_url(stack.url(service) + "/openapi.json",
                                           config=schemathesis.Config.from_dict(CONFIG))
    schema.service = service
    return schema


schema = schemathesis.pytest.from_fixture("api")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    """schemathesis 4.32's fixture-loaded tests read ``item._nodeid``, which pytest 9 no longer has."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


def caller(service: str, case, settings) -> dict[str, str]:
    """A token of a role the table lets through, picked from the case itself so that a
    replayed case is sent with the same role. A method the path does not have (schemathesis
    probes for 405s) is sent by the city office."""
    roles = PERMISSIONS[service].get(f"{case.method.upper()} {case.path}", CITY)
    if roles == ANYONE:
        return {}
    ordered = sorted(roles)
    role = Role(ordered[zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode()) % len(ordered)])
    principal = Principal(subject=f"fuzz-{role.value}", role=role, **SCOPES.get(role, {}))
    return {"Authorization": f"Bearer {issue_token(settings, principal)}"}


@schema.parametrize()
def test_every_operation_answers_as_documented(case, api, settings):
    case.call_and_validate(headers=caller(api.service, case, settings), checks=CHECKS)


SEQUENCES = int(os.environ.get("XINGCUN_FUZZ_SEQUENCES", "4"))


@pytest.mark.parametrize("service", SERVICES)
def test_sequences_of_creates_and_reads_answer_as_documented(service, stack, settings):
    """The stateful phase: a create's answer feeds the reads and writes that name what it made."""
    config = CONFIG | {"phases": {"stateful": {"enabled": True}}}  # the links are inferred for this phase only
    loaded = schemathesis.openapi.from_url(stack.url(service) + "/openapi.json",
                                           config=schemathesis.Config.from_dict(config))
    machine = loaded.as_state_machine()
    assert machine.bundles, f"{service}: no links between operations, nothing to chain"

    class Sequences(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case):
            return {"headers": caller(service, case, settings)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Sequences.run(settings=hypothesis.settings(
        max_examples=SEQUENCES, stateful_step_count=5, deadline=None, database=None, derandomize=SEED != "random",
        suppress_health_check=list(hypothesis.HealthCheck), phases=[hypothesis.Phase.generate]))


def test_no_request_failed_inside_a_service(stack):
    """What a client cannot see — a stream that broke after its first bytes, an error after
    the answer was sent — shows in the API's log."""
    failed = {service: stack.log_path(f"{service}-api").read_text().count("Exception in ASGI application")
              for service in SERVICES}
    assert failed == dict.fromkeys(SERVICES, 0)
