"""One base-URL check for the library, every command and the contract suite."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kpb_ext import (
    AsyncKpbClient,
    InvalidBaseUrlError,
    KpbClient,
    KpbError,
    same_host,
    validate_base_url,
)

from .servers import TestServer, kpb

Serve = Callable[..., TestServer]

MALFORMED = [
    "not a url",
    "ftp://x",
    "https://",
    "https://[::1/api",
    "https://h:abc/api",
    " https://service-kpbt2.knowledgecube.net/api",
    "https://service-kpbt2.knowledgecube.net/api\n",
    "http://service-kpbt2.knowledgecube.net/api",
    "https://user:s3cret@service-kpbt2.knowledgecube.net/api",
    "https://service-kpbt2.knowledgecube.net/api?cpr=1",
    "https://service-kpbt2.knowledgecube.net/api#top",
    "https://h:0/api",
    "https://h:65536/api",
    "https://h_x/api",
    "https://999.1.1.1/api",
    "https://h/a pi",
    "https://h\\@evil/api",
    "",
]


@pytest.mark.parametrize("url", MALFORMED)
def test_every_malformed_form_is_one_typed_error(url: str) -> None:
    with pytest.raises(InvalidBaseUrlError) as caught:
        validate_base_url(url)
    assert isinstance(caught.value, KpbError)
    assert isinstance(caught.value, ValueError)
    assert "\n" not in str(caught.value)
    assert "s3cret" not in str(caught.value)
    assert "PDF §1.1" in caught.value.hint


def test_credentials_are_never_shown() -> None:
    with pytest.raises(InvalidBaseUrlError) as caught:
        validate_base_url("https://kommune%5Cbruger:hemmelig@service-kpbt2.knowledgecube.net/api")
    assert "hemmelig" not in str(caught.value)
    assert "bruger" not in str(caught.value)
    assert "user name or password" in str(caught.value)
    # ...also when the URL is wrong in another way first
    with pytest.raises(InvalidBaseUrlError) as caught:
        validate_base_url("bruger:hemmelig@service-kpbt2.knowledgecube.net/api")
    assert "hemmelig" not in str(caught.value)


def test_plain_http_says_why() -> None:
    with pytest.raises(InvalidBaseUrlError, match="plain HTTP: CPR numbers would travel"):
        validate_base_url("http://service-kpbt2.knowledgecube.net/api")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://service-kpbt2.knowledgecube.net/api/",
            "https://service-kpbt2.knowledgecube.net/api",
        ),
        ("https://127.0.0.1:8443/api", "https://127.0.0.1:8443/api"),
        ("https://[::1]:8443/api", "https://[::1]:8443/api"),
        ("https://localhost./api", "https://localhost./api"),
        (
            "HTTPS://Service-KPBT2.knowledgecube.net/api",
            "HTTPS://Service-KPBT2.knowledgecube.net/api",
        ),
        (
            "https://kpb.example/sti%20med%20mellemrum/api",
            "https://kpb.example/sti%20med%20mellemrum/api",
        ),
    ],
)
def test_good_forms_pass_without_trailing_slashes(url: str, expected: str) -> None:
    assert validate_base_url(url) == expected


def test_the_plain_http_probe_of_the_contract_suite_is_checked_the_same_way() -> None:
    assert validate_base_url("http://127.0.0.1:8080/api/", scheme="http") == (
        "http://127.0.0.1:8080/api"
    )
    with pytest.raises(InvalidBaseUrlError):
        validate_base_url("http://[::1/api", scheme="http")


@pytest.mark.parametrize(
    "url",
    [
        "https://service-koreprovebooking.dk./api",
        "https://SERVICE-KOREPROVEBOOKING.DK/api",
        "https://Service-Koreprovebooking.Dk.:443/api/",
    ],
)
def test_same_host_is_not_beaten_by_case_or_a_trailing_dot(url: str) -> None:
    assert same_host(url, "https://service-koreprovebooking.dk/api")


def test_same_host_of_different_or_unreadable_urls() -> None:
    production = "https://service-koreprovebooking.dk/api"
    assert not same_host("https://service-kpbt2.knowledgecube.net/api", production)
    assert not same_host("https://service-koreprovebooking.dk.evil.example/api", production)
    assert not same_host("https://[::1/api", production)
    assert not same_host("not a url", "not a url")


# -- the library: nothing is sent -----------------------------------------------------------


@pytest.mark.network
def test_the_client_sends_no_cpr_over_plain_http(serve: Serve, ca_file: Path) -> None:
    """A plain-HTTP server that would answer: the client must not even connect."""
    plain = serve(kpb, server_cert=None)
    for client in (KpbClient, AsyncKpbClient):
        with pytest.raises(InvalidBaseUrlError, match="plain HTTP"):
            client(base_url=plain.base_url, ca_bundle=ca_file)
    assert plain.count() == 0


def test_the_client_refuses_every_malformed_form() -> None:
    for url in MALFORMED:
        with pytest.raises(InvalidBaseUrlError):
            KpbClient(base_url=url)
