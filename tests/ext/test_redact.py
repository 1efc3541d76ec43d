"""Masking of CPR-shaped numbers in text and log records."""

from __future__ import annotations

import logging
import re

import httpcore
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpb_ext import CprRedactingFilter, install_log_redaction, printable, redact
from kpb_ext._redact import mask_input


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0702614074", "070261-****"),
        ("cpr=0702614074&x=1", "cpr=070261-****&x=1"),
        ("070261-4074", "070261-****"),
        ("070261 4074", "070261-****"),
        ("070261+4074", "070261-****"),
        ("070261%2D4074 070261%204074", "070261-**** 070261-****"),
        ("'https://h/api/Foo?cpr=0702614074'.", "'https://h/api/Foo?cpr=070261-****'."),
        ("123456789", "123456789"),
        ("07026140740", "070261-****0"),  # a number inside a longer run is masked too
        ("1070261-4074", "1070261-****"),
        ("07026140740702614074", "070261-****070261-****"),
        ("2018-05-25T10:06:46.5471929", "2018-05-25T10:06:46.5471929"),
        ("a16cd46c-1473-4662-8b37-bc9418724a24", "a16cd46c-1473-4662-8b37-bc9418724a24"),
        # GUIDs and thumbprints stay readable, even with CPR-shaped digits inside
        ("a1234567-8901-4662-8b37-bc9418724a24", "a1234567-8901-4662-8b37-bc9418724a24"),
        ("d12a2470-64e0-4f4e-a3bc-070261407412", "d12a2470-64e0-4f4e-a3bc-070261407412"),
        (
            "thumbprint 65555E62D2FA5B0702614074FA4ED9333F81DCCC50EB.",
            "thumbprint 65555E62D2FA5B0702614074FA4ED9333F81DCCC50EB.",
        ),
        # ...but a number merely next to hex letters, or in a short token, is masked
        ("07026140740000000000000000000000", "070261-****000000-****000000-****00"),
        ("id 0702614074" + "0" * 30 + " end", "id 070261-****" + "000000-****" * 3 + " end"),
        ("cpr=0702614074abc", "cpr=070261-****abc"),
        ("ABCDEF0702614074", "ABCDEF070261-****"),
        ("thumbprint 65555E62D2FA5B0702614074FA4E-x", "thumbprint 65555E62D2FA5B070261-****FA4E-x"),
        # every way the number was seen written in an error body
        ("07 02 61 40 74", "070261-****"),
        ("0702 614074", "070261-****"),
        ("070261\u20134074", "070261-****"),  # en dash
        ("070261\u20144074", "070261-****"),  # em dash
        ("070261\u22124074", "070261-****"),  # minus sign
        ("070261\u00ad4074", "070261-****"),  # soft hyphen
        ("070261.4074", "070261-****"),
        ("070261/4074", "070261-****"),
        ("070261%2B4074 070261%2b4074", "070261-**** 070261-****"),
        ("070261%E2%80%934074", "070261-****"),
        ("070261&ndash;4074 070261&#8211;4074", "070261-**** 070261-****"),
        ("070261\u00a04074 070261\u200b4074", "070261-**** 070261-****"),
        ("070261 - 4074", "070261-****"),
        ("07.02.61-4074", "070261-****"),
        ("07 02 61 4074", "070261-****"),
        ("\uff10\uff17\uff10\uff12\uff16\uff11\uff14\uff10\uff17\uff14", "070261-****"),
        ("\uff10\uff17\uff10\uff12\uff16\uff11\uff0d\uff14\uff10\uff17\uff14", "070261-****"),
        ("\u0660\u0667\u0660\u0662\u0666\u0661\u0664\u0660\u0667\u0664", "070261-****"),
        # ...while dates and times stay readable
        ("2018-05-25 10:06:46", "2018-05-25 10:06:46"),
        ("25.05.2018 11:00", "25.05.2018 11:00"),
        ("25-05-2018 12:30", "25-05-2018 12:30"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


@given(
    st.text("0123456789", min_size=10, max_size=10),
    st.sampled_from(["", "-", " ", "+", "%2D"]),
    st.text(),
    st.text(),
)
def test_redact_never_leaves_a_number(digits: str, separator: str, before: str, after: str) -> None:
    masked = redact(f"{before}{digits[:6]}{separator}{digits[6:]}{after}")
    outside_kept = _KEPT.sub(" ", masked)
    assert re.search(r"[0-9]{6}(?:[-\s+]|%2[dD]|%20)?[0-9]{4}", outside_kept) is None


_DIGITS = {
    "ascii": "0123456789",
    "full-width": "".join(chr(0xFF10 + n) for n in range(10)),
    "arabic-indic": "".join(chr(0x0660 + n) for n in range(10)),
}
_SEPARATORS = [
    " ",
    "-",
    ".",
    "+",
    "/",
    "\u00a0",
    "\u2010",
    "\u2013",
    "\u2014",
    "\u2212",
    "\uff0d",
    "%2B",
    "%2D",
    "%20",
    "%E2%80%93",
    "&ndash;",
    "&#8211;",
]


@st.composite
def renderings(draw: st.DrawFn) -> tuple[str, str]:
    """A ten-digit number in one of the ways it is written, and its masked form."""
    digits = draw(st.text("0123456789", min_size=10, max_size=10))
    script = _DIGITS[draw(st.sampled_from(sorted(_DIGITS)))]
    shown = "".join(script[int(d)] for d in digits)
    separator = draw(st.sampled_from(_SEPARATORS))
    layout = draw(st.sampled_from(["6+4", "4+6", "2+2+2+4", "2+2+2+2+2", "6 - 4", "10"]))
    if layout == "10":
        text = shown
    elif layout == "6 - 4":
        text = f"{shown[:6]} - {shown[6:]}"
    else:
        cuts, start, parts = [int(n) for n in layout.split("+")], 0, []
        for size in cuts:
            parts.append(shown[start : start + size])
            start += size
        text = separator.join(parts)
        if layout == "2+2+2+4":
            text = (
                separator.join(parts[:3]) + draw(st.sampled_from(["", "-", separator])) + parts[3]
            )
    return text, f"{digits[:6]}-****"


# Text that neither continues a number nor joins it to another.
_AROUND = st.text(
    st.characters(categories=["Lu", "Ll", "Zs", "Po"], exclude_characters="." + "/"), max_size=20
).map(lambda text: f"x{text}x")


@given(renderings(), _AROUND, _AROUND)
def test_redact_masks_every_rendering(rendering: tuple[str, str], before: str, after: str) -> None:
    text, masked = rendering
    assert redact(f"{before}{text}{after}") == f"{before}{masked}{after}"


# What redact() deliberately leaves whole: GUIDs and hex digests of 32+ characters.
_KEPT = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}|[0-9A-Fa-f]{32,})"
    r"(?![0-9A-Za-z])"
)


