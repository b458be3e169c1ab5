"""The notebooks run top to bottom in a kernel of this interpreter (no network), each within a minute, and
are committed without outputs."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NB_DIR.glob("*.ipynb"))
EXPECTED = ["01-tour.ipynb", "02-why-combine.ipynb", "03-clinical-evidence.ipynb",
            "04-extending-the-graph.ipynb"]
KERNEL = "ivkg-test-python"
LIMIT_SECONDS = 60


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A private kernelspec that launches ipykernel with *this* interpreter, found through JUPYTER_PATH,
    so the test needs neither an installed kernelspec nor network."""
    pytest.importorskip("ipykernel")
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "ivkg test (current interpreter)", "language": "python",
    }), encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_PATH", str(root))
    mp.delenv("IVKG_FIGURE_DIR", raising=False)
    yield KERNEL
    mp.undo()


def test_the_four_notebooks_exist() -> None:
    assert [p.name for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path, kernel_name: str) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    started = time.monotonic()
    # A failing cell raises CellExecutionError, which fails the test with the cell's traceback.
    nbclient.NotebookClient(nb, timeout=LIMIT_SECONDS, kernel_name=kernel_name,
                            resources={"metadata": {"path": str(NB_DIR)}}).execute()
    elapsed = time.monotonic() - started
    print(f"{path.name} ran in {elapsed:.1f} s")  # the per-cell timeout above is the hang guard
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert images >= {"01-tour": 0, "02-why-combine": 1, "03-clinical-evidence": 3,
                      "04-extending-the-graph": 0}[path.stem]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts; clear them before committing"
    assert "widgets" not in nb.get("metadata", {})


def test_readme_links_every_notebook_and_shows_a_figure() -> None:
    readme = (NB_DIR / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"]({path.name})" in readme, path.name
    assert "](../docs/img/clinical-response.png)" in readme
    assert (ROOT / "docs" / "img" / "clinical-response.png").is_file()
