"""Export the figures of notebook 3 (clinical evidence) to docs/img/ as PNG.

Runs ``03-clinical-evidence.ipynb`` top to bottom in a kernel of this interpreter with
``IVKG_FIGURE_DIR`` set, so the files are exactly the notebook's figures; the notebook itself is not
rewritten (it stays without outputs). Usage, from the repository root::

    python notebooks/export_figures.py            # writes docs/img/clinical-*.png, adverse-events.png
    python notebooks/export_figures.py OUT_DIR
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "03-clinical-evidence.ipynb"
FIGURES = ("clinical-response.png", "clinical-survival.png", "adverse-events.png")


def export(out_dir: Path) -> list[Path]:
    out_dir = out_dir.resolve()
    nb = nbformat.read(NOTEBOOK, as_version=4)
    previous = os.environ.get("IVKG_FIGURE_DIR")
    os.environ["IVKG_FIGURE_DIR"] = str(out_dir)  # the kernel inherits this environment
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(HERE)}}).execute()
    finally:
        if previous is None:
            del os.environ["IVKG_FIGURE_DIR"]
        else:
            os.environ["IVKG_FIGURE_DIR"] = previous
    return [out_dir / name for name in FIGURES]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "docs" / "img"
    for path in export(target):
        print(f"wrote {path} ({path.stat().st_size} bytes)")
