"""Shared fixtures. Tests that assert facts of the real curated graph use ``curated_kg``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "curated: asserts facts of the real curated graph in data/")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")
    config.addinivalue_line("markers", "browser: needs headless Chromium")


@pytest.fixture(scope="session")
def curated_kg():
    from kg.curation.read import load

    return load(DATA)


@pytest.fixture(scope="session")
def curated_nx(curated_kg):
    from kg.graphs.nx import to_networkx

    return to_networkx(curated_kg)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the curated data folder."""
    dst = tmp_path / "data"
    shutil.copytree(DATA, dst)
    return dst


@pytest.fixture
def cli():
    """Run the ``kg`` CLI in-process: ``cli("show", "PD-L1", "--format", "json")``."""
    from kg.cli import main

    runner = CliRunner()

    def run(*args: str, data: Path | None = None):
        argv = (["--data", str(data)] if data else []) + list(args)
        return runner.invoke(main, argv, catch_exceptions=False)

    return run


def stop(proc: subprocess.Popen, wait: float = 15) -> None:  # type: ignore[type-arg]
    """End a test's server process: politely, then by force if it has not gone within ``wait`` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def serving(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`kg serve --port 0` (with ``args``; ``--store DIR`` goes before the command) in a subprocess, and
    the query URL it prints; stopped on exit. Used by the endpoint and remote-path tests."""
    kg = str(Path(sys.executable).parent / "kg")
    argv = [kg, *args, "serve", "--port", "0"] if args and args[0].startswith("--store") else \
        [kg, "serve", "--port", "0", *args]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()  # "serving SPARQL at http://127.0.0.1:PORT/query ..."
    assert "serving SPARQL at http://127.0.0.1:" in line, line
    try:
        yield proc, line.split()[3]
    finally:
        stop(proc)
