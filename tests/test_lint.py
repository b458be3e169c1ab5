"""ruff and mypy are part of the suite, so the one test command checks everything."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def test_ruff_is_clean():
    result = _run("ruff", "check", "kg", "tests", "bench", "ontology")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean():
    if shutil.which("mypy") is None and _run("mypy", "--version").returncode != 0:
        raise AssertionError("mypy is not installed: install the test extra")
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
