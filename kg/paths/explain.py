"""Text and Markdown renderings of the JSON payloads of :mod:`kg.paths.search` and :mod:`kg.paths.regimen`.

Every renderer takes the documented JSON form (``to_json()`` / :func:`kg.paths.regimen.explain_regimen`), so
what people read and what scripts parse can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kg.core.render import table

_SIGN = {1: "+", -1: "-", 0: "±"}
#: A step or path with an unsigned edge: the effect is unknown (not a conflict).
UNKNOWN = "?"


def sign_text(sign: int | None) -> str:
    return "none" if sign is None else _SIGN[sign]


def cite_md(citations: Sequence[Mapping[str, Any]]) -> str:
    """Citations as Markdown links (PubMed, DOI, ClinicalTrials.gov) or review reference numbers."""
    out: list[str] = []
    for c in _unique(citations):
        if c.get("id") and c.get("url"):
            ref = f" (ref {c['ref']})" if c.get("ref") is not None else ""
            out.append(f"[{c['id']}]({c['url']}){ref}")
        elif c.get("id"):
            out.append(str(c["id"]))
        elif c.get("ref") is not None:
            out.append(f"review ref {c['ref']}")
    return "; ".join(out)


def _unique(citations: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    seen: dict[tuple[Any, Any], Mapping[str, Any]] = {}
    for c in citations:
        seen.setdefault((c.get("ref"), c.get("id")), c)
    return list(seen.values())


def cite_text(citations: Sequence[Mapping[str, Any]]) -> str:
    return ", ".join(str(c.get("id") or f"ref {c.get('ref')}") for c in _unique(citations))


def chain(path: Mapping[str, Any]) -> str:
    """``bevacizumab -[inhibits -]-> VEGF-A -[...]-> ...`` on one line."""
    steps = path["steps"]
    if not steps:
        return ""
    out = [steps[0]["subject_label"]]
    for s in steps:
        out.append(f" -[{s['predicate']} {sign_text(s['sign']) if s['sign'] else UNKNOWN}]-> "
                   f"{s['object_label']}")
    return "".join(out)


def _step_rows(path: Mapping[str, Any], md: bool) -> list[list[str]]:
    rows = []
    for s in path["steps"]:
        cites = cite_md(s["citations"]) if md else cite_text(s["citations"])
        ctx = "; ".join(x for x in (s.get("species"), s.get("model_system"), s.get("setting")) if x)
        if s.get("membership"):
            ctx = "class membership: inherits the class's effects"
        elif s.get("inherited_from_label"):
            ctx = "; ".join(x for x in (f"inherited from {s['inherited_from_label']}", ctx) if x)
        if s.get("mouse") and s.get("species") != "mouse":
            ctx = "; ".join(x for x in (ctx, "mouse data (animal study)") if x)
        rows.append([s["subject_label"], s["predicate"], sign_text(s["sign"]) if s["sign"] else UNKNOWN,
                     s["object_label"],
                     s["evidence"], ctx, cites])
    return rows


_STEP_HEAD = ["subject", "predicate", "±", "object", "evidence", "context", "citations"]


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(x: Any) -> str:
        return ("" if x is None else str(x)).replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def render_paths(payload: Mapping[str, Any], fmt: str, key: str = "paths") -> str:
    """``kg path`` / ``kg loops`` output as text (``table``) or Markdown (``md``)."""
    md = fmt == "md"
    out: list[str] = []
    items = payload[key]
    for i, p in enumerate(items, 1):
        sign = p.get("net_sign", p.get("sign"))
        net = sign_text(sign) if sign else f"{UNKNOWN} (unknown: an unsigned step)"
        head = f"{i}. net {net}  score {p['score']:g}  {chain(p)}"
        out.append(("### " + head) if md else head)
        out.append(("_" + p["explanation"] + "_") if md else "   why: " + p["explanation"])
        rows = _step_rows(p, md)
        out.append(md_table(_STEP_HEAD, rows) if md else _indent(table(_STEP_HEAD, rows)))
        out.append("")
    if payload.get("truncated"):
        out.append(f"(truncated: {payload.get('reason')})")
    return "\n".join(out).rstrip()


def no_loop_message(entity: str | None, truncated: bool, reason: str | None) -> str:
    """What ``kg loops`` says when it found none: never "none found" for a search that stopped early."""
    where = f" through {entity}" if entity else ""
    if truncated:
        return (f"no feedback loop found{where} before the search stopped ({reason}); "
                "raise --timeout to search further")
    return f"no feedback loop found{where}"


def truncation_note(reasons: Sequence[str], timeout: float) -> str:
    """One line for an effect search that ran out of budget: how many searches were cut or not run."""
    skipped = sum(1 for r in reasons if r.endswith("(not searched)"))
    cut = len(reasons) - skipped
    return (f"(truncated: the {timeout:g} s budget ran out; {cut} search(es) cut short, {skipped} not run; "
            "raise --timeout for a complete answer)")


def _indent(text: str) -> str:
    return "\n".join("   " + line for line in text.splitlines())


def render_neighbors(items: Sequence[Mapping[str, Any]], fmt: str) -> str:
    head = ["direction", "depth", "net", "node", "label", "category", "via", "weakest evidence"]
    rows = []
    for r in items:
        best = r["paths"][0]
        net = "±" if r["conflict"] else (sign_text(r["net_sign"]) if r["net_sign"] else UNKNOWN)
        rows.append([r["direction"], r["depth"], net,
                     r["node"], r["label"], r["category"], chain(best),
                     best["score_components"]["weakest_evidence"]])
    return md_table(head, rows) if fmt == "md" else table(head, rows)


def render_effect(outcomes: Sequence[Mapping[str, Any]], fmt: str, detail: bool = True) -> str:
    """Per-outcome net effect table, then the supporting paths (both signs on conflicts)."""
    md = fmt == "md"
    head = ["outcome", "effect", "net", "paths +/-", "leaning", "by drug"]
    rows = []
    names = {p["drug"]: p["labels"][0] for o in outcomes for p in o["paths"]}
    for o in outcomes:
        by_drug = "; ".join(f"{names.get(d, d)}: {'/'.join(sign_text(s) for s in signs)}"
                            for d, signs in o["by_drug"].items())
        rows.append([o["label"], o["effect"].upper() if o["conflict"] else o["effect"],
                     sign_text(o["net_sign"]) if o["paths"] else "",
                     f"{o['support']['positive']}/{o['support']['negative']}",
                     sign_text(o["leaning"]) if o["conflict"] else "", by_drug])
    out = [md_table(head, rows) if md else table(head, rows)]
    if detail:
        for o in outcomes:
            for c in o.get("combination_evidence", []):
                out.append(("- " if md else "  ") + f"{o['label']}: combination evidence, not counted above: "
                           f"{c['regimen_label']} {c['predicate']} ({sign_text(c['sign'])}), {c['marked']} "
                           f"[{cite_md(c['citations']) if md else cite_text(c['citations'])}]")
        for o in outcomes:
            if not o["paths"]:
                continue
            title = f"{o['label']}: {o['effect']}"
            if o["conflict"]:
                title += " (paths of opposite sign: both shown)"
            out.append("")
            out.append(("### " + title) if md else title)
            for p in o["paths"]:
                line = f"net {sign_text(p['net_sign'])}  score {p['score']:g}  {chain(p)}"
                if p.get("observed_for"):
                    line += f"  ({p['observed_for']})"
                elif p.get("inherited_from_label"):
                    line += f"  (inherited from {p['inherited_from_label']})"
                if p.get("mouse_steps"):
                    line += f"  (rests on mouse data: {p['mouse_steps']} step(s))"
                cites = sorted({cite_md([c]) if md else cite_text([c])
                                for s in p["steps"] for c in s["citations"]})
                out.append(("- " if md else "  ") + line + (f"  [{'; '.join(cites)}]" if cites else ""))
    return "\n".join(out)


def render_explain(report: Mapping[str, Any], fmt: str) -> str:
    """``kg explain`` as a readable report: Markdown (``md``) or terminal text (``table``)."""
    md = fmt == "md"

    def h(level: int, text: str) -> str:
        return ("#" * level + " " + text) if md else (text.upper() if level <= 2 else text)

    def tab(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
        return md_table(headers, rows) if md else table(headers, rows)

    def cites(cs: Sequence[Mapping[str, Any]]) -> str:
        return cite_md(cs) if md else cite_text(cs)

    out = [h(1, f"Regimen: {report['regimen']}"), ""]
    out += [h(2, "Trials that tested the regimen"), ""]
    if not report["trials"]:
        out += ["No trial in the graph tested these drugs.", ""]
    for t in report["trials"]:
        name = f"[{t['label']}]({t['url']})" if md and t.get("url") else t["label"]
        tag = "" if t["match"] == "full" else " (partial: tested only " + ", ".join(
            t["matched_labels"]) + ")"
        out.append(h(3, f"{t['label']}{tag}") if md else f"{t['label']}{tag}")
        facts = [f"{t['id']}", f"phase {t['phase']}", t["design"], t["condition_label"]]
        if t["n_patients"]:
            facts.append(f"n={t['n_patients']}")
        if md:
            facts[0] = name if t.get("url") else t["id"]
        pub = ""
        if t.get("publication"):
            pub = (f"[{t['publication']}]({t['publication_url']})" if md and t.get("publication_url")
                   else t["publication"])
        out.append("; ".join(facts) + (f"; publication {pub}" if pub else ""))
        if t["outcomes"]:
            out += ["", tab(["measure", "arm", "value", "note"],
                            [[o["label"], o["arm"] or "", o["display"], o["note"] or ""]
                             for o in t["outcomes"]])]
        out.append("")

    out += [h(2, "Drugs, classes and targets"), ""]
    rows = []
    for d in report["drugs"]:
        targets = "; ".join(f"{t['predicate']} {t['label']}"
                            + (f" (via {t['via_class_label']})" if t["via_class"] else "")
                            for t in d["targets"])
        name = f"[{d['label']}]({d['url']})" if md and d.get("url") else d["label"]
        rows.append([name, d["category"], ", ".join(c["label"] for c in d["classes"]), targets])
    out += [tab(["drug", "category", "classes", "targets"], rows), ""]

    mech_rows = []
    for t in report["targets"]:
        for m in t.get("mechanisms", []):
            mech_rows.append([t["label"], m["predicate"], m["object_label"], m["evidence"],
                              cites(m["citations"])])
    if mech_rows:
        out += [h(3, "What the targets do"), ""]
        out += [tab(["target", "predicate", "object", "evidence", "citations"], mech_rows), ""]

    out += [h(2, "Predicted effects on key outcomes"), ""]
    out.append("Net sign of the mechanism paths from each drug; a conflict means paths of opposite sign "
               "reach the outcome, and both are listed.")
    out += ["", render_effect(report["paths"], fmt), ""]

    out += [h(2, "Biomarkers"), ""]
    if not report["biomarkers"]:
        out += ["No biomarker in the graph measures these targets or outcomes.", ""]
    rows = []
    for b in report["biomarkers"]:
        why = "; ".join(f"{s['predicate']} {s['object_label']}" for s in b["relevance"])
        other = "; ".join(f"{s['predicate']} {s['object_label']}" for s in b["statements"])
        cs = cites([c for s in b["relevance"] + b["statements"] for c in s["citations"]])
        rows.append([b["label"], why, other, cs])
    if rows:
        out += [tab(["biomarker", "relevant because", "other findings", "citations"], rows), ""]

    out += [h(2, "Expected adverse events and management"), ""]
    if not report["adverse_events"]:
        out += ["No adverse event in the graph for these drugs or their classes.", ""]
    rows = []
    for a in report["adverse_events"]:
        manage = "; ".join(m["object_label"] for m in a["management"])
        rates = "; ".join(o["display"] + (f" ({o['arm']})" if o["arm"] else "") for o in a["outcomes"])
        change = "; ".join(f"{c['direction']} with {c['holder_label']}" for c in a.get("changes", []))
        cs = cites([c for s in a["statements"] + a["management"] for c in s["citations"]])
        rows.append([a["label"], ", ".join(a["from_labels"]), change, manage, rates, cs])
    if rows:
        out += [tab(["adverse event", "from", "change", "management", "rates", "citations"], rows), ""]
    if report.get("truncated"):
        n = len(report.get("reasons") or [])
        out.append(f"(some path searches were truncated: {n} cut short or not run; raise --timeout for a "
                   "complete answer)")
    return "\n".join(out).rstrip() + "\n"
