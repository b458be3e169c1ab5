"""Issue 14: a full disk or a read-only folder ends in one line naming the file, and changes nothing.

The disk is a real one: a small tmpfs mounted for the test (needs root; otherwise the build case runs
with a patched write that fails as a full disk does, and the other cases are skipped).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

MINI = Path(__file__).parent / "fixtures" / "mini"
NT = '<http://identifiers.org/hgnc/1111> <http://www.w3.org/2000/01/rdf-schema#label> "gene one" .\n'


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int = 8192) -> None:
    """Fill ``disk`` up to ``leave`` free bytes."""
    st = os.statvfs(disk)
    free = st.f_bavail * st.f_frsize
    with (disk / "filler").open("wb") as f:
        f.write(b"\0" * max(0, free - leave))


def read_only(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*")) if p.name != "filler"}


def changed_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    st = data / "statements" / "core.tsv"
    st.write_text(st.read_text("utf-8").replace("neutralises VEGF-A", "binds and neutralises VEGF-A"), "utf-8")
    return data


def test_build_on_a_full_disk_keeps_the_previous_build_whole(cli, small_disk: Path, tmp_path: Path):
    out = small_disk / "build"
    assert cli("build", "--out", str(out), data=MINI).exit_code == 0
    before = snapshot(out)
    fill(small_disk)
    r = cli("build", "--out", str(out), data=changed_data(tmp_path))
    assert r.exit_code == 1
    assert r.output == f"kg: error: No space left on device: {out / 'ivkg.nt'}\n"
    assert snapshot(out) == before  # the three files as they were, and no temporary file left


def test_build_with_a_failing_write_keeps_the_previous_build_whole(cli, tmp_path: Path, monkeypatch):
    from kg.core import files

    out = tmp_path / "build"
    assert cli("build", "--out", str(out), data=MINI).exit_code == 0
    before = snapshot(out)
    real = files.os.fdopen
    calls = []

    def fdopen(fd: int, mode: str = "r"):  # the second file of the unit fails as a full disk would
        fh = real(fd, mode)
        calls.append(fd)
        if len(calls) == 2:
            def write(data: bytes) -> int:
                raise OSError(errno.ENOSPC, "No space left on device")
            fh.write = write  # type: ignore[method-assign]
        return fh

    monkeypatch.setattr(files.os, "fdopen", fdopen)
    r = cli("build", "--out", str(out), data=changed_data(tmp_path))
    assert (r.exit_code, r.output) == (1, f"kg: error: No space left on device: {out / 'ivkg.ttl'}\n")
    assert snapshot(out) == before


def test_fmt_on_a_full_disk(cli, small_disk: Path):
    data = small_disk / "data"
    shutil.copytree(MINI, data)
    table = data / "entities" / "core.tsv"
    lines = table.read_text("utf-8").splitlines(keepends=True)
    table.write_text(lines[0] + "".join(reversed(lines[1:])), "utf-8")  # not in canonical order
    before = snapshot(data)
    fill(small_disk, leave=0)
    r = cli("fmt", data=data)
    assert (r.exit_code, r.output) == (1, f"kg: error: No space left on device: {table}\n")
    assert snapshot(data) == before


def test_import_on_a_full_disk_leaves_the_store_unchanged(cli, small_disk: Path, tmp_path: Path):
    src = tmp_path / "g.nt"
    src.write_text(NT, "utf-8")
    store = small_disk / "store"
    assert cli("--store", str(store), "import", str(src), data=MINI).exit_code == 0
    before = snapshot(store)
    fill(small_disk, leave=0)
    r = cli("--store", str(store), "import", str(src), data=MINI)
    assert r.exit_code == 1 and len(r.output.splitlines()) == 1
    assert r.output.startswith("kg: error: ") and "No space left on device" in r.output
    assert str(store) in r.output
    assert snapshot(store) == before


def test_build_and_import_into_a_read_only_folder(cli, small_disk: Path, tmp_path: Path):
    src = tmp_path / "g.nt"
    src.write_text(NT, "utf-8")
    store, out = small_disk / "store", small_disk / "build"
    assert cli("--store", str(store), "import", str(src), data=MINI).exit_code == 0
    assert cli("build", "--out", str(out), data=MINI).exit_code == 0
    before = snapshot(small_disk)
    read_only(small_disk)
    r = cli("build", "--out", str(out), data=MINI)
    assert (r.exit_code, r.output) == (1, f"kg: error: Read-only file system: {out / 'ivkg.nt'}\n")
    r = cli("--store", str(store), "import", str(src), data=MINI)
    assert r.exit_code == 1 and r.output.startswith(f"kg: error: Read-only file system: {store}/gen-")
    assert len(r.output.splitlines()) == 1
    assert snapshot(small_disk) == before
