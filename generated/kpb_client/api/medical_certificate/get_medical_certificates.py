from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_message import ErrorMessage
from ...models.medical_certificates_response import MedicalCertificatesResponse
from ...types import UNSET, ApiRequest, Response


def build_request(
    *,
    cpr: str,
) -> ApiRequest:
    """The method, path and query of `GET /MedicalCertificate`, for any HTTP client."""
    params: dict[str, Any] = {}

    params["cpr"] = cpr

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    return ApiRequest(
        method="get",
        path="/MedicalCertificate",
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
) -> ErrorMessage | MedicalCertificatesResponse | None:
    """The body of *response* as the spec's model for its status.

    Any status is accepted: one the spec does not document gives None, or
    errors.UnexpectedStatus when the client raises on unexpected statuses.
    """
    if response.status_code == 200:
        response_200 = MedicalCertificatesResponse.from_dict(response.json())

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
) -> Response[ErrorMessage | MedicalCertificatesResponse]:
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
) -> Response[ErrorMessage | MedicalCertificatesResponse]:
    """Medical certificates of a person

     Every medical certificate (lægeerklæring) registered on the person, with status, dates and the
    groups of licence categories it covers. The PDF calls this service `MedicalCertificates` but the
    route is singular (PDF §3.2.1.1). A well-formed CPR number with no data gives an empty list, not
    404. Needs the function certificate as the TLS client certificate (mutual TLS, security scheme
    `functionCertificate`).

    Args:
        cpr (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorMessage | MedicalCertificatesResponse]
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
) -> ErrorMessage | MedicalCertificatesResponse | None:
    """Medical certificates of a person

     Every medical certificate (lægeerklæring) registered on the person, with status, dates and the
    groups of licence categories it covers. The PDF calls this service `MedicalCertificates` but the
    route is singular (PDF §3.2.1.1). A well-formed CPR number with no data gives an empty list, not
    404. Needs the function certificate as the TLS client certificate (mutual TLS, security scheme
    `functionCertificate`).

    Args:
        cpr (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorMessage | MedicalCertificatesResponse
    """

    return sync_detailed(
        client=client,
        cpr=cpr,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cpr: str,
) -> Response[ErrorMessage | MedicalCertificatesResponse]:
    """Medical certificates of a person

     Every medical certificate (lægeerklæring) registered on the person, with status, dates and the
    groups of licence categories it covers. The PDF calls this service `MedicalCertificates` but the
    route is singular (PDF §3.2.1.1). A well-formed CPR number with no data gives an empty list, not
    404. Needs the function certificate as the TLS client certificate (mutual TLS, security scheme
    `functionCertificate`).

    Args:
        cpr (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorMessage | MedicalCertificatesResponse]
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
) -> ErrorMessage | MedicalCertificatesResponse | None:
    """Medical certificates of a person

     Every medical certificate (lægeerklæring) registered on the person, with status, dates and the
    groups of licence categories it covers. The PDF calls this service `MedicalCertificates` but the
    route is singular (PDF §3.2.1.1). A well-formed CPR number with no data gives an empty list, not
    404. Needs the function certificate as the TLS client certificate (mutual TLS, security scheme
    `functionCertificate`).

    Args:
        cpr (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorMessage | MedicalCertificatesResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            cpr=cpr,
        )
    ).parsed
