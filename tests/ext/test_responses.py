"""Every response becomes a model or a typed error: status mapping and malformed bodies."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpb_client.models import ApplicationsResponse, MedicalCertificatesResponse
from kpb_ext import (
    AccessNotAllowedError,
    ApplicationStatus,
    BadRequestError,
    CertificateDoesNotExistError,
    CertificateNotVerifiedError,
    CertificateRequiredError,
    HttpsRequiredError,
    InvalidResponseError,
    KpbResponseError,
    MissingParameterError,
    NotFoundError,
    UnauthorizedError,
    UnexpectedStatusError,
    application_status,
)
from kpb_ext._responses import (
    EXCERPT_LENGTH,
    excerpt,
    parse_retry_after,
    read_model,
    read_string_list,
    response_error,
)

from . import examples

URL = "https://kpb.example/api/Application?cpr=0702614074"


def response(status: int, body: bytes | str | Any, **headers: str) -> httpx.Response:
    if isinstance(body, str):
        content = body.encode()
    elif isinstance(body, bytes):
        content = body
    else:
        content = json.dumps(body, ensure_ascii=False).encode()
    return httpx.Response(
        status, content=content, headers=headers, request=httpx.Request("GET", URL)
    )


# -- 200 ---------------------------------------------------------------------------------


def test_spec_examples_parse() -> None:
    certificates = read_model(
        response(200, examples.medical_certificates()), MedicalCertificatesResponse
    )
    assert certificates.medical_certificates[0].status.name == "Godkendt"
    applications = read_model(response(200, examples.applications()), ApplicationsResponse)
    status = application_status(applications.applications[0])
    assert (status.value, status.label, status.is_documented) == (11, "Prøve bestilt", False)
    assert ApplicationStatus.from_code(11) == status


def test_added_members_are_allowed() -> None:
    body = examples.applications()
    body["Applications"][0]["NewField"] = {"x": 1}
    body["Extra"] = True
    parsed = read_model(response(200, body), ApplicationsResponse)
    assert parsed.applications[0]["NewField"] == {"x": 1}


def test_empty_lists() -> None:
    parsed = read_model(response(200, {"MedicalCertificates": []}), MedicalCertificatesResponse)
    assert parsed.medical_certificates == []


def test_utf8_bom_is_accepted() -> None:
    body = b"\xef\xbb\xbf" + json.dumps({"Applications": []}).encode()
    assert read_model(response(200, body), ApplicationsResponse).applications == []


def _app(body: dict[str, Any]) -> dict[str, Any]:
    application: dict[str, Any] = body["Applications"][0]
    return application


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (
            lambda b: _app(b)["ApplicationStatus"].update(Code="2"),
            "body.Applications[0].ApplicationStatus.Code is string, expected an integer",
        ),
        (
            lambda b: _app(b)["ApplicationStatus"].update(Code=True),
            ".ApplicationStatus.Code is boolean",
        ),
        (lambda b: _app(b)["ApplicationStatus"].update(Code=2.5), "Code is float"),
        (
            lambda b: _app(b).update(ExamTypeName=7),
            ".ExamTypeName is int, expected null or a string",
        ),
        (
            lambda b: _app(b).update(CommentRejected=1),
            ".CommentRejected is int, expected null or a string",
        ),
        (
            lambda b: _app(b)["ApplicationExams"][0].update(ExamDate="2018-04-22 09:00"),
            ".ApplicationExams[0].ExamDate is not a KPB timestamp",
        ),
        (
            lambda b: _app(b)["ApplicationEvents"][2].update(CreatedDate="2018-04-16T10:34:13Z"),
            ".ApplicationEvents[2].CreatedDate is not a KPB timestamp",
        ),
        (lambda b: _app(b).update(ApplicationExams={}), ".ApplicationExams is object"),
        (lambda b: _app(b).update(ApplicationExams=""), ".ApplicationExams is string"),
        (lambda b: _app(b).update(Id=12), ".Id is int, expected a GUID string"),
        (lambda b: _app(b).update(Id="not-a-guid"), ".Id is not a GUID"),
        (lambda b: _app(b).update(Id=None), ".Id is null, expected a GUID string"),
        (
            lambda b: _app(b)["ApplicationEvents"][0].update(Type=None),
            ".ApplicationEvents[0].Type is null",
        ),
        (
            lambda b: _app(b)["ApplicationExams"][0].update(ExamDate=None),
            ".ApplicationExams[0].ExamDate is null, expected a KPB timestamp string",
        ),
        (
            lambda b: _app(b)["ApplicationStatus"].update(Code=None),
            ".ApplicationStatus.Code is null, expected an integer",
        ),
        (lambda b: _app(b).pop("ApplicationEvents"), ".ApplicationEvents is missing"),
        (lambda b: b.update(Applications={}), "body.Applications is object"),
    ],
)
def test_wrong_shapes(mutate: Any, where: str) -> None:
    body = examples.applications()
    mutate(body)
    with pytest.raises(InvalidResponseError) as caught:
        read_model(response(200, body), ApplicationsResponse)
    assert where in str(caught.value)
    assert caught.value.status_code == 200
    assert "run `kpb contract`" in caught.value.hint  # JSON in another shape, not HTML


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body>Proxy error for cpr=0702614074</body></html>",
        json.dumps(examples.medical_certificates()).encode()[:-10],
        b"[]",
        b"null",
        b"\xff\xfe\x00garbage",
        b"[" * 100000,
    ],
    ids=["empty", "html", "truncated", "array", "null", "binary", "deep"],
)
def test_not_the_documented_body(body: bytes) -> None:
    with pytest.raises(InvalidResponseError) as caught:
        read_model(response(200, body), MedicalCertificatesResponse)
    assert caught.value.status_code == 200
    # JSON in another shape may be KPB's own, anything else is a stranger's answer
    assert ("kpb contract" in caught.value.hint) == (body in (b"[]", b"null"))
    assert "0702614074" not in caught.value.excerpt
    assert "0702614074" not in str(caught.value)


def test_a_body_nested_too_deeply_is_named_so() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000  # valid JSON, deeper than the parser goes
    with pytest.raises(InvalidResponseError, match="nested too deeply to read as JSON"):
        read_model(response(200, deep), MedicalCertificatesResponse)


def test_ping_body() -> None:
    assert read_string_list(response(200, ["Hello", "World"])) == ["Hello", "World"]
    for bad in ({"Hello": "World"}, ["Hello", 1], b'"Hello"', [], ["Hello", "World", "!"]):
        with pytest.raises(InvalidResponseError, match="not a JSON array of two strings"):
            read_string_list(response(200, bad))


# -- error statuses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message", "cls"),
    [
        (400, 'Parameter "cpr" mangler.', MissingParameterError),
        (400, 'Parameter "cpr" mangler', MissingParameterError),
        (400, 'Parameter "cpr" er ugyldig.', BadRequestError),
        (401, "Certificate required", CertificateRequiredError),
        (401, "Certificate not verified", CertificateNotVerifiedError),
        (401, "Certificate doesn't exist", CertificateDoesNotExistError),
        (401, "Certificate doesn\u2019t exist.", CertificateDoesNotExistError),
        (401, "Access not allowed for Certificate", AccessNotAllowedError),
        (401, "access NOT allowed for certificate", AccessNotAllowedError),
        (401, "Authorization has been denied for this request.", UnauthorizedError),
        (403, "HTTPS Required", HttpsRequiredError),
        (
            404,
            "No HTTP resource was found that matches the request URI "
            "'https://kpb.example/api/Applications?cpr=0702614074'.",
            NotFoundError,
        ),
        (405, "The requested resource does not support http method 'POST'.", UnexpectedStatusError),
        (500, "An error has occurred.", UnexpectedStatusError),
    ],
)
def test_error_statuses(status: int, message: str, cls: type[KpbResponseError]) -> None:
    error = response_error(response(status, {"Message": message, "MessageDetail": "x"}))
    assert type(error) is cls
    assert isinstance(error, KpbResponseError)
    assert error.status_code == status
    assert error.message == message.replace("0702614074", "070261-****")
    assert "0702614074" not in str(error)


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_documented_status_with_a_foreign_body(status: int) -> None:
    body = "<html><title>401 - Unauthorized: Access is denied</title>cpr=0702614074</html>"
    error = response_error(response(status, body))
    assert isinstance(error, InvalidResponseError)
    assert error.status_code == status
    assert error.excerpt.startswith("<html><title>401 - Unauthorized")
    assert "cpr=070261-****" in error.excerpt
    assert "0702614074" not in error.excerpt
    assert f"For status {status}" in error.hint


@pytest.mark.parametrize(
    ("status", "body", "headers", "in_message"),
    [
        (520, "<html>Web server is returning an unknown error</html>", {}, "unknown error"),
        (502, "", {}, "Bad Gateway"),
        (503, "busy", {"Retry-After": "7"}, "Service Unavailable: busy"),
        (302, "", {"Location": "https://login.example/?cpr=0702614074"}, "redirected to"),
        (200_0 // 10 + 99, "", {}, "299"),  # any status at all
    ],
)
def test_undocumented_statuses(
    status: int, body: str, headers: dict[str, str], in_message: str
) -> None:
    error = response_error(response(status, body, **headers))
    assert isinstance(error, UnexpectedStatusError)
    assert error.status_code == status
    assert in_message in str(error)
    assert "0702614074" not in str(error)
    if "Retry-After" in headers:
        assert error.retry_after == 7.0


def test_retry_after_forms() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    far = parse_retry_after("Fri, 01 Jan 2100 00:00:00 GMT")
    assert far is not None
    assert far > 1e9


# -- excerpts ----------------------------------------------------------------------------


def test_excerpt_cut_never_shows_part_of_a_number() -> None:
    body = ("x" * (EXCERPT_LENGTH - 4) + "0702614074").encode()
    text = excerpt(body)
    assert text.endswith("…")
    assert "0702" not in text
    long_window = (" " * 5000 + "0702614074").encode()
    assert "0702" not in excerpt(long_window[:4100] + b"tail")


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(max_size=300),
    st.text(max_size=300),
    st.sampled_from(["0702614074", "070261-4074", "070261 4074"]),
)
def test_excerpt_masks_wherever_the_number_is(before: str, after: str, number: str) -> None:
    text = excerpt(f"{before}{number}{after}".encode())
    assert number not in text
    assert len(text) <= EXCERPT_LENGTH + 1


# -- properties: nothing but InvalidResponseError escapes --------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def failure(action: Any) -> Exception | None:
    try:
        action()
    except Exception as error:  # noqa: BLE001 - the property is about which ones escape
        return error
    return None


@given(st.binary(max_size=400))
def test_random_bytes(body: bytes) -> None:
    for model in (MedicalCertificatesResponse, ApplicationsResponse):
        outcome = failure(lambda: read_model(response(200, body), model))  # noqa: B023
        assert outcome is None or (
            isinstance(outcome, InvalidResponseError) and outcome.status_code == 200
        ), repr(outcome)
    for status in (400, 401, 404, 418, 503):
        assert isinstance(
            response_error(response(status, body)), (KpbResponseError, InvalidResponseError)
        )


@given(st.data())
def test_truncated_json(data: st.DataObject) -> None:
    text = json.dumps(examples.applications(), ensure_ascii=False).encode()
    cut = data.draw(st.integers(0, len(text) - 1))
    with pytest.raises(InvalidResponseError):
        read_model(response(200, text[:cut]), ApplicationsResponse)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, (*path, i))]
    return [(path, value)]


def _parent(body: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        body = body[key]
    return body


BOTH_BODIES = pytest.mark.parametrize(
    ("make", "model"),
    [
        (examples.applications, ApplicationsResponse),
        (examples.medical_certificates, MedicalCertificatesResponse),
    ],
)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "int" if isinstance(value, int) else "float"
    return type(value).__name__


_VALUE_TYPES = {"Id", "IssueDate", "ReceiveDate", "ExpireDate", "ExamDate", "CreatedDate"}


def _allowed_types(path: tuple[Any, ...], original: Any) -> set[str]:
    """The JSON types the spec allows at a leaf (D22: strings may be null, value types
    never; D3: an event's Type is an integer or a string)."""
    if path[-1] == "Type":
        return {"int", "str"}
    if isinstance(original, int) or path[-1] in _VALUE_TYPES:
        return {_json_type(original)}
    return {"str", "NoneType"}


@BOTH_BODIES
@given(data=st.data())
def test_wrong_types_never_pass(make: Any, model: Any, data: st.DataObject) -> None:
    body = make()
    leaves = [(p, v) for p, v in _leaves(body) if isinstance(v, str | int)]
    path, original = data.draw(st.sampled_from(leaves))
    allowed = _allowed_types(path, original)
    replacement = data.draw(JSON_VALUES.filter(lambda v: _json_type(v) not in allowed))
    _parent(body, path)[path[-1]] = replacement
    with pytest.raises(InvalidResponseError):
        read_model(response(200, body), model)


@BOTH_BODIES
@given(data=st.data())
def test_missing_required_members_never_pass(make: Any, model: Any, data: st.DataObject) -> None:
    body = make()
    optional = {"CommentFurtherProccessing", "CommentRejected"}
    paths = sorted(
        {p[: i + 1] for p, _ in _leaves(body) for i in range(len(p)) if isinstance(p[i], str)},
        key=str,
    )
    path = data.draw(st.sampled_from([p for p in paths if p[-1] not in optional]))
    del _parent(body, path)[path[-1]]
    with pytest.raises(InvalidResponseError):
        read_model(response(200, body), model)


# Members that D22 lets KPB send as null: strings, nested objects and lists.
_NULLABLE_CONTAINERS = {
    "MedicalCertificates",
    "Applications",
    "Status",
    "ApplicationStatus",
    "ExamStatus",
    "MedicalCertificateGroups",
    "LicenseCategories",
    "ApplicationExams",
    "ApplicationEvents",
}


def _nullable_paths(body: Any) -> list[tuple[Any, ...]]:
    paths = {p[: i + 1] for p, _ in _leaves(body) for i in range(len(p))}
    paths |= {(k,) for k in body}
    found = []
    for path in paths:
        key, value = path[-1], _parent(body, path)[path[-1]]
        if isinstance(key, str) and (
            key in _NULLABLE_CONTAINERS
            or (isinstance(value, str) and key not in _VALUE_TYPES and key != "Type")
        ):
            found.append(path)
    return sorted(found, key=str)


@BOTH_BODIES
@given(data=st.data())
def test_nulls_where_json_net_writes_them_keep_the_record(
    make: Any, model: Any, data: st.DataObject
) -> None:
    body = make()
    chosen = data.draw(st.lists(st.sampled_from(_nullable_paths(body)), min_size=1, unique=True))
    for path in sorted(chosen, key=len):
        with contextlib.suppress(KeyError, IndexError, TypeError):  # inside one set to null
            _parent(body, path)[path[-1]] = None
    parsed = read_model(response(200, body), model)
    assert parsed.to_dict() == body  # nothing lost, nothing added: --json writes it back


def test_a_null_list_of_applications_reads_as_none() -> None:
    parsed = read_model(response(200, {"Applications": None}), ApplicationsResponse)
    assert parsed.applications is None
