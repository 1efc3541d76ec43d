"""Masking of CPR numbers in text, log records and tracebacks.

A CPR number is masked to its birth date and four stars: ``070261-****``. Anything
shaped like one is masked, whether or not it is a valid number: ten digits in a row,
or six and four digits split by a hyphen, a space, ``+`` or their URL encodings, even
inside a longer run of digits (a mistyped number may hold a real one). The price is an
occasional harmless mask on something else, such as a long integer. Two things that
support staff must be able to read are left whole: GUIDs, and hexadecimal digests of 32
or more characters such as certificate thumbprints, which hold ten digits in a row in
about one case in nine.

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

__all__ = [
    "CprRedactingFilter",
    "install_log_redaction",
    "logger",
    "mask_input",
    "redact",
]

#: The logger of this package. One logger, so that one filter covers every module.
logger = logging.getLogger("kpb_ext")

_CPR_SHAPED = re.compile(
    r"(?P<kept>(?<![0-9A-Za-z])(?:"
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"  # GUID
    r"|[0-9A-Fa-f]{32,}"  # digest, thumbprint
    r")(?![0-9A-Za-z]))"
    r"|(?P<birth>[0-9]{6})(?:[-\s+]|%2[dD]|%20)?[0-9]{4}"
)


def _mask(match: re.Match[str]) -> str:
    kept = match.group("kept")
    return kept if kept is not None else f"{match.group('birth')}-****"


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


def redact(text: str) -> str:
    """Return *text* with every CPR-shaped number masked as ``DDMMYY-****``."""
    return _CPR_SHAPED.sub(_mask, text)


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
