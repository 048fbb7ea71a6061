"""Schemathesis over every operation of the OpenAPI schema, one by one and chained by links.

Checks on every response: no server error, the body matches the documented schema, the
content type is the documented one. Runs are derandomized (the same cases every run), against
the real app and its own real database (tests/api/conftest.py), with valid tokens of real roles.

The stateless pass gives each operation SIAGA_FUZZ_EXAMPLES cases as an administrator. The
stateful passes let schemathesis chain operations through the links it infers from the
schema (a listed incident's id into GET /api/incidents/{incident_id}/duplicates, a unit's id
into PATCH then GET /api/units), SIAGA_FUZZ_SCENARIOS scenarios per role: the two defects
found by fuzzing in issue 16 need stored rows, which only a chain reaches.
"""

from __future__ import annotations

import functools
import os

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.api.conftest import FuzzWorld, scenario
from tests.conftest import wait_until

EXAMPLES = int(os.environ.get("SIAGA_FUZZ_EXAMPLES", "4"))
SCENARIOS = int(os.environ.get("SIAGA_FUZZ_SCENARIOS", "12"))
# Unset: derandomized (the same cases every run). A number: other cases, drawn from that seed
# (scripts/fuzz_proof.sh measures over several seeds how surely the defects are found).
SEED = os.environ.get("SIAGA_FUZZ_SEED")
REQUEST_TIMEOUT_S = 120
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# The live stream never ends by design: tests/security/test_policy.py opens and closes it.
ENDLESS = "/api/live/units"


@functools.cache
def _schema_of(world: FuzzWorld, mode: str):  # noqa: ANN202
    # A first PDF (WeasyPrint loading its fonts) on a loaded CI machine outlasts the default 10 s.
    config = schemathesis.Config.from_dict(
        {"generation": {"mode": mode}, "request-timeout": REQUEST_TIMEOUT_S}
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.app, config=config)
    return schema.exclude(path=ENDLESS)


def _schema(world: FuzzWorld, *, mode: str = "all"):  # noqa: ANN202
    """The app's schema, loaded once per mode (its lifespan runs: fuzz_world holds it open)."""
    return _schema_of(world, mode)


def _healthy(world: FuzzWorld) -> None:
    """/health answers 503 until the broker link is up: wait, then fuzz it like the rest."""
    from fastapi.testclient import TestClient

    with TestClient(world.app) as client:
        wait_until(lambda: client.get("/health").status_code == 200, 15, message="health")


def _seeded(test):  # noqa: ANN001, ANN202
    return hypothesis.seed(int(SEED))(test) if SEED else test


def _fuzz_operation(operation, world: FuzzWorld, headers: dict[str, str]) -> None:  # noqa: ANN001
    @_seeded
    @given(case=operation.as_strategy())
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not SEED,
        database=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:  # noqa: ANN001
        with scenario(world):
            case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_every_operation_one_by_one(fuzz_world: FuzzWorld) -> None:
    _healthy(fuzz_world)
    operations = [result.ok() for result in _schema(fuzz_world).get_all_operations()]
    assert len(operations) > 100
    failures = []
    for operation in operations:
        try:
            _fuzz_operation(operation, fuzz_world, fuzz_world.headers["admin"])
        except BaseException as exc:  # noqa: BLE001 - hypothesis raises exception groups
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)


# Operations chained per domain: one machine over all operations spreads its steps so thin
# that a chain of three (list, change, read back) is rarely drawn. Together the domains cover
# every operation; each runs as the desk role that works there and as an administrator.
DOMAINS = {
    "units": r"^/api/(units|ingest|me/)",
    "incidents": r"^/api/(incidents|callers|console|coverage|bantuan|calls)",
    "spkt": r"^/(api/)?(spkt|sp2hp)",
    "piket": r"^/api/(piket|forwards|reports|incidents/[^/]+/(orders|forwards|piket|eido)$)",
    "accounts_and_maps": r"^/(health|api/(auth|jurisdictions|places|map|planner)|tiles|[a-z]+$)",
}
DESK_ROLE = {
    "units": "polres_operator",
    "incidents": "polres_operator",
    "spkt": "spkt",
    "piket": "perwira_piket",
    "accounts_and_maps": "planner",
}
# The two defects issue 16 found live in these domains: more scenarios there.
SCENARIOS_BY_DOMAIN = {"units": SCENARIOS, "incidents": SCENARIOS}
OTHER_SCENARIOS = max(SCENARIOS // 3, 1)


def _machine(world: FuzzWorld, role: str, domain: str):  # noqa: ANN202
    # Valid requests only: a chain must get past validation to reach stored rows.
    schema = _schema(world, mode="positive").include(path_regex=DOMAINS[domain])
    headers = world.headers[role]
    base = schema.as_state_machine()

    class Machine(base):  # type: ignore[valid-type, misc]
        def setup(self) -> None:
            self._scenario = scenario(world)
            self._scenario.__enter__()

        def teardown(self) -> None:
            self._scenario.__exit__(None, None, None)

        def get_call_kwargs(self, case):  # noqa: ANN001, ANN202
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):  # noqa: ANN001, ANN202
            case.validate_response(response, checks=CHECKS)

    return _seeded(Machine)


def test_domains_cover_every_operation(fuzz_world: FuzzWorld) -> None:
    schema = _schema(fuzz_world)
    every = {result.ok().label for result in schema.get_all_operations()}
    covered = set()
    for pattern in DOMAINS.values():
        covered |= {r.ok().label for r in schema.include(path_regex=pattern).get_all_operations()}
    assert every - covered == set()


@pytest.mark.parametrize("role", ["desk", "admin"])
@pytest.mark.parametrize("domain", list(DOMAINS))
def test_operations_chained_by_links(fuzz_world: FuzzWorld, role: str, domain: str) -> None:
    _healthy(fuzz_world)
    role = DESK_ROLE[domain] if role == "desk" else role
    machine = _machine(fuzz_world, role, domain)
    machine.run(
        settings=hypothesis.settings(
            max_examples=SCENARIOS_BY_DOMAIN.get(domain, OTHER_SCENARIOS),
            derandomize=not SEED,
            database=None,
            deadline=None,
            stateful_step_count=6,
            phases=[hypothesis.Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
