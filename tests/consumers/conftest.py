"""Fixtures for the consumer checks: generated clients, built once per session.

The checks need openapi-generator-cli (requirements/consumers.txt), Java 17 and Node.js
with spec/tooling installed; ``tox -e consumers`` provides them. Elsewhere the checks that
need them are skipped, unless KPB_REQUIRE_CONSUMERS=1 makes a missing tool a failure.
"""

from __future__ import annotations

import json
import os
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kpb_sim import CertificateSet, Simulator

from .build import (
    BUILD,
    JavaConsumer,
    NodeConsumer,
    build_java,
    build_typescript,
    generate,
    tool_missing,
)


@pytest.fixture(scope="session")
def tools() -> None:
    missing = tool_missing()
    if missing is None:
        return
    if os.environ.get("KPB_REQUIRE_CONSUMERS") == "1":
        pytest.fail(f"consumer checks cannot run: {missing}", pytrace=False)
    pytest.skip(f"{missing} (tox -e consumers runs these)")


@pytest.fixture(scope="session")
def build_dir(tools: None) -> Path:
    BUILD.mkdir(parents=True, exist_ok=True)
    return BUILD


@pytest.fixture(scope="session")
def java(build_dir: Path) -> JavaConsumer:
    return build_java(generate("java", build_dir / "java"))


@pytest.fixture(scope="session")
def typescript(build_dir: Path) -> NodeConsumer:
    generated = generate("typescript-fetch", build_dir / "typescript-fetch")
    return build_typescript(generated, build_dir / "typescript")


@pytest.fixture(params=["java", "typescript"])
def consumer(request: pytest.FixtureRequest) -> JavaConsumer | NodeConsumer:
    built: JavaConsumer | NodeConsumer = request.getfixturevalue(request.param)
    return built


def lookup_args(simulator: Simulator, certs: CertificateSet, cprs: tuple[str, ...]) -> list[Any]:
    registered = certs.client("registered")
    return ["lookup", simulator.base_url, registered.p12, certs.password_file, certs.ca_cert, *cprs]


@pytest.fixture(scope="session")
def raw_client(kpb_sim_certs: CertificateSet) -> Iterator[httpx.Client]:
    """Reads answers as plain JSON, to compare with what the generated clients made of them."""
    context = ssl.create_default_context(cafile=str(kpb_sim_certs.ca_cert))
    registered = kpb_sim_certs.client("registered")
    context.load_cert_chain(registered.cert, registered.key)
    with httpx.Client(verify=context, timeout=10) as client:
        yield client


def raw_answer(client: httpx.Client, simulator: Simulator, operation: str, cpr: str) -> Any:
    route = {"applications": "Application", "medical-certificates": "MedicalCertificate"}[operation]
    response = client.get(f"{simulator.base_url}/{route}", params={"cpr": cpr})
    response.raise_for_status()
    return json.loads(response.content)
