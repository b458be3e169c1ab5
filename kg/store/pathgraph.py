"""A :class:`kg.paths.graph.PathGraph` over the memory-mapped arrays of a store (:mod:`kg.store.store`).

Nothing is loaded up front: a node's edges are read from the CSR arrays when the search asks for them,
so a path search touches only the part of a million-edge graph it explores. Curated edges get their
full record (statement text, context, citations) from the curated graph when one is given; imported
edges carry predicate, sign, evidence rank and their source (in the edge id: ``<source>#e<n>``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, cast

from kg.core.vocab import EVIDENCE_LEVELS
from kg.graphs.mapping import predicate_causal, predicate_sign
from kg.paths.graph import EdgeFilter, EdgeInfo, Hop, NodeInfo
from kg.store.store import CURATED, EVIDENCE_BY_RANK, Store

if TYPE_CHECKING:
    from kg.core.model import KG, Statement


#: (neighbour names, signs, total degrees, make(k) -> the k-th hop) of :meth:`StorePathGraph.hop_table`
HopTable = tuple[list[str], list[int], list[int], Callable[[int], Hop]]


def _no_hop(k: int) -> Hop:
    raise IndexError(k)


class StoreEdge(EdgeInfo):
    """An imported edge of the fast path: its fields are the shared record of its (predicate, rank,
    source), and its id is spelled only when read, so a hop the search prunes costs one small object.
    Compare it with :class:`EdgeInfo` through :func:`dataclasses.astuple` (dataclass equality wants the
    same class)."""

    __slots__ = ("eid",)
    eid: int

    @property  # type: ignore[override]
    def id(self) -> str:
        return f"{self.__dict__['_source']}#e{self.eid}"


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
        self._allow: dict[EdgeFilter, Any] = {}
        self._signs: Any = None
        self._porder: Any = None
        self._tot: Any = None
        self._mouse_rank = EVIDENCE_LEVELS["preclinical_in_vivo"].rank
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
        tpl["_source"] = self.store.sources[s]
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

    # -- array fast path (see kg.paths.graph.FilteredAdjacency) -------------------------------------
    def total_degree(self, node: str) -> int:
        """Total degree (out + in) of one node."""
        i = self._index(node)
        return 0 if i is None else int(self._total()[i])

    def degree_sum(self, nodes: Iterable[str], out: bool) -> int:
        """Sum of out- (or in-) degrees of ``nodes`` in one array operation."""
        import numpy as np

        idx = [i for i in map(self._index, nodes) if i is not None]
        if not idx:
            return 0
        ptr = self.store.out_ptr if out else self.store.in_ptr
        a = np.asarray(idx, dtype=np.int64)
        return int((ptr[a + 1].astype(np.int64) - ptr[a]).sum())

    def hops(self, node: str, out: bool, flt: EdgeFilter) -> tuple[list[Hop], dict[str, int]] | None:
        """The filtered edges of ``node`` grouped by (neighbour, sign), computed over the CSR arrays, and
        the total degrees of those neighbours; None when the node has curated edges (their full record
        comes from the curated graph: the caller then takes the generic path)."""
        table = self.hop_table(node, out, flt)
        if table is None:
            return None
        names, _, degs, make = table
        return [make(k) for k in range(len(names))], dict(zip(names, degs, strict=True))

    def hop_table(self, node: str, out: bool, flt: EdgeFilter) -> HopTable | None:
        """The groups of :meth:`hops` as columns: neighbour names, signs and total degrees in group order,
        and ``make(k)`` building the k-th hop, so a caller builds only the hops it keeps."""
        sel = self._select(node, out, flt)
        if sel is None:
            return None
        eids, others, signs = sel
        if len(eids) == 0:
            return [], [], [], _no_hop
        import numpy as np

        st = self.store
        uniq, inv = np.unique(others, return_inverse=True)
        names = self._names(uniq.tolist())
        # Groups in (neighbour id, sign) order; inside a group the best edge first: highest rank, then
        # predicate name, then edge id (ties on the id are settled in make, on the few parallel edges).
        by_name = np.empty(len(uniq), dtype=np.int64)
        by_name[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
        preds, ranks = st.e_pred[eids], st.e_rank[eids]
        order = np.lexsort((self._pred_order()[preds], -ranks.astype(np.int64), signs, by_name[inv]))
        g_node, g_sign = inv[order], signs[order]
        cut = np.flatnonzero((g_node[1:] != g_node[:-1]) | (g_sign[1:] != g_sign[:-1])) + 1
        starts = [0, *cut.tolist()]
        ends = [*starts[1:], len(order)]
        e_sorted = eids[order].tolist()
        p_sorted, r_sorted = preds[order].tolist(), ranks[order].tolist()
        src_sorted = st.e_src[eids][order].tolist()
        node_of, sign_of = g_node[starts], g_sign[starts].tolist()
        g_names = [names[v] for v in node_of.tolist()]
        g_degs = self._total()[uniq[node_of]].tolist()
        sources, templates, pred_names = st.sources, self._templates, self._pred
        new, put = object.__new__, object.__setattr__

        def make(k: int) -> Hop:
            a, b = starts[k], ends[k]
            best, rest = a, cast(tuple[str, ...], ())
            if b - a > 1:
                ids = sorted(range(a, b), key=lambda j: (-r_sorted[j], pred_names[p_sorted[j]],
                                                         f"{sources[src_sorted[j]]}#e{e_sorted[j]}"))
                best = ids[0]
                rest = tuple(f"{sources[src_sorted[j]]}#e{e_sorted[j]}" for j in ids[1:])
            key = (p_sorted[best], r_sorted[best], src_sorted[best])
            edge = new(StoreEdge)
            put(edge, "__dict__", templates.get(key) or self._template(*key))  # past the frozen guard
            put(edge, "eid", e_sorted[best])
            return (g_names[k], sign_of[k], edge, rest)

        return g_names, sign_of, g_degs, make

    def neighbour_names(self, node: str, out: bool, flt: EdgeFilter) -> tuple[list[str], dict[str, int]] | None:
        """Neighbours through at least one allowed edge, in first-edge order, with their total degrees."""
        sel = self._select(node, out, flt)
        if sel is None:
            return None
        others = sel[1]
        if len(others) == 0:
            return [], {}
        import numpy as np

        _, first = np.unique(others, return_index=True)
        nodes = others[np.sort(first)]
        names = self._names(nodes.tolist())
        return names, dict(zip(names, self._total()[nodes].tolist(), strict=True))

    def _select(self, node: str, out: bool, flt: EdgeFilter) -> tuple[Any, Any, Any] | None:
        """(edge ids, neighbours, signs) of the edges of ``node`` that ``flt`` allows, in CSR order."""
        i = self._index(node)
        st = self.store
        eids = (st.out_edges(i) if out else st.in_edges(i)) if i is not None else st.out_eid[:0]
        if len(eids) == 0:
            return eids, eids, eids
        if not st.e_src[eids].all():  # a curated edge (source 0): its record is the curated statement
            return None
        preds, ranks = st.e_pred[eids], st.e_rank[eids]
        keep = self._allowed(flt)[preds] & (ranks >= flt.min_rank)
        if flt.species == "human":  # an animal study without species is mouse work (EdgeFilter.ok)
            keep &= ranks != self._mouse_rank
        eids = eids[keep]
        return eids, (st.e_o if out else st.e_s)[eids], self._sign_arr()[st.e_pred[eids]]

    def _allowed(self, flt: EdgeFilter) -> Any:
        """Per predicate index: may ``flt`` walk it (sign, causality, predicate set; EdgeFilter.ok)."""
        hit = self._allow.get(flt)
        if hit is None:
            import numpy as np

            ok = []
            for name, sign, causal in zip(self._pred, self._sign, self._causal, strict=True):
                if sign == 0:
                    walk = flt.unsigned and name != "member_of"
                else:
                    walk = causal
                ok.append(walk and (flt.predicates is None or name in flt.predicates))
            hit = self._allow[flt] = np.array(ok, dtype=bool)
        return hit

    def _sign_arr(self) -> Any:
        if self._signs is None:
            import numpy as np

            self._signs = np.array(self._sign, dtype=np.int8)
        return self._signs

    def _pred_order(self) -> Any:
        """Per predicate index: its position in name order."""
        if self._porder is None:
            import numpy as np

            order = sorted(range(len(self._pred)), key=self._pred.__getitem__)
            self._porder = np.empty(len(order), dtype=np.int64)
            self._porder[order] = np.arange(len(order))
        return self._porder

    def _total(self) -> Any:
        if self._tot is None:
            import numpy as np

            self._tot = np.diff(self.store.out_ptr) + np.diff(self.store.in_ptr)
        return self._tot

    def _names(self, idx: list[int]) -> list[str]:
        self._touched += len(idx)
        if self._touched > 2000:
            self._bulk()
        all_ids = self._all_ids
        return [all_ids[v] for v in idx] if all_ids is not None else [self._id(v) for v in idx]

    def _edge_info(self, e: int, p: int, r: int, s: int) -> EdgeInfo:
        info = object.__new__(EdgeInfo)
        d = info.__dict__
        d.update(self._templates.get((p, r, s)) or self._template(p, r, s))
        d["id"] = f"{self.store.sources[s]}#e{e}"
        return info

    def source_of(self, edge_id: str) -> str:
        """Where an edge comes from: ``curated`` or the imported file's name."""
        return edge_id.rsplit("#e", 1)[0] if "#e" in edge_id else CURATED


def store_pathgraph(store: Store, kg: Any = None) -> StorePathGraph:
    return StorePathGraph(store, kg)
