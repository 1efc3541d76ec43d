"""The HTML API reference: built from the spec by Redocly, opened in headless Chromium.

The screenshot of its front page, build/reference/kpb-api.png, is kept as CI's artifact.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .build import ROOT, run

REFERENCE = ROOT / "build" / "reference"
PAGE = REFERENCE / "kpb-api.html"
SCREENSHOT = REFERENCE / "kpb-api.png"
# Headless and offline: no first-run work, no background traffic, a fresh profile each time.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--virtual-time-budget=10000",
)


@pytest.fixture(scope="module")
def chromium(build_dir: Path) -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("KPB_REQUIRE_CONSUMERS") == "1":
            pytest.fail("chromium is not installed (apt-get install chromium)", pytrace=False)
        pytest.skip("chromium is not installed")
    return found


@pytest.fixture(scope="module")
def page(build_dir: Path) -> Path:
    run([sys.executable, ROOT / "scripts" / "build-reference", "--output", PAGE])
    return PAGE


def browse(chromium: str, profile: Path, *args: str) -> str:
    result = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def visible_text(dom: str) -> str:
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", dom)).split())


def test_front_page_shows_the_error_messages_and_code_tables(
    chromium: str, page: Path, tmp_path: Path
) -> None:
    text = visible_text(browse(chromium, tmp_path, "--dump-dom", page.as_uri()))

    for message in (
        'Parameter "cpr" mangler.',
        "Certificate required",
        "Certificate not verified",
        "Certificate doesn't exist",
        "Access not allowed for Certificate",
        "HTTPS Required",
        "No HTTP resource was found that matches the request URI",
    ):
        assert message in text, message
    for code_set, row in (
        ("MedicalCertificateStatusCode", "5 Inaktiv"),
        ("ApplicationStatusCode", "1 Afventer behandling"),
        ("ExamStatusCode", "11 Aflyst uden refundering"),
        ("ApplicationEventType", "50 Teoriprøve aflyst. Årsag: andet"),
    ):
        assert code_set in text
        assert row in text, row


@pytest.mark.parametrize(
    ("tag", "operation", "detail"),
    [
        ("test", "Connectivity check", "/test"),
        ("medicalcertificate", "Medical certificates of a person", "cpr=0107529039"),
        ("application", "Driving-test applications of a person", "cpr=0706614184"),
    ],
)
def test_each_operation_has_its_page(
    chromium: str, page: Path, tmp_path: Path, tag: str, operation: str, detail: str
) -> None:
    text = visible_text(browse(chromium, tmp_path, "--dump-dom", f"{page.as_uri()}#/{tag}"))
    assert operation in text
    assert detail in text


def test_screenshot_is_saved(chromium: str, page: Path, tmp_path: Path) -> None:
    SCREENSHOT.unlink(missing_ok=True)
    browse(
        chromium, tmp_path, "--window-size=1400,2400", f"--screenshot={SCREENSHOT}", page.as_uri()
    )
    assert SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert SCREENSHOT.stat().st_size > 50_000  # a rendered page, not a blank one