def test_mask_input() -> None:
    assert mask_input("0702614o74") == "070261-****"
    assert mask_input(" 070 261 4 ") == "070261-****"
    assert mask_input("1234") == "****"


def _record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("httpx", logging.INFO, __file__, 1, msg, args, exc_info)


def test_filter_formats_arguments_then_masks() -> None:
    record = _record(
        'HTTP Request: %s %s "%s"', "GET", httpx.URL("https://h/api/x?cpr=0702614074"), 200
    )
    assert CprRedactingFilter().filter(record) is True
    assert record.getMessage() == 'HTTP Request: GET https://h/api/x?cpr=070261-**** "200"'
    assert record.args is None


def test_filter_masks_traceback_and_stack() -> None:
    try:
        raise RuntimeError("bad cpr 0702614074")
    except RuntimeError as exc:
        record = _record("failed", exc=exc)
    record.stack_info = "Stack: cpr 0107529039"
    CprRedactingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "0702614074" not in text
    assert "0107529039" not in text
    assert "bad cpr 070261-****" in text


def test_filter_survives_a_broken_format_string() -> None:
    record = _record("%d items for 0702614074", "not a number")
    CprRedactingFilter().filter(record)
    assert "0702614074" not in record.getMessage()


def test_install_covers_library_loggers_and_is_idempotent() -> None:
    install_log_redaction()
    install_log_redaction()
    names = ["httpx", "kpb_ext"] + [
        name for name in logging.root.manager.loggerDict if name.startswith(("httpcore.", "httpx."))
    ]
    # httpcore's loggers exist once its modules are imported, as httpx imports them.
    assert httpcore is not None
    assert {"httpcore.connection", "httpcore.http11"} <= set(names)
    for name in names:
        filters = [f for f in logging.getLogger(name).filters if isinstance(f, CprRedactingFilter)]
        assert len(filters) == 1, name


def test_redact_keeps_only_the_numbers_asked_for_however_written() -> None:
    keep = frozenset({"0702614074"})
    text = "0702614074 070261-4074 07 02 61 40 74 2304851234 230485-1234"
    assert redact(text, keep=keep) == (
        "0702614074 070261-4074 07 02 61 40 74 230485-**** 230485-****"
    )
    assert redact(text) == "070261-**** " * 3 + "230485-**** 230485-****"


def test_printable_escapes_what_would_act_on_a_terminal() -> None:
    assert printable("Rønne") == "Rønne"
    assert printable("a\x1b[2Jb\u202ec\r\n") == "a\\x1b[2Jb\\u202ec\\r\\n"
