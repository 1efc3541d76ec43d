"""Generate, compile and run clients in other languages, as a team using the spec would.

Each client is generated at test time from the OpenAPI 3.0.3 rendition with
openapi-generator (pinned in requirements/consumers.txt) and the settings in
spec/generators/, into build/consumers/ (ignored by git). Nothing generated is committed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .naming import generated_class_name, naming_problems

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec" / "kpb.openapi.yaml"
SPEC_3_0 = ROOT / "spec" / "kpb.openapi-3.0.yaml"
GENERATORS = ROOT / "spec" / "generators"
CONSUMERS = ROOT / "spec" / "consumers"
TOOLING = ROOT / "spec" / "tooling"
BUILD = ROOT / "build" / "consumers"

# The Java client's runtime dependencies (library `native`): Jackson and two annotation
# jars. They are read from the local Maven repository, or Debian's /usr/share/java.
JAVA_JARS = (
    ("com.fasterxml.jackson.core", "jackson-core", "2.17.2"),
    ("com.fasterxml.jackson.core", "jackson-databind", "2.17.2"),
    ("com.fasterxml.jackson.core", "jackson-annotations", "2.17.2"),
    ("com.fasterxml.jackson.datatype", "jackson-datatype-jsr310", "2.17.1"),
    ("javax.annotation", "javax.annotation-api", "1.3.2"),
    ("com.google.code.findbugs", "jsr305", "3.0.2"),
)

# openapi-generator logs this for every response whose schema is a reference to an array
# (HelloWorld): it looks up a schema name for the array's unnamed items. Nothing is lost:
# getTest() returns a list of strings in every language.
HARMLESS = ("Failed to get the schema name: null",)

_INLINE = re.compile(r"Inline schema created as (\S+?)\.")


class ConsumerCheckFailed(AssertionError):
    """A generated client could not be made, or did not behave as the spec says."""


@dataclass(frozen=True)
class Generated:
    generator: str
    directory: Path
    log: str


def tool_missing() -> str | None:
    """Why the consumer checks cannot run here, or None."""
    if openapi_generator() is None:
        return "openapi-generator-cli is not installed (pip install -r requirements/consumers.txt)"
    for program in ("java", "javac", "node"):
        if shutil.which(program) is None:
            return f"{program} is not installed"
    if not (TOOLING / "node_modules" / ".bin" / "tsc").exists():
        return "spec/tooling is not installed (npm ci --prefix spec/tooling)"
    return None


def openapi_generator() -> str | None:
    beside = Path(sys.executable).parent / "openapi-generator-cli"
    return str(beside) if beside.exists() else shutil.which("openapi-generator-cli")


def run(args: Sequence[str | Path], *, cwd: Path | None = None, **env: str) -> str:
    """Run a command; its output, or a failure that shows the output."""
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )
    if result.returncode != 0:
        raise ConsumerCheckFailed(
            f"{Path(str(args[0])).name} exited {result.returncode}:\n"
            f"{_shortened(result.stdout)}\n{_shortened(result.stderr)}"
        )
    return result.stdout


def _shortened(text: str, keep: int = 3000) -> str:
    """The start (where Java names the error) and the end of a long output."""
    return text if len(text) <= 2 * keep else f"{text[:keep]}\n[...]\n{text[-keep:]}"


def generation_problems(log: str, spec: Mapping[str, Any]) -> list[str]:
    """What openapi-generator complained about, and every model it had to name itself."""
    components = {
        generated_class_name(name): name for name in spec.get("components", {}).get("schemas", {})
    }
    problems = []
    for name in _INLINE.findall(log):
        clash = components.get(generated_class_name(name))
        if clash is not None:
            problems.append(
                f"collision: openapi-generator created the inline schema {name}, whose class "
                f"{generated_class_name(name)} replaces the component schema {clash}"
            )
        else:
            problems.append(f"unnamed: openapi-generator created the inline schema {name}")
    for line in log.splitlines():
        if (" WARN " in line or " ERROR " in line) and not any(h in line for h in HARMLESS):
            problems.append(line.strip())
    return problems


def generate(
    language: str,
    out: Path,
    spec: Path = SPEC_3_0,
    config: Path | None = None,
    *,
    check_names_first: bool = True,
) -> Generated:
    """Generate the client for ``language`` (a file in spec/generators) from ``spec``.

    The cheap static naming check runs first; then the generator's log must be free of
    warnings, errors and inline schemas it had to name.
    """
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    problems = naming_problems(document) if check_names_first else []
    if problems:
        raise ConsumerCheckFailed(f"{spec.name}: " + "\n".join(problems))
    if out.exists():
        shutil.rmtree(out)
    generator = openapi_generator()
    assert generator is not None, tool_missing()
    config = config or GENERATORS / f"{language}.yaml"
    log = run([generator, "generate", "-i", spec, "-c", config, "-o", out])
    problems = generation_problems(log, document)
    if problems:
        raise ConsumerCheckFailed(f"{language} from {spec.name}:\n" + "\n".join(problems))
    return Generated(language, out, log)


def java_classpath() -> list[Path]:
    found = []
    m2 = Path.home() / ".m2" / "repository"
    for group, artifact, version in JAVA_JARS:
        jar = m2 / group.replace(".", "/") / artifact / version / f"{artifact}-{version}.jar"
        debian = Path("/usr/share/java") / f"{artifact}.jar"
        if jar.exists():
            found.append(jar)
        elif debian.exists():
            found.append(debian)
        else:
            raise ConsumerCheckFailed(
                f"{group}:{artifact}:{version} is in neither {m2} nor /usr/share/java"
            )
    return found


@dataclass(frozen=True)
class JavaConsumer:
    classes: Path
    classpath: list[Path]

    def __call__(self, *args: str | Path) -> list[dict[str, Any]]:
        path = os.pathsep.join(str(p) for p in [self.classes, *self.classpath])
        return json_lines(run(["java", "-cp", path, "KpbLookups", *args]))


def build_java(generated: Generated) -> JavaConsumer:
    classes = generated.directory / "classes"
    classpath = java_classpath()
    sources = sorted((generated.directory / "src" / "main" / "java").rglob("*.java"))
    run(
        [
            "javac",
            "-nowarn",
            "-encoding",
            "UTF-8",
            "-d",
            classes,
            "-cp",
            os.pathsep.join(map(str, classpath)),
            *sources,
            CONSUMERS / "java" / "KpbLookups.java",
        ]
    )
    return JavaConsumer(classes, classpath)


@dataclass(frozen=True)
class NodeConsumer:
    script: Path

    def __call__(self, *args: str | Path) -> list[dict[str, Any]]:
        return json_lines(run(["node", self.script, *args]))


def build_typescript(generated: Generated, workdir: Path) -> NodeConsumer:
    """Type-check the consumer with the generated client under ``tsc --strict``, emit JS."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    shutil.copytree(generated.directory / "src", workdir / "kpb-client" / "src")
    for name in ("lookups.ts", "tsconfig.json"):
        shutil.copy(CONSUMERS / "typescript" / name, workdir / name)
    (workdir / "node_modules").symlink_to(TOOLING / "node_modules", target_is_directory=True)
    run([TOOLING / "node_modules" / ".bin" / "tsc", "--project", workdir / "tsconfig.json"])
    return NodeConsumer(workdir / "out" / "lookups.js")


def json_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]
