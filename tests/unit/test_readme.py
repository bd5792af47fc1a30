"""README.md is assembled from docs/ and shows the commands that really exist."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_readme_is_current() -> None:
    proc = subprocess.run(
        [sys.executable, "scripts/build_readme.py", "--check"], cwd=ROOT, capture_output=True
    )
    assert proc.returncode == 0, proc.stderr.decode()


def test_readme_references_screenshots_that_exist() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [part.split(")")[0] for part in text.split("(screenshots/")[1:]]
    assert names, "the README shows no screenshot"
    for name in names:
        assert (ROOT / "screenshots" / name).is_file(), name


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = "python -m pytest -q -n auto"
    assert f".venv/bin/{command}\n" in readme and f"\n{command}\n" in ci
