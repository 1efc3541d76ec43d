"""An async transport that spreads requests over several small connection pools.

httpcore 1.0's pool walks all of its connections, and for each idle one counts the idle
ones again, every time a request starts and every time one ends: work that grows with
the square of the connections (encode/httpcore#1035). At a batch's concurrency of 32 or
64 against a KPB some 50 ms away, that bookkeeping, not the network, became the limit:
the event loop fell behind, and the p99 of one lookup grew from 60 ms to seconds.

Here each request goes to the pool with the fewest requests in flight (the first one on
a tie, so that one-at-a-time use keeps a single connection), and no pool holds more than
``pool_size`` connections. The total number of connections stays what the batch's
concurrency asks for.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from typing import Any, Final

import httpx

__all__ = ["SpreadTransport"]

#: Connections per pool: few enough that a pool's bookkeeping stays cheap.
POOL_SIZE: Final = 8


class _Released(httpx.AsyncByteStream):
    """The response body; the pool's count drops when it is closed."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Any) -> None:
        self._stream = stream
        self._release = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            self._release()


class SpreadTransport(httpx.AsyncBaseTransport):
    """``httpx.AsyncHTTPTransport`` (given ``**options``) over several pools that hold
    ``limits.max_connections`` connections between them, ``pool_size`` each at most."""

    def __init__(self, *, limits: httpx.Limits, pool_size: int = POOL_SIZE, **options: Any) -> None:
        total = limits.max_connections or pool_size
        size = min(pool_size, total)
        per_pool = httpx.Limits(
            max_connections=size,
            max_keepalive_connections=size,
            keepalive_expiry=limits.keepalive_expiry,
        )
        self._pools = [
            httpx.AsyncHTTPTransport(limits=per_pool, **options)
            for _ in range(math.ceil(total / size))
        ]
        self._in_flight = [0] * len(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = min(range(len(self._pools)), key=self._in_flight.__getitem__)
        self._in_flight[index] += 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._in_flight[index] -= 1

        try:
            response = await self._pools[index].handle_async_request(request)
        except BaseException:
            release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Released(response.stream, release)
        return response

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()
