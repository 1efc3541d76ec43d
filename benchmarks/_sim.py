"""The simulator in its own process, holding enough test persons for a batch.

The simulator runs as ``python -m kpb_sim`` in a separate process, so that client and
server do not share a GIL, and serves a data file made here: the seven persons of
Bilag A, then synthetic persons that each carry the records of one Bilag A person in
turn. A batch of distinct CPR numbers therefore gets real bodies back (1 to 2.6 KB),
not empty lists.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import yaml

from kpb_ext import ClientCertificate
from kpb_sim import create_certificates, load_persons


def bilag_a_cprs() -> list[str]:
    """The CPR numbers of Bilag A's seven test persons, in the document's order."""
    return list(load_persons())


def synthetic_cprs(count: int) -> list[str]:
    """*count* distinct valid CPR numbers: one per day from 1 January 1940.

    The seventh digit is 0, which puts the birth year in the 1900s by the century rule.
    """
    first = dt.date(1940, 1, 1)
    numbers = []
    for index in range(count):
        day = first + dt.timedelta(days=index)
        numbers.append(f"{day:%d%m%y}0{index % 1000:03d}")
    return numbers


def write_data(path: Path, synthetic: int) -> Path:
    """A simulator data file: Bilag A, then *synthetic* persons reusing its records.

    The records of each Bilag A person are shared objects, so that the YAML dumper
    writes them once with an anchor and the file stays small.
    """
    persons = list(load_persons().values())
    entries: list[dict[str, Any]] = [
        {
            "cpr": person.cpr,
            "label": person.label,
            "MedicalCertificates": person.medical_certificates,
            "Applications": person.applications,
        }
        for person in persons
    ]
    for index, cpr in enumerate(synthetic_cprs(synthetic)):
        model = entries[index % len(persons)]
        entries.append(
            {
                "cpr": cpr,
                "label": f"synthetic {index + 1} ({model['label']})",
                "MedicalCertificates": model["MedicalCertificates"],
                "Applications": model["Applications"],
            }
        )
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with path.open("w", encoding="utf-8") as file:
        yaml.dump({"persons": entries}, file, Dumper=dumper, allow_unicode=True)
    return path


@dataclass(frozen=True)
class Target:
    """Where the simulator listens, and the files of its registered client certificate."""

    base_url: str
    ca_cert: str
    cert: str
    key: str

    def certificate(self) -> ClientCertificate:
        return ClientCertificate.from_pem(self.cert, self.key)


class SimulatorProcess:
    """``python -m kpb_sim --announce-json`` in a child process, stopped with SIGTERM.

    *options* go to the simulator's command line, for example ``["--latency", "50"]``.
    """

    def __init__(self, directory: Path, synthetic: int, options: list[str] | None = None) -> None:
        self.directory = directory
        self.synthetic = synthetic
        self.options = options or []
        self._process: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None

    def __enter__(self) -> Target:
        self.directory.mkdir(parents=True, exist_ok=True)
        certificates = create_certificates(self.directory / "certs")
        data = write_data(self.directory / "persons.yaml", self.synthetic)
        self._log = (self.directory / "simulator.log").open("w", encoding="utf-8")
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kpb_sim",
                "--cert-dir",
                str(certificates.directory),
                "--data",
                str(data),
                "--announce-json",
                *self.options,
            ],
            stdout=subprocess.PIPE,
            stderr=self._log,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            self.__exit__()
            log = (self.directory / "simulator.log").read_text(encoding="utf-8")
            raise RuntimeError(f"the simulator did not start:\n{log}")
        announced = json.loads(line)
        client = announced["clients"]["registered"]
        return Target(announced["base_url"], announced["ca_cert"], client["cert"], client["key"])

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the simulator process has used so far (Linux)."""
        assert self._process is not None
        stat = Path(f"/proc/{self._process.pid}/stat").read_text(encoding="ascii")
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *exc_info: object) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None


def cycle(items: list[str], count: int) -> Iterator[str]:
    """*count* items, going round *items*."""
    for index in range(count):
        yield items[index % len(items)]
