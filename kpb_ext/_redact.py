"""Masking of CPR numbers in text, log records and tracebacks.

A CPR number is masked to its birth date and four stars: ``070261-****``. Anything
shaped like one is masked, whether or not it is a valid number, in every way people and
programs write one:

- ten digits in a row, or six and four split by a hyphen or any other dash, a space of
  any kind, ``.``, ``+`` or ``/``, or by their URL or HTML encodings (``%2B``, ``%E2%80%93``,
  ``&ndash;``...): ``0702614074``, ``070261-4074``, ``070261.4074``,
  ``070261%2B4074``, ``070261 - 4074``, and the same with an en dash (U+2013);
- the birth date in pairs: ``07.02.61-4074``, ``07 02 61 4074``, ``07 02 61 40 74``;
- four and six: ``0702 614074``;
- in any script's decimal digits, such as full-width ones (U+FF10 to U+FF19).

A number inside a longer run of digits is masked too (a mistyped number may hold a real
one). The price is an occasional harmless mask on something else, such as a long
integer or a phone number written in pairs. Two things that support staff must be able
to read are left whole: GUIDs, and hexadecimal digests of 32 or more characters such as
certificate thumbprints, which hold ten digits in a row in about one case in nine.

httpx logs every request URL, with its ``?cpr=`` query, at INFO on the ``httpx``
logger, and httpcore logs response headers at DEBUG. :func:`install_log_redaction`
puts :class:`CprRedactingFilter` on those loggers and on this package's own. A filter
on a logger applies only to records created on that very logger, not to those of its
children, so every logger the libraries create is named.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Collection

__all__ = [
    "CprRedactingFilter",
    "drop_cut_number",
    "install_log_redaction",
    "logger",
    "mask_input",
    "printable",
    "redact",
]

#: The logger of this package. One logger, so that one filter covers every module.
logger = logging.getLogger("kpb_ext")

# One character or encoding that may stand between the digits of a CPR number.
_DASHES = "\\-\u00ad\u2010-\u2015\u2212\ufe58\ufe63\uff0d"
_SEPARATOR = (
    rf"(?:[\s{_DASHES}.+/\uff0b\uff0e\uff0f\u200b-\u200d\u2060\ufeff]"
    r"|%(?:2[bBdDeEfF0]|[eE]2%80%(?:9[0-5]|8[bB])|[eE]2%88%92|[cC]2%[aA]0)"
    r"|&(?:nbsp|ndash|mdash|minus|hyphen|#[0-9]{2,5}|#[xX][0-9A-Fa-f]{2,4});)"
)
# Between the birth date and the serial number a dash may have spaces around it.
_JOIN = rf"(?:\s{{0,3}}[{_DASHES}]\s{{0,3}}|{_SEPARATOR})"
_D = r"\d"  # any script's decimal digit

_CPR_SHAPED = re.compile(
    r"(?P<kept>(?<![0-9A-Za-z])(?:"
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"  # GUID
    r"|(?=[0-9]*[A-Fa-f])[0-9A-Fa-f]{32,}"  # digest, thumbprint: hex, with a letter in it
    r")(?![0-9A-Za-z]))"
    # 07 02 61 40 74: five pairs, one separator
    rf"|{_D}{{2}}(?P<pairs>{_SEPARATOR}){_D}{{2}}(?P=pairs){_D}{{2}}(?P=pairs)"
    rf"{_D}{{2}}(?P=pairs){_D}{{2}}"
    # 07.02.61-4074: the birth date in pairs, then the serial number
    rf"|{_D}{{2}}(?P<date>{_SEPARATOR}){_D}{{2}}(?P=date){_D}{{2}}{_JOIN}?{_D}{{4}}"
    # 0702 614074
    rf"|{_D}{{4}}{_SEPARATOR}{_D}{{6}}"
    # 0702614074, 070261-4074
    rf"|{_D}{{6}}{_JOIN}?{_D}{{4}}"
)
_DIGIT = re.compile(r"\d")
_SEPARATOR_ONLY = re.compile(_SEPARATOR)
# What a cut through a CPR number may leave at the end of a text: digits, separators and
# the start of an encoding. Looked for in the last characters only, so the search
# stays short whatever the text.
_CUT_TAIL = re.compile(rf"(?:{_D}|{_SEPARATOR}|[%&][#0-9A-Za-z]{{0,7}})+\Z")
_CUT_WINDOW = 128


def _digits(match: re.Match[str]) -> str:
    # Separators first: an encoded one (%2B, &#8211;) holds digits of its own.
    return "".join(str(int(d)) for d in _DIGIT.findall(_SEPARATOR_ONLY.sub("", match.group())))


def _mask(match: re.Match[str]) -> str:
    kept = match.group("kept")
    if kept is not None:
        return kept
    return _digits(match)[:6] + "-****"


# Loggers of the installed httpx 0.28 / httpcore 1.0 (module-level getLogger calls).
_LIBRARY_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
_PREFIXES = ("httpx.", "httpcore.", "kpb_ext.")

_install_lock = threading.Lock()


def redact(text: str, *, keep: Collection[str] = ()) -> str:
    """Return *text* with every CPR-shaped number masked as ``DDMMYY-****``, except the
    numbers in *keep* (10 digits each, however *text* writes them): for fictitious test
    numbers, which reports name whole."""
    if not keep:
        return _CPR_SHAPED.sub(_mask, text)

    def mask_unless_kept(match: re.Match[str]) -> str:
        if match.group("kept") is None and _digits(match) in keep:
            return match.group()
        return _mask(match)

    return _CPR_SHAPED.sub(mask_unless_kept, text)


def printable(text: str) -> str:
    """*text* with every character that is not printable escaped (``\x1b``, ``\u202e``),
    so that text a server sent cannot move a terminal's cursor or reorder its line. Line
    breaks are escaped too: call it on each line of a text of several."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def drop_cut_number(text: str) -> str:
    """*text* without the digits and separators at its end.

    For a text cut from a longer one before masking: a CPR number split by the cut is
    no longer CPR-shaped, so :func:`redact` would leave its first digits readable.
    """
    found = _CUT_TAIL.search(text, max(0, len(text) - _CUT_WINDOW))
    return text[: found.start()] if found else text


def mask_input(text: str) -> str:
    """A masked label for user input that may hold a CPR number, valid or not.

    Keeps at most the first six characters (the birth date part) and replaces the rest
    by ``****``, so that a mistyped number is shown no more than a valid one.
    """
    compact = "".join(text.split())
    if len(compact) <= 6:
        return "*" * len(compact)
    return compact[:6] + "-****"


class CprRedactingFilter(logging.Filter):
    """Rewrites a log record's message, traceback and stack with CPR numbers masked.

    The message is formatted with its arguments first, so a number passed as an
    argument (as httpx passes the URL) is masked as well. The filter never drops a
    record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken format string: mask what there is
            message = f"{record.msg} {record.args}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = CprRedactingFilter()


def install_log_redaction() -> None:
    """Put the CPR filter on the httpx, httpcore and ``kpb_ext`` loggers.

    Called whenever a client is created; calling it again adds nothing. Loggers
    created later below ``httpx.``, ``httpcore.`` or ``kpb_ext.`` are covered by the
    next call.
    """
    with _install_lock:
        names = {*_LIBRARY_LOGGERS, logger.name}
        names.update(
            name for name in list(logging.root.manager.loggerDict) if name.startswith(_PREFIXES)
        )
        for name in names:
            target = logging.getLogger(name)
            if not any(isinstance(f, CprRedactingFilter) for f in target.filters):
                target.addFilter(_FILTER)
