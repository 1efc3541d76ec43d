"""The exception tree: as drawn in its docstring, every class with a hint, nothing unmasked."""

from __future__ import annotations

import pickle
import re
import traceback

import pytest

import kpb_ext
from kpb_ext import _exceptions
from kpb_ext._exceptions import (
    CertificateDoesNotExistError,
    InvalidResponseError,
    KpbError,
    NotFoundError,
    UnexpectedStatusError,
)

ALL = [
    obj
    for name in _exceptions.__all__
    if isinstance(obj := getattr(_exceptions, name), type) and issubclass(obj, KpbError)
]


def drawn_tree() -> dict[str, str | None]:
    """class name -> parent name, read from the module docstring's drawing."""
    assert _exceptions.__doc__ is not None
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in _exceptions.__doc__.splitlines():
        found = re.match(r"^(\s*)(?:[│ ]*[├└]── )?(\w+Error)\b", line)
        if not found or "Error" not in line:
            continue
        name = found.group(2)
        depth = len(line) - len(line.lstrip(" │├└─"))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[name] = stack[-1][1] if stack else None
        stack.append((depth, name))
    return parents


def test_docstring_draws_the_real_tree() -> None:
    real = {
        cls.__name__: next((b.__name__ for b in cls.__bases__ if issubclass(b, KpbError)), None)
        for cls in ALL
    }
    assert drawn_tree() == real


def test_every_class_is_exported_and_has_its_own_hint() -> None:
    hints = set()
    for cls in ALL:
        assert getattr(kpb_ext, cls.__name__) is cls
        assert cls.hint.endswith("."), cls
        hints.add(cls.hint)
    assert len(hints) == len(ALL)


def test_documented_remedies() -> None:
    assert "kpb.support@knowledgecube.net" in CertificateDoesNotExistError.hint
    assert "CVR and FID" in CertificateDoesNotExistError.hint
    assert "/api" in NotFoundError.hint
    assert "https://" in kpb_ext.HttpsRequiredError.hint
    assert "koreprovebooking@kombit.dk" in kpb_ext.AccessNotAllowedError.hint
    assert "CA bundle" in kpb_ext.TlsError.hint


def test_messages_are_masked_and_hints_show_in_tracebacks() -> None:
    error = NotFoundError(
        404,
        "No HTTP resource was found that matches the request URI "
        "'https://h/api/MedicalCertificates?cpr=0702614074'.",
    )
    assert error.status_code == 404
    assert "0702614074" not in error.message
    assert "cpr=070261-****" in error.message
    text = "".join(traceback.format_exception(error))
    assert "0702614074" not in text
    assert f"hint: {NotFoundError.hint}" in text


def test_instance_hint_overrides_the_class_hint() -> None:
    error = InvalidResponseError(
        "bad", status_code=502, excerpt="<html>0702614074</html>", hint="look at the proxy"
    )
    assert error.hint == "look at the proxy"
    assert InvalidResponseError.hint != "look at the proxy"
    assert error.excerpt == "<html>070261-****</html>"


def test_unexpected_status_keeps_retry_after() -> None:
    error = UnexpectedStatusError(503, "Service Unavailable", retry_after=2.0)
    assert (error.status_code, error.retry_after) == (503, 2.0)


@pytest.mark.parametrize("cls", ALL)
def test_every_error_is_a_kpb_error(cls: type[KpbError]) -> None:
    assert issubclass(cls, KpbError)
    assert issubclass(cls, Exception)


@pytest.mark.parametrize(
    "error",
    [
        NotFoundError(404, "No HTTP resource"),
        UnexpectedStatusError(503, "busy", retry_after=3.0),
        InvalidResponseError("bad", status_code=200, excerpt="<html>", hint="look"),
        kpb_ext.InvalidCprError("the CPR number has 9 digits, expected 10"),
        kpb_ext.TlsError("TLS failed", hint="check the clock"),
    ],
)
def test_errors_survive_pickling(error: KpbError) -> None:
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.__dict__ == error.__dict__
    assert copy.hint == error.hint
