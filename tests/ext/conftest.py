"""Fixtures of the kpb_ext tests; the certificates and HTTPS servers are the root
conftest's."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
