"""KpbDateTime: KPB's naive local time with 0 to 7 fractional digits, and nothing else."""

from __future__ import annotations

import pytest

from contract_tests._spec import load_spec
from tests.support.validators import schema_validator


@pytest.mark.parametrize(
    "value",
    [
        "2018-04-16T00:00:00",
        "2018-02-09T11:54:36.9625113",
        "2018-05-25T10:36:07.409073",
        "2018-05-25T10:11:16.376613",
        "2018-05-25T10:36:07.4",
        "2024-02-29T23:59:59.0000001",
    ],
)
def test_accepts_kpb_forms(value: str) -> None:
    schema_validator("KpbDateTime").validate(value)


@pytest.mark.parametrize(
    "value",
    [
        "2018-02-09T11:54:36.96251134",  # 8 digits
        "2018-02-09T11:54:36Z",
        "2018-02-09T11:54:36+01:00",
        "2018-02-09 11:54:36",
        "2018-02-09",
        "25-05-2018 11:00",
        "2018-13-09T11:54:36",
        "2018-02-09T24:00:00",
        "2018-02-09T11:54:36.",
    ],
)
def test_rejects_other_forms(value: str) -> None:
    assert not schema_validator("KpbDateTime").is_valid(value)


def test_is_not_rfc3339_date_time() -> None:
    schema = load_spec()["components"]["schemas"]["KpbDateTime"]
    assert "format" not in schema, "format: date-time would reject every real KPB timestamp"
    assert schema["x-kpb-time-zone"] == "Europe/Copenhagen"
