"""The global options: which KPB to call, with which certificate.

With neither ``--env`` nor ``--base-url``, commands run against the embedded simulator,
started on a free loopback port with throwaway certificates.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from kpb_ext import ClientCertificate


@dataclass(frozen=True)
class Target:
    """Where and how to connect: the keyword arguments of ``KpbClient``.

    The certificate is loaded when first used, so that ``kpb doctor`` can check the
    network before it.
    """

    base_url: str
    ca_bundle: str | None
    simulated: bool
    load_certificate: Callable[[], ClientCertificate | None]
    #: KPB's production environment, however it was named: real citizens' data.
    production: bool = False

    @functools.cached_property
    def certificate(self) -> ClientCertificate | None:
        return self.load_certificate()

    def client_arguments(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "certificate": self.certificate,
            "ca_bundle": self.ca_bundle,
        }


@dataclass(frozen=True)
class TargetOptions:
    environment: str | None
    base_url: str | None
    cert: str | None
    key: str | None
    p12: str | None
    ca_bundle: str | None
    verbose: bool

    @property
    def configured(self) -> bool:
        return bool(self.environment or self.base_url)

    @property
    def has_certificate(self) -> bool:
        return bool(self.cert or self.key or self.p12)

    def is_production(self, base_url: str) -> bool:
        """Whether *base_url* is KPB's production environment, however it is written."""
        from kpb_ext import ENVIRONMENTS, same_host

        return same_host(base_url, ENVIRONMENTS["production"])

    def resolved_base_url(self) -> str:
        """The base URL to call; InvalidBaseUrlError unless it is one KPB could answer."""
        from kpb_ext import ENVIRONMENTS, validate_base_url

        if self.base_url and self.environment:
            raise click.UsageError("give --env or --base-url, not both")
        if self.base_url:
            return validate_base_url(self.base_url)
        assert self.environment is not None
        return ENVIRONMENTS[self.environment]

    def load_certificate(self) -> ClientCertificate | None:
        """The configured function certificate, or None when none is given."""
        from kpb_ext import ClientCertificate, read_password

        if self.p12 and (self.cert or self.key):
            raise click.UsageError("give --p12, or --cert (with --key), not both")
        if self.key and not self.cert:
            raise click.UsageError("--key needs --cert")
        if self.p12:
            return ClientCertificate.from_pkcs12(self.p12, read_password())
        if self.cert:
            return ClientCertificate.from_pem(self.cert, self.key, read_password())
        return None

    @contextlib.contextmanager
    def target(self) -> Iterator[Target]:
        """The configured KPB, or the embedded simulator for as long as the block runs."""
        if self.configured:
            base_url = self.resolved_base_url()
            yield Target(
                base_url=base_url,
                ca_bundle=self.ca_bundle,
                simulated=False,
                load_certificate=self.load_certificate,
                production=self.is_production(base_url),
            )
            return
        if self.has_certificate or self.ca_bundle:
            raise click.UsageError(
                "a certificate or CA bundle was given but no KPB to call: add --env test, "
                "--env production or --base-url URL (or KPB_ENV / KPB_BASE_URL)"
            )
        with embedded_simulator() as target:
            yield target


@contextlib.contextmanager
def embedded_simulator() -> Iterator[Target]:
    """Start kpb_sim on a free loopback port with throwaway certificates."""
    from kpb_ext import ClientCertificate
    from kpb_sim import throwaway_simulator

    with throwaway_simulator() as (certificates, simulator):
        files = certificates.client("registered")
        click.echo(
            f"No KPB target given (--env, --base-url, KPB_ENV or KPB_BASE_URL): using "
            f"the embedded simulator at {simulator.base_url}, with its "
            "registered test certificate and Bilag A's test persons.",
            err=True,
        )
        sys.stderr.flush()
        yield Target(
            base_url=simulator.base_url,
            ca_bundle=str(certificates.ca_cert),
            simulated=True,
            load_certificate=lambda: ClientCertificate.from_pem(files.cert, files.key),
        )
