"""The persistent store behind ``--store DIR``: Oxigraph on disk for RDF, numpy arrays for paths and names.

Layout of ``DIR``::

    CURRENT -> gen-<n>        symlink, swapped atomically by os.replace when an import succeeds
    gen-<n>/manifest.json     counts, sources, predicate and category code tables
    gen-<n>/oxigraph/         the RDF store (opened read-only by queries)
    gen-<n>/arrays/*.npy      edges (subject, object, predicate code, evidence rank, source code),
                              CSR indexes out and in, node table (ids, labels, synonyms, categories),
                              hashed name index for resolving names

Opening memory-maps the arrays: nothing is parsed, so it takes milliseconds at any size. Edge ``e`` is
``e_s[e] -e_pred[e]-> e_o[e]`` with source ``sources[e_src[e]]`` (0 is always the curated graph).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kg.core.vocab import CATEGORIES, EVIDENCE_LEVELS, PREDICATES

FORMAT_VERSION = 1
CURATED = "curated"
PREDICATE_KEYS: tuple[str, ...] = tuple(PREDICATES)
CATEGORY_KEYS: tuple[str, ...] = tuple(CATEGORIES)
#: Evidence rank -> key (0: none given, as for most imported edges).
EVIDENCE_BY_RANK: dict[int, str] = {e.rank: e.key for e in EVIDENCE_LEVELS.values()}
SIGNS = np.array([PREDICATES[k].sign for k in PREDICATE_KEYS], dtype=np.int8)
CAUSAL = np.array([PREDICATES[k].causal for k in PREDICATE_KEYS], dtype=bool)


class StoreError(Exception):
    """A store folder that does not exist, is not a store, or was written by another version."""


def name_hash(text: str) -> int:
    """64-bit hash of a normalised name or a CURIE (collisions are checked on lookup)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def _blob(strings: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    encoded = [s.encode("utf-8") for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    if encoded:
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8) if encoded else np.zeros(0, np.uint8)
    return data, offsets


class _Strings:
    """A memory-mapped list of strings (one blob + offsets)."""

    def __init__(self, data: np.ndarray, offsets: np.ndarray):
        self.data, self.offsets = data, offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        a, b = int(self.offsets[i]), int(self.offsets[i + 1])
        return bytes(self.data[a:b]).decode("utf-8")

    def all(self) -> list[str]:
        raw = bytes(self.data)
        off = self.offsets.tolist()
        return [raw[off[i]:off[i + 1]].decode("utf-8") for i in range(len(off) - 1)]


def _csr(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable").astype(np.int32)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=ptr[1:])
    return ptr, order


def write_arrays(folder: Path, ids: Sequence[str], labels: Sequence[str], categories: np.ndarray,
                 synonyms: Sequence[str], curated_nodes: np.ndarray, e_s: np.ndarray, e_o: np.ndarray,
                 e_pred: np.ndarray, e_rank: np.ndarray, e_src: np.ndarray, e_refs: Sequence[str]) -> None:
    """Write the node table, edge arrays, CSR indexes and the name index into ``folder``."""
    from kg.curation.lookup import normalise

    folder.mkdir(parents=True, exist_ok=True)
    n = len(ids)
    arrays: dict[str, np.ndarray] = {}
    for name, strings in (("ids", ids), ("labels", labels), ("synonyms", synonyms), ("refs", e_refs)):
        arrays[f"{name}_data"], arrays[f"{name}_off"] = _blob(strings)
    arrays["node_cat"] = np.asarray(categories, dtype=np.uint8)
    arrays["node_curated"] = np.asarray(curated_nodes, dtype=bool)
    arrays["e_s"] = e_s.astype(np.int32)
    arrays["e_o"] = e_o.astype(np.int32)
    arrays["e_pred"] = e_pred.astype(np.uint16)  # ours plus predicates kept as imported
    arrays["e_rank"] = e_rank.astype(np.int8)
    arrays["e_src"] = e_src.astype(np.uint16)
    arrays["out_ptr"], arrays["out_eid"] = _csr(arrays["e_s"], n)
    arrays["in_ptr"], arrays["in_eid"] = _csr(arrays["e_o"], n)
    # Names: the CURIE, the label and each synonym, normalised as kg.curation.lookup does.
    id_h = np.fromiter((name_hash(i) for i in ids), dtype=np.uint64, count=n)
    order = np.argsort(id_h, kind="stable")
    arrays["id_hash"], arrays["id_node"] = id_h[order], order.astype(np.int32)
    hashes: list[int] = []
    nodes: list[int] = []
    for i, (cid, label, syn) in enumerate(zip(ids, labels, synonyms, strict=True)):
        keys = {normalise(cid), normalise(label)}
        keys.update(normalise(s) for s in syn.split("|") if s)
        keys.discard("")
        for k in keys:
            hashes.append(name_hash(k))
            nodes.append(i)
    nh = np.array(hashes, dtype=np.uint64)
    order = np.argsort(nh, kind="stable")
    arrays["name_hash"], arrays["name_node"] = nh[order], np.array(nodes, dtype=np.int32)[order]
    for name, arr in arrays.items():
        np.save(folder / f"{name}.npy", arr)


@dataclass
class StoreInfo:
    path: Path
    manifest: dict[str, Any]


def current(store_dir: Path) -> Path:
    """The live generation folder of a store; StoreError when there is none."""
    link = store_dir / "CURRENT"
    if not link.exists():
        if not store_dir.exists():
            raise StoreError(f"store not found: {store_dir} (create it with `kg import ... --store {store_dir}`)")
        raise StoreError(f"{store_dir} is not a kg store (no CURRENT generation)")
    return store_dir / os.readlink(link)


def new_generation(store_dir: Path) -> Path:
    """A fresh, empty generation folder next to the live one (nothing points to it yet)."""
    import secrets

    store_dir.mkdir(parents=True, exist_ok=True)
    n = 1
    for p in store_dir.glob("gen-*"):
        suffix = p.name[4:].split("-")[0].split(".")[0]
        if suffix.isdigit():
            n = max(n, int(suffix) + 1)
    # A random tag keeps names unique even when a failed attempt's folder is still being removed.
    gen = store_dir / f"gen-{n}-{secrets.token_hex(3)}.partial"
    gen.mkdir()
    return gen


def publish(store_dir: Path, gen: Path) -> Path:
    """Make ``gen`` the live generation atomically, then remove all but the one it replaces.

    The replaced generation stays until the next import publishes: a reader that resolved CURRENT just
    before the swap can still open it (its Oxigraph store is opened lazily, after the arrays).
    """
    final = gen.with_name(gen.name.removesuffix(".partial"))
    gen.rename(final)
    link = store_dir / "CURRENT"
    previous = Path(os.readlink(link)).name if link.is_symlink() else None
    tmp = store_dir / "CURRENT.new"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(final.name, tmp)
    os.replace(tmp, link)
    for old in store_dir.glob("gen-*"):
        if old != final and old.name != previous and not old.name.endswith(".partial"):
            shutil.rmtree(old, ignore_errors=True)
    return final


def discard(gen: Path) -> None:
    shutil.rmtree(gen, ignore_errors=True)


class Store:
    """An opened store: memory-mapped arrays plus (lazily) the read-only Oxigraph store."""

    def __init__(self, store_dir: Path):
        self.dir = Path(store_dir)
        for attempt in range(3):
            # Open and retry: an import may publish (and clean up) between reading CURRENT and opening.
            self.gen = current(self.dir)
            try:
                self.manifest: dict[str, Any] = json.loads((self.gen / "manifest.json").read_text("utf-8"))
                break
            except FileNotFoundError:
                if attempt == 2 or current(self.dir) == self.gen:
                    raise StoreError(f"{self.gen}: no manifest; re-run `kg import`") from None
            except (OSError, ValueError) as exc:
                raise StoreError(f"{self.gen}: unreadable manifest ({exc})") from None
        if self.manifest.get("format") != FORMAT_VERSION:
            raise StoreError(f"{self.dir}: store format {self.manifest.get('format')} is not "
                             f"{FORMAT_VERSION}; re-run `kg import`")
        folder = self.gen / "arrays"
        # Plain ndarray views of the memory maps: np.memmap's per-item overhead dominates small reads.
        self._a = {p.stem: np.load(p, mmap_mode="r").view(np.ndarray) for p in folder.glob("*.npy")}
        if not self._a:
            raise StoreError(f"{self.gen}: no arrays; re-run `kg import`")
        a = self._a
        self.ids = _Strings(a["ids_data"], a["ids_off"])
        self.labels = _Strings(a["labels_data"], a["labels_off"])
        self.synonyms = _Strings(a["synonyms_data"], a["synonyms_off"])
        self.refs = _Strings(a["refs_data"], a["refs_off"])
        self.node_cat, self.node_curated = a["node_cat"], a["node_curated"]
        self.e_s, self.e_o, self.e_pred = a["e_s"], a["e_o"], a["e_pred"]
        self.e_rank, self.e_src = a["e_rank"], a["e_src"]
        self.out_ptr, self.out_eid = a["out_ptr"], a["out_eid"]
        self.in_ptr, self.in_eid = a["in_ptr"], a["in_eid"]
        self.sources: list[str] = self.manifest["sources"]
        self.predicates: list[str] = self.manifest["predicates"]
        self.categories: list[str] = self.manifest["categories"]
        from kg.graphs.mapping import predicate_causal, predicate_sign

        # Beyond ours, the table holds predicates kept as imported (Biolink CURIEs): unsigned, non-causal.
        self._sign = np.array([predicate_sign(k) for k in self.predicates], dtype=np.int8)
        self._causal = np.array([predicate_causal(k) for k in self.predicates], dtype=bool)
        self._oxigraph: Any = None

    # -- sizes and nodes ---------------------------------------------------------------------------
    @property
    def n_nodes(self) -> int:
        return len(self.ids)

    @property
    def n_edges(self) -> int:
        return len(self.e_s)

    def node(self, curie: str) -> int | None:
        """The node index of a canonical CURIE string, or None."""
        h = np.uint64(name_hash(curie))
        lo = int(np.searchsorted(self.id_hash, h, "left"))
        hi = int(np.searchsorted(self.id_hash, h, "right"))
        for j in range(lo, hi):
            i = int(self.id_node[j])
            if self.ids[i] == curie:
                return i
        return None

    @property
    def id_hash(self) -> np.ndarray:
        return self._a["id_hash"]

    @property
    def id_node(self) -> np.ndarray:
        return self._a["id_node"]

    def nodes_named(self, name: str) -> list[int]:
        """Nodes whose CURIE, label or synonym normalises like ``name`` (kg.curation.lookup.normalise)."""
        from kg.curation.lookup import normalise

        key = normalise(name)
        hashes, nodes = self._a["name_hash"], self._a["name_node"]
        h = np.uint64(name_hash(key))
        lo = int(np.searchsorted(hashes, h, "left"))
        hi = int(np.searchsorted(hashes, h, "right"))
        out = []
        for j in range(lo, hi):
            i = int(nodes[j])
            names = [self.ids[i], self.labels[i], *self.synonyms[i].split("|")]
            if any(normalise(n) == key for n in names if n):
                out.append(i)
        return sorted(set(out))

    def category(self, i: int) -> str:
        return self.categories[int(self.node_cat[i])]

    def search(self, text: str, limit: int = 20) -> list[tuple[int, float]]:
        """Nodes whose label or CURIE contains ``text`` (normalised), exact names first."""
        from kg.curation.lookup import normalise

        key = normalise(text)
        exact = self.nodes_named(text)
        hits: dict[int, float] = {i: 1.0 for i in exact}
        if key and len(hits) < limit:
            for i, label in enumerate(self.labels.all()):
                if len(hits) >= limit:
                    break
                nk = normalise(label)
                if key in nk and i not in hits:
                    hits[i] = 0.85 if nk.startswith(key) else 0.7
        ranked = sorted(hits.items(), key=lambda kv: (-kv[1], self.labels[kv[0]].lower()))
        return ranked[:limit]

    # -- edges -------------------------------------------------------------------------------------
    def out_edges(self, i: int) -> np.ndarray:
        return self.out_eid[int(self.out_ptr[i]):int(self.out_ptr[i + 1])]

    def in_edges(self, i: int) -> np.ndarray:
        return self.in_eid[int(self.in_ptr[i]):int(self.in_ptr[i + 1])]

    def out_degree(self, i: int) -> int:
        return int(self.out_ptr[i + 1] - self.out_ptr[i])

    def in_degree(self, i: int) -> int:
        return int(self.in_ptr[i + 1] - self.in_ptr[i])

    def edge_sign(self, e: int) -> int:
        return int(self._sign[int(self.e_pred[e])])

    def edge_causal(self, e: int) -> bool:
        return bool(self._causal[int(self.e_pred[e])])

    def edge(self, e: int) -> dict[str, Any]:
        """One edge as plain values (curated edges carry their statement id in ``statement_id``)."""
        pred = self.predicates[int(self.e_pred[e])]
        rank = int(self.e_rank[e])
        src = self.sources[int(self.e_src[e])]
        out: dict[str, Any] = {
            "subject": self.ids[int(self.e_s[e])], "predicate": pred, "object": self.ids[int(self.e_o[e])],
            "sign": int(self._sign[int(self.e_pred[e])]), "causal": bool(self._causal[int(self.e_pred[e])]),
            "evidence": EVIDENCE_BY_RANK.get(rank, ""), "evidence_rank": rank, "source": src,
        }
        refs = self.refs[e]
        if src == CURATED:
            out["statement_id"] = refs
            out["publications"] = []
        else:
            out["publications"] = [r for r in refs.split("|") if r]
        return out

    def edges_between(self, s: int, o: int) -> list[int]:
        eids = self.out_edges(s)
        return [int(e) for e in eids[self.e_o[eids] == o]]

    # -- RDF ---------------------------------------------------------------------------------------
    @property
    def oxigraph_path(self) -> Path:
        return self.gen / "oxigraph"

    def oxigraph(self) -> Any:
        """The Oxigraph store, opened read-only once."""
        if self._oxigraph is None:
            import pyoxigraph

            try:
                self._oxigraph = pyoxigraph.Store.read_only(str(self.oxigraph_path))
            except OSError as exc:  # RocksDB's message can run to several lines
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise StoreError(f"{self.oxigraph_path}: cannot open the RDF store ({first}); "
                                 "if an import has just finished twice, run the command again") from None
        return self._oxigraph


def open_store(store_dir: Path) -> Store:
    return Store(store_dir)


def edge_arrays(rows: Iterable[tuple[int, int, int, int, int]]) -> tuple[np.ndarray, ...]:
    """(subject, object, predicate code, rank, source) rows as five numpy arrays."""
    arr = np.array(list(rows), dtype=np.int64).reshape(-1, 5)
    return tuple(arr[:, i] for i in range(5))
