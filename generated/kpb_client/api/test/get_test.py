from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_message import ErrorMessage
from ...types import ApiRequest, Response


def build_request() -> ApiRequest:
    """The method, path and query of `GET /test`, for any HTTP client."""

    return ApiRequest(
        method="get",
        path="/test",
        params={},
    )


def _get_kwargs() -> dict[str, Any]:
    request = build_request()
    _kwargs: dict[str, Any] = {"method": request.method, "url": request.path}
    if request.params:
        _kwargs["params"] = request.params
    return _kwargs


def parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorMessage | list[str] | None:
    """The body of *response* as the spec's model for its status.

    Any status is accepted: one the spec does not document gives None, or
    errors.UnexpectedStatus when the client raises on unexpected statuses.
    """
    if response.status_code == 200:
        response_200 = cast(list[str], response.json())

        return response_200

    if response.status_code == 403:
        response_403 = ErrorMessage.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorMessage.from_dict(response.json())

        return response_404

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorMessage | list[str]]:
    return Response(
        status_code=response.status_code,
        content=response.content,
        headers=response.headers,
        parsed=parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorMessage | list[str]]:
    """Connectivity check

     Answers `["Hello","World"]`. Needs no client certificate (PDF §3.1.2), so it tests DNS, TCP, TLS and
    routing, but not certificate registration.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorMessage | list[str]]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
) -> ErrorMessage | list[str] | None:
    """Connectivity check

     Answers `["Hello","World"]`. Needs no client certificate (PDF §3.1.2), so it tests DNS, TCP, TLS and
    routing, but not certificate registration.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorMessage | list[str]
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorMessage | list[str]]:
    """Connectivity check

     Answers `["Hello","World"]`. Needs no client certificate (PDF §3.1.2), so it tests DNS, TCP, TLS and
    routing, but not certificate registration.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorMessage | list[str]]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
) -> ErrorMessage | list[str] | None:
    """Connectivity check

     Answers `["Hello","World"]`. Needs no client certificate (PDF §3.1.2), so it tests DNS, TCP, TLS and
    routing, but not certificate registration.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorMessage | list[str]
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
