"""A :class:`kg.paths.graph.PathGraph` over the memory-mapped arrays of a store (:mod:`kg.store.store`).

Nothing is loaded up front: a node's edges are read from the CSR arrays when the search asks for them,
so a path search touches only the part of a million-edge graph it explores. Curated edges get their
full record (statement text, context, citations) from the curated graph when one is given; imported
edges carry predicate, sign, evidence rank and their source (in the edge id: ``<source>#e<n>``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from kg.graphs.mapping import predicate_causal, predicate_sign
from kg.paths.graph import EdgeInfo, NodeInfo
from kg.store.store import CURATED, EVIDENCE_BY_RANK, Store

if TYPE_CHECKING:
    from kg.core.model import KG, Statement


class StorePathGraph:
    """Read-only path graph of a store; node ids are canonical CURIE strings."""

    def __init__(self, store: Store, kg: KG | Callable[[], KG | None] | None = None):
        self.store = store
        #: The curated graph, or a function loading it on first need (only curated edges need it).
        self._kg = kg
        self._idx: dict[str, int | None] = {}
        self._ids: dict[int, str] = {}
        self._info: dict[str, NodeInfo] = {}
        self._all_ids: list[str] | None = None
        self._touched = 0
        self._templates: dict[tuple[int, int, int], dict[str, Any]] = {}
        self._degree: tuple[list[int], list[int]] | None = None
        self._statements: dict[str, Statement] | None = None
        preds = store.predicates
        self._pred = preds
        # Predicates kept as imported (not ours) are unsigned and non-causal (EdgeInfo.predicate is then
        # their Biolink CURIE), walkable only by unsigned searches.
        self._sign = [predicate_sign(p) for p in preds]
        self._causal = [predicate_causal(p) for p in preds]

    # -- ids ---------------------------------------------------------------------------------------
    def _index(self, node: str) -> int | None:
        if node in self._idx:
            return self._idx[node]
        i = self.store.node(node)
        self._idx[node] = i
        return i

    def _id(self, i: int) -> str:
        if self._all_ids is not None:
            return self._all_ids[i]
        s = self._ids.get(i)
        if s is None:
            s = self._ids[i] = self.store.ids[i]
            self._idx.setdefault(s, i)
        return s

    def _bulk(self) -> None:
        """Decode every id once (tens of ms at 10^5 nodes) when a search starts touching many edges."""
        if self._all_ids is None:
            self._all_ids = self.store.ids.all()
            self._idx.update(zip(self._all_ids, range(len(self._all_ids)), strict=True))

    def _template(self, p: int, r: int, s: int) -> dict[str, Any]:
        tpl = self._templates[(p, r, s)] = EdgeInfo(
            id="", predicate=self._pred[p], sign=self._sign[p], causal=self._causal[p],
            evidence=EVIDENCE_BY_RANK.get(r, ""), evidence_rank=r).__dict__
        return tpl

    # -- protocol ----------------------------------------------------------------------------------
    def has_node(self, node: str) -> bool:
        return self._index(node) is not None

    def node_info(self, node: str) -> NodeInfo:
        info = self._info.get(node)
        if info is None:
            i = self._index(node)
            if i is None:
                raise KeyError(node)
            info = self._info[node] = NodeInfo(self.store.labels[i], self.store.category(i))
        return info

    def _edges(self, node: str, out: bool) -> list[tuple[str, EdgeInfo]]:
        i = self._index(node)
        if i is None:
            return []
        st = self.store
        eids = st.out_edges(i) if out else st.in_edges(i)
        if len(eids) == 0:
            return []
        others = (st.e_o if out else st.e_s)[eids].tolist()
        preds = st.e_pred[eids].tolist()
        ranks = st.e_rank[eids].tolist()
        srcs = st.e_src[eids].tolist()
        self._touched += len(others)
        if self._touched > 2000:
            self._bulk()
        all_ids = self._all_ids
        names = [all_ids[v] for v in others] if all_ids is not None else [self._id(v) for v in others]
        # EdgeInfo is frozen; filling new instances from a per-(predicate, rank, source) template is
        # several times faster than the dataclass __init__ on hub-sized neighbourhoods.
        templates, sources, new = self._templates, st.sources, object.__new__
        rows: list[tuple[str, EdgeInfo]] = []
        for e, name, p, r, s in zip(eids.tolist(), names, preds, ranks, srcs, strict=True):
            if s == 0:
                rows.append((name, self._curated(e, p, r)))
                continue
            info = new(EdgeInfo)
            d = info.__dict__
            d.update(templates.get((p, r, s)) or self._template(p, r, s))
            d["id"] = f"{sources[s]}#e{e}"
            rows.append((name, info))
        return rows

    @property
    def kg(self) -> KG | None:
        if callable(self._kg):
            self._kg = self._kg()
        return self._kg

    def _curated(self, e: int, p: int, r: int) -> EdgeInfo:
        st_id = self.store.refs[e]
        if self.kg is not None:
            if self._statements is None:
                self._statements = {s.id: s for s in self.kg.statements}
            st = self._statements.get(st_id)
            if st is not None:
                from kg.graphs.nx import edge_data

                return EdgeInfo.from_mapping(st.id, edge_data(self.kg, st))
        return EdgeInfo(id=st_id, predicate=self._pred[p], sign=self._sign[p], causal=self._causal[p],
                        evidence=EVIDENCE_BY_RANK.get(r, ""), evidence_rank=r)

    def out_edges(self, node: str) -> Iterable[tuple[str, EdgeInfo]]:
        return self._edges(node, True)

    def in_edges(self, node: str) -> Iterable[tuple[str, EdgeInfo]]:
        return self._edges(node, False)

    def _degrees(self) -> tuple[list[int], list[int]]:
        if self._degree is None:
            import numpy as np

            self._degree = (np.diff(self.store.out_ptr).tolist(), np.diff(self.store.in_ptr).tolist())
        return self._degree

    def out_degree(self, node: str) -> int:
        i = self._index(node)
        return 0 if i is None else self._degrees()[0][i]

    def in_degree(self, node: str) -> int:
        i = self._index(node)
        return 0 if i is None else self._degrees()[1][i]

    def nodes(self) -> Iterator[str]:
        return iter(self.store.ids.all())

    def source_of(self, edge_id: str) -> str:
        """Where an edge comes from: ``curated`` or the imported file's name."""
        return edge_id.rsplit("#e", 1)[0] if "#e" in edge_id else CURATED


def store_pathgraph(store: Store, kg: Any = None) -> StorePathGraph:
    return StorePathGraph(store, kg)
