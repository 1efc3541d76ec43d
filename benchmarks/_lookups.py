"""Sequential lookups: the client against raw httpx, and pooled against fresh connections."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from typing import Any

import httpx
from _sim import Target, cycle
from _timing import Block, alternate, median_ratio

from kpb_client.models import ApplicationsResponse
from kpb_ext import KpbClient, create_ssl_context


def client_over_raw(target: Target, cprs: list[str], rounds: int, per_block: int) -> dict[str, Any]:
    """``KpbClient.applications`` against httpx + ``json.loads`` on the same kind of pool.

    Every contender uses one kept-alive mutual-TLS connection with the same TLS context,
    and goes round the same CPR numbers:

    - *raw*: ``httpx.Client.get("/Application", params=...)`` and ``json.loads``, as
      one would write it by hand;
    - *raw_url*: the same with one absolute URL string, the cheapest request httpx
      makes (the client builds its URLs this way);
    - *generated*: *raw_url* plus the generated ``ApplicationsResponse.from_dict``;
    - *client*: ``KpbClient.applications``.

    So *raw_url* - *raw* is what building the URL costs httpx, *generated* - *raw_url*
    the generated models' parsing, and *client* - *generated* this project's layer.
    """
    certificate = target.certificate()
    raw = httpx.Client(
        base_url=target.base_url,
        verify=create_ssl_context(certificate, ca_bundle=target.ca_cert),
        headers={"Accept": "application/json"},
        follow_redirects=False,
    )
    kpb = KpbClient(base_url=target.base_url, certificate=certificate, ca_bundle=target.ca_cert)
    route = f"{target.base_url}/Application?cpr="

    def generated(cpr: str) -> object:
        return ApplicationsResponse.from_dict(json.loads(raw.get(route + cpr).content))

    with raw, kpb:
        blocks = {
            "raw": _block(
                lambda cpr: json.loads(raw.get("/Application", params={"cpr": cpr}).content),
                cprs,
                per_block,
            ),
            "raw_url": _block(
                lambda cpr: json.loads(raw.get(route + cpr).content), cprs, per_block
            ),
            "generated": _block(generated, cprs, per_block),
            "client": _block(kpb.applications, cprs, per_block),
        }
        alternate(blocks, 1)  # connect, and warm up every path
        rates = alternate(blocks, rounds)
    return {
        "per_second": {name: statistics.median(values) for name, values in rates.items()},
        "us_per_lookup": {name: 1e6 / statistics.median(v) for name, v in rates.items()},
        "client_over_raw": median_ratio(rates["client"], rates["raw"]),
        "client_over_raw_url": median_ratio(rates["client"], rates["raw_url"]),
        "generated_over_raw_url": median_ratio(rates["generated"], rates["raw_url"]),
        "client_over_generated": median_ratio(rates["client"], rates["generated"]),
    }


def pooled_over_fresh(
    target: Target,
    cprs: list[str],
    rounds: int,
    pooled_block: int,
    fresh_block: int,
    new_client_block: int,
) -> dict[str, Any]:
    """Lookups on one kept-alive connection, against a new connection for each lookup.

    *fresh*: the same client, but every request says ``Connection: close``, so each
    lookup pays TCP and the mutual-TLS handshake. *new client*: a new ``KpbClient`` for
    each lookup, which also builds the TLS context with the certificate.
    """
    certificate = target.certificate()
    arguments: dict[str, Any] = {
        "base_url": target.base_url,
        "certificate": certificate,
        "ca_bundle": target.ca_cert,
    }
    pooled = KpbClient(**arguments)
    fresh = KpbClient(
        base_url=target.base_url,
        transport=_CloseEach(
            httpx.HTTPTransport(verify=create_ssl_context(certificate, ca_bundle=target.ca_cert))
        ),
    )

    def new_client(cpr: str) -> object:
        with KpbClient(**arguments) as kpb:
            return kpb.applications(cpr)

    with pooled, fresh:
        blocks = {
            "pooled": _block(pooled.applications, cprs, pooled_block),
            "fresh": _block(fresh.applications, cprs, fresh_block),
            "new_client": _block(new_client, cprs, new_client_block),
        }
        alternate(blocks, 1)
        rates = alternate(blocks, rounds)
    return {
        "per_second": {name: statistics.median(values) for name, values in rates.items()},
        "ms_per_lookup": {name: 1e3 / statistics.median(values) for name, values in rates.items()},
        "pooled_over_fresh": median_ratio(rates["pooled"], rates["fresh"]),
        "pooled_over_new_client": median_ratio(rates["pooled"], rates["new_client"]),
    }


class _CloseEach(httpx.BaseTransport):
    """Says ``Connection: close`` on every request: each pays TCP and mutual TLS."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self._transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["Connection"] = "close"
        return self._transport.handle_request(request)

    def close(self) -> None:
        self._transport.close()


def _block(lookup: Callable[[str], object], cprs: list[str], count: int) -> Block:
    """*count* lookups going round *cprs*."""

    def run() -> int:
        for cpr in cycle(cprs, count):
            lookup(cpr)
        return count

    return run
