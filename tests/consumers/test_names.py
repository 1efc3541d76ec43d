"""Every schema a generator would otherwise name itself has a name in the spec.

An inline open code set named by openapi-generator replaced the enum schema of the same
name. The static check needs no generator; the generator's own log is the second check,
and both must fail on a copy of the spec with the inline code set put back.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .build import ROOT, SPEC, SPEC_3_0, ConsumerCheckFailed, generate
from .naming import naming_problems

RENDERER = ROOT / "scripts" / "render-openapi-3.0"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def with_inline_code_set(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as it was: ApplicationStatus.Code an inline anyOf, not a named schema."""
    broken = copy.deepcopy(spec)
    schemas = broken["components"]["schemas"]
    schemas["ApplicationStatus"]["properties"]["Code"] = copy.deepcopy(
        schemas.pop("OpenApplicationStatusCode")
    )
    return broken


@pytest.mark.parametrize("path", [SPEC, SPEC_3_0], ids=["3.1 source", "3.0 rendition"])
def test_spec_names_every_schema_a_generator_would_name(path: Path) -> None:
    assert naming_problems(load(path)) == []


def test_static_check_reports_the_collision() -> None:
    problems = naming_problems(with_inline_code_set(load(SPEC)))
    assert len(problems) == 1
    assert problems[0].startswith("collision: ApplicationStatus.Code is an inline anyOf")
    assert "names ApplicationStatusCode, the name of the component schema" in problems[0]


def test_static_check_reports_an_unnamed_inline_object() -> None:
    spec = load(SPEC)
    media = spec["paths"]["/Application"]["get"]["responses"]["200"]["content"]
    media["application/json"]["schema"] = {"type": "object", "properties": {"X": {}}}
    assert naming_problems(spec) == [
        "unnamed: GET /Application 200 application/json is an inline object that generators "
        "name themselves (GetApplications200Response); name it in components/schemas."
    ]


def test_consumer_check_fails_on_a_reintroduced_collision(build_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "kpb.openapi.yaml"
    source.write_text(yaml.safe_dump(with_inline_code_set(load(SPEC))), encoding="utf-8")
    rendition = tmp_path / "kpb.openapi-3.0.yaml"
    subprocess.run(
        [sys.executable, RENDERER, "--source", source, "--output", rendition], check=True
    )
    out = build_dir / "broken-java"

    with pytest.raises(ConsumerCheckFailed, match=r"collision: ApplicationStatus\.Code") as static:
        generate("java", out, spec=rendition)
    # Without the static check, openapi-generator's log gives the collision away.
    with pytest.raises(ConsumerCheckFailed) as generated:
        generate("java", out, spec=rendition, check_names_first=False)

    assert "collision" in str(static.value)
    assert (
        "collision: openapi-generator created the inline schema ApplicationStatus_Code, whose "
        "class ApplicationStatusCode replaces the component schema ApplicationStatusCode"
    ) in str(generated.value)
