"""``kg build``: the validated graph written to a folder, deterministically.

Same input, byte-identical output: N-Triples are sorted, Turtle comes from a graph built in a fixed
order, and the manifest records counts and SHA-256 digests (no timestamps).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from kg.core.files import write_all
from kg.core.model import KG


def build_graph(kg: KG, out_dir: Path) -> dict[str, Any]:
    from kg.graphs.cards import stats
    from kg.graphs.rdf import to_ntriples, to_turtle

    nt = to_ntriples(kg)
    outputs: dict[str, str] = {"ivkg.nt": nt, "ivkg.ttl": to_turtle(kg)}
    counts = stats(kg)
    manifest: dict[str, Any] = {
        "counts": {"entities": counts["entities"], "statements": counts["statements"],
                   "trials": counts["trials"], "outcomes": counts["outcomes"],
                   "publications": counts["publications"], "triples": nt.count("\n")},
        "files": {},
    }
    # Render everything first, write afterwards: an error while rendering leaves no file behind.
    for name, text in outputs.items():
        data = text.encode("utf-8")
        manifest["files"][name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    # The three files are one unit: a full disk or a crash leaves the previous build whole, never a new
    # ivkg.nt beside an old ivkg.ttl and a manifest whose digests match neither.
    files = {out_dir / name: text for name, text in outputs.items()}
    files[out_dir / "manifest.json"] = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    write_all(files)
    return manifest
