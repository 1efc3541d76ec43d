from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.applications_response import ApplicationsResponse
from ...models.error_message import ErrorMessage
from ...types import UNSET, ApiRequest, Response


def build_request(
    *,
    cpr: str,
) -> ApiRequest:
    """The method, path and query of `GET /Application`, for any HTTP client."""
    params: dict[str, Any] = {}

    params["cpr"] = cpr

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    return ApiRequest(
        method="get",
        path="/Application",
        params=params,
    )


def _get_kwargs(
    *,
    cpr: str,
) -> dict[str, Any]:
    request = build_request(
        cpr=cpr,
    )
    _kwargs: dict[str, Any] = {"method": request.method, "url": request.path}
    if request.params:
        _kwargs["params"] = request.params
    return _kwargs


def parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ApplicationsResponse | ErrorMessage | None:
    """The body of *response* as the spec's model for its status.

    Any status is accepted: one the spec does not document gives None, or
    errors.UnexpectedStatus when the client raises on unexpected statuses.
    """
    if response.status_code == 200:
        response_200 = ApplicationsResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorMessage.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorMessage.from_dict(response.json())

        return response_401

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
) -> Response[ApplicationsResponse | ErrorMessage]:
    return Response(
        status_code=response.status_code,
        content=response.content,
        headers=response.headers,
        parsed=parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    cpr: str,
) -> Response[ApplicationsResponse | ErrorMessage]:
    """Driving-test applications of a person

     Every driving-test application (prøveforløb) registered on the person, with its licence category,
    exam type, status, exams and event history. The PDF calls this service `Applications` but the route
    is singular (PDF §3.2.2.1). A well-formed CPR number with no data gives an empty list, not 404.
    Needs the function certificate as the TLS client certificate (mutual TLS, security scheme
    `functionCertificate`).

    Args:
        cpr (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApplicationsResponse | ErrorMessage]
    """

    kwargs = _get_kwargs(
        cpr=cpr,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    cpr: str,
) -> ApplicationsResponse | ErrorMessage | None:
    """Driving-test applications of a person

     Every driving-test application (prøveforløb) registered on the person, with its licence category,
    exam type, status, exams and event history. The PDF calls this service `Applications` but the route
    is singular (PDF §3.2.2.1). A well-formed CPR number with no data gives an empty list, not 404.
    Needs the function certificate as the TLS client certificate (mutual TLS, security scheme
    `functionCertificate`).

    Args:
        cpr (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApplicationsResponse | ErrorMessage
    """

    return sync_detailed(
        client=client,
        cpr=cpr,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cpr: str,
) -> Response[ApplicationsResponse | ErrorMessage]:
    """Driving-test applications of a person

     Every driving-test application (prøveforløb) registered on the person, with its licence category,
    exam type, status, exams and event history. The PDF calls this service `Applications` but the route
    is singular (PDF §3.2.2.1). A well-formed CPR number with no data gives an empty list, not 404.
    Needs the function certificate as the TLS client certificate (mutual TLS, security scheme
    `functionCertificate`).

    Args:
        cpr (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApplicationsResponse | ErrorMessage]
    """

    kwargs = _get_kwargs(
        cpr=cpr,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cpr: str,
) -> ApplicationsResponse | ErrorMessage | None:
    """Driving-test applications of a person

     Every driving-test application (prøveforløb) registered on the person, with its licence category,
    exam type, status, exams and event history. The PDF calls this service `Applications` but the route
    is singular (PDF §3.2.2.1). A well-formed CPR number with no data gives an empty list, not 404.
    Needs the function certificate as the TLS client certificate (mutual TLS, security scheme
    `functionCertificate`).

    Args:
        cpr (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApplicationsResponse | ErrorMessage
    """

    return (
        await asyncio_detailed(
            client=client,
            cpr=cpr,
        )
    ).parsed
