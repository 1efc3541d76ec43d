"""Files that hold personal data are created 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from kpb_ext import open_private

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_is_private(tmp_path: Path) -> None:
    with open_private(tmp_path / "new.jsonl") as file:
        file.write("æøå\n")
    assert mode(tmp_path / "new.jsonl") == 0o600
    assert (tmp_path / "new.jsonl").read_text(encoding="utf-8") == "æøå\n"


def test_an_existing_file_is_narrowed_and_appended_to(tmp_path: Path) -> None:
    path = tmp_path / "old.jsonl"
    path.write_bytes(b"first\n")
    path.chmod(0o664)
    with open_private(path, "ab") as file:
        file.write(b"second\n")
    assert mode(path) == 0o600
    assert path.read_bytes() == b"first\nsecond\n"


def test_truncating_keeps_the_mode_for_a_file_another_library_writes(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    open_private(path, "x").close()
    path.write_text("<testsuites/>", encoding="utf-8")  # as another library would
    assert mode(path) == 0o600
    with pytest.raises(FileExistsError):
        open_private(path, "x")


def test_a_device_is_left_alone() -> None:
    before = mode(Path("/dev/null"))
    with open_private("/dev/null") as file:
        file.write("nothing")
    assert mode(Path("/dev/null")) == before


def test_only_writing_modes() -> None:
    with pytest.raises(ValueError, match="mode is one of"):
        open_private("x", "r")  # type: ignore[call-overload]
