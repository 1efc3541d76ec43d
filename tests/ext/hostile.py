"""Answers a hostile server gives, as ``Reply(write=...)`` for :class:`servers.TestServer`.

A gzip bomb (3 MB that expand to 3 GB), a 500 MB body with a Content-Length or chunked,
and a server that drips one byte every few seconds. Each writes straight to the TLS
connection, so nothing is buffered on the server's side either.
"""

from __future__ import annotations

import functools
import struct
import time
import zlib
from collections.abc import Callable
from typing import Any

from .servers import Reply

MiB = 1024 * 1024
Write = Callable[[Any], None]


@functools.cache
def gzip_bomb(expanded_mib: int = 3 * 1024) -> bytes:
    """A valid gzip member of *expanded_mib* MiB of zeros, about 1/1000 of that in size.

    One MiB of zeros is compressed once, after a full flush (so that it refers to nothing
    before it), and repeated; the trailer carries the CRC and size of the whole.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(MiB)
    head = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush(zlib.Z_FINISH)[:-8]  # the last block without the trailer
    crc = 0
    for _ in range(expanded_mib):
        crc = zlib.crc32(zeros, crc)
    trailer = struct.pack("<II", crc, (expanded_mib * MiB) & 0xFFFFFFFF)
    return head + block * (expanded_mib - 1) + end + trailer


def _head(status: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode("latin-1")


def bomb() -> Reply:
    body = gzip_bomb()

    def write(out: Any) -> None:
        out.write(
            _head(
                "200 OK",
                {
                    "Content-Type": "application/json",
                    "Content-Encoding": "gzip",
                    "Content-Length": str(len(body)),
                },
            )
        )
        for start in range(0, len(body), 64 * 1024):
            out.write(body[start : start + 64 * 1024])

    return Reply(write=write)


def huge(size: int = 500 * 1000 * 1000, *, chunked: bool) -> Reply:
    """A 200 whose body is *size* bytes of JSON-ish text, sent as fast as it is read."""
    piece = b'{"Applications":[' + b" " * (64 * 1024 - 17)

    def write(out: Any) -> None:
        framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(size)}
        out.write(_head("200 OK", {"Content-Type": "application/json", **framing}))
        sent = 0
        while sent < size:
            data = piece[: size - sent]
            out.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            sent += len(data)
        if chunked:
            out.write(b"0\r\n\r\n")

    return Reply(write=write)


def drip(interval: float, *, phase: str, lasting: float = 60.0) -> Reply:
    """Sends one byte every *interval* seconds, in the status line and headers
    (*phase* "headers") or in the body after complete headers ("body"), for at most
    *lasting* seconds: each read gets a byte well within any per-read timeout."""
    body = b'{"Applications":[]}' + b" " * 10_000

    def write(out: Any) -> None:
        if phase == "headers":
            data = _head("200 OK", {"Content-Length": str(len(body))}) + body
        else:
            out.write(_head("200 OK", {"Content-Length": str(len(body))}))
            out.flush()
            data = body
        ends = time.monotonic() + lasting
        for index in range(len(data)):
            out.write(data[index : index + 1])
            out.flush()
            if time.monotonic() > ends:
                return
            time.sleep(interval)

    return Reply(write=write)
