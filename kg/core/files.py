"""Atomic file writes: readers see the old content or the new, never a partial file.

The one place the library writes files for users: the canonical formatter and the build (one file at a
time) and the page and export writers (several files that must appear together).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write a file so that readers see either the old content or the new, never a partial file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temp(path)
    try:
        with _naming(path), os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_all(files: dict[Path, str]) -> None:
    """Write several files so that either all appear complete or none changes (temp files, then renames)."""
    temps: list[tuple[str, Path]] = []
    try:
        for target, text in sorted(files.items()):
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = _temp(target)
            temps.append((tmp, target))
            with _naming(target), os.fdopen(fd, "wb") as fh:
                fh.write(text.encode("utf-8"))
        mode = 0o666 & ~_umask()
        for tmp, target in temps:
            os.chmod(tmp, mode)  # mkstemp makes 0600 files; exports are ordinary files
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in temps:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise


def _temp(target: Path) -> tuple[int, str]:
    """A temporary file beside ``target``; an error names the target, not the temporary name."""
    try:
        return tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from exc


@contextmanager
def _naming(path: Path) -> Iterator[None]:
    """Give a write error (a full disk has no file name of its own) the name of the file being written."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
