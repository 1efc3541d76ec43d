"""Helpers for the simulator's tests: a small HTTP(S) client over real sockets."""

from __future__ import annotations

import http.client
import json
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from kpb_sim import CertificateSet

Cert = str | tuple[Path, Path] | None


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def json(self) -> Any:
        assert self.content_type == "application/json; charset=utf-8", self.content_type
        return json.loads(self.body)


@dataclass
class Client:
    """Sends one request per connection unless given a connection to reuse."""

    certs: CertificateSet
    _contexts: dict[Cert, ssl.SSLContext] = field(default_factory=dict)

    def context(self, cert: Cert = "registered") -> ssl.SSLContext:
        """A client context trusting the simulator's CA, presenting ``cert``: the name
        of a certificate in the set, a (certificate, key) pair of paths, or None."""
        if cert not in self._contexts:
            context = ssl.create_default_context(cafile=self.certs.ca_cert)
            if isinstance(cert, str):
                files = self.certs.client(cert)
                context.load_cert_chain(files.cert, files.key)
            elif cert is not None:
                context.load_cert_chain(*cert)
            self._contexts[cert] = context
        return self._contexts[cert]

    def connect(self, url: str, cert: Cert = "registered") -> http.client.HTTPConnection:
        parts = urlsplit(url)
        if parts.scheme == "https":
            return http.client.HTTPSConnection(
                parts.hostname or "", parts.port, context=self.context(cert), timeout=10
            )
        return http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)

    def request(
        self,
        url: str,
        cert: Cert = "registered",
        *,
        method: str = "GET",
        body: bytes | None = None,
        connection: http.client.HTTPConnection | None = None,
    ) -> Answer:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn = connection or self.connect(url, cert)
        try:
            conn.request(method, target, body=body)
            response = conn.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            if connection is None:
                conn.close()


@pytest.fixture(scope="session")
def client(kpb_sim_certs: CertificateSet) -> Client:
    """A client trusting the session's certificate set."""
    return Client(kpb_sim_certs)


@pytest.fixture(scope="session")
def client_for() -> type[Client]:
    """``client_for(certs)``: a client for another certificate set."""
    return Client


_REPORT_KEY = pytest.StashKey[list[str]]()


@pytest.fixture
def report(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Record a measurement, shown in the terminal summary."""
    lines = request.config.stash.setdefault(_REPORT_KEY, [])
    return lines.append


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    lines = config.stash.get(_REPORT_KEY, [])
    if lines:
        terminalreporter.section("kpb_sim measurements")
        for line in lines:
            terminalreporter.write_line(line)
