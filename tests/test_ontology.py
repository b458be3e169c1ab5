"""The ontology (ontology/ivkg.ttl) and the shapes (ontology/shapes.ttl) agree with kg.core.vocab."""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

import kg.core.vocab

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
IVKG = Namespace(kg.core.vocab.IVKG)
BIOLINK = "https://w3id.org/biolink/vocab/"
DCTERMS = Namespace("http://purl.org/dc/terms/")
MATCHES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "ivkg.ttl", format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")


def iri(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(kg.core.vocab.PREFIXES[prefix].uri + local)


def one(graph: Graph, subject: Node, predicate: URIRef) -> Node:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, f"{subject} needs exactly one {predicate}, has {values}"
    return values[0]


def text(graph: Graph, subject: Node, predicate: URIRef) -> str:
    value = one(graph, subject, predicate)
    assert isinstance(value, Literal) and str(value).strip(), f"{subject} {predicate} is empty"
    return str(value)


def mapped(graph: Graph, subject: Node) -> set[Node]:
    return {o for p in MATCHES for o in graph.objects(subject, p)}


def class_set(graph: Graph, node: Node) -> set[Node]:
    """The classes of an rdfs:domain/range: one class or an owl:unionOf list."""
    union = graph.value(node, OWL.unionOf)
    return set(Collection(graph, union)) if union is not None else {node}


# ------------------------------------------------------------------------------ ontology header


def test_ontology_header(onto: Graph) -> None:
    (header,) = list(onto.subjects(RDF.type, OWL.Ontology))
    assert text(onto, header, DCTERMS.title)
    assert text(onto, header, DCTERMS.description)
    assert one(onto, header, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert text(onto, header, OWL.versionInfo)


# ------------------------------------------------------------------------------ classes


@pytest.mark.parametrize("key", list(kg.core.vocab.CATEGORIES))
def test_category_class(onto: Graph, key: str) -> None:
    category = kg.core.vocab.CATEGORIES[key]
    node = IVKG[category.cls]
    assert (node, RDF.type, OWL.Class) in onto
    assert text(onto, node, RDFS.label) == category.label
    assert text(onto, node, SKOS.definition)
    assert text(onto, node, SKOS.notation) == key
    if category.parent:
        assert one(onto, node, RDFS.subClassOf) == IVKG[kg.core.vocab.CATEGORIES[category.parent].cls]
    else:
        assert not list(onto.objects(node, RDFS.subClassOf))
    assert URIRef(BIOLINK + category.biolink.split(":", 1)[1]) in mapped(onto, node)


STRUCTURAL_CLASSES = ["Statement", "EvidenceLevel", "Outcome", "Measure", "Unit", "ReviewSection"]


@pytest.mark.parametrize("name", STRUCTURAL_CLASSES)
def test_structural_class(onto: Graph, name: str) -> None:
    assert (IVKG[name], RDF.type, OWL.Class) in onto
    assert text(onto, IVKG[name], RDFS.label)
    assert text(onto, IVKG[name], SKOS.definition)


# ------------------------------------------------------------------------------ relations


@pytest.mark.parametrize("key", list(kg.core.vocab.PREDICATES))
def test_predicate_property(onto: Graph, key: str) -> None:
    predicate = kg.core.vocab.PREDICATES[key]
    node = IVKG[key]
    assert (node, RDF.type, OWL.ObjectProperty) in onto
    assert text(onto, node, RDFS.label) == predicate.label
    assert text(onto, node, SKOS.definition)
    assert one(onto, node, IVKG.sign) == Literal(predicate.sign)
    assert one(onto, node, IVKG.causal) == Literal(predicate.causal)
    aspects = [str(a) for a in onto.objects(node, IVKG.aspect)]
    assert aspects == ([predicate.aspect] if predicate.aspect else [])
    assert URIRef(BIOLINK + predicate.biolink.split(":", 1)[1]) in mapped(onto, node)
    if predicate.ro:
        assert iri(predicate.ro) in mapped(onto, node)
    qualifiers = {str(q) for q in onto.objects(node, IVKG.biolinkQualifier)}
    assert qualifiers == {f"{q}={value}" for q, value in predicate.biolink_qualifiers}
    domain = class_set(onto, one(onto, node, RDFS.domain))
    assert domain == {IVKG[kg.core.vocab.CATEGORIES[k].cls] for k in predicate.subjects}
    range_ = class_set(onto, one(onto, node, RDFS.range))
    assert range_ == {IVKG[kg.core.vocab.CATEGORIES[k].cls] for k in predicate.objects}


def test_signed_causal_predicates_sit_under_increases_or_decreases(onto: Graph) -> None:
    for predicate in kg.core.vocab.PREDICATES.values():
        parents = set(onto.objects(IVKG[predicate.key], RDFS.subPropertyOf))
        if predicate.causal and predicate.sign:
            assert parents == {IVKG.increases if predicate.sign > 0 else IVKG.decreases}, predicate.key
        else:
            assert not parents, predicate.key


# Exactly the IRIs the RDF writer uses for statement, trial, outcome and publication nodes.
NODE_PROPERTIES = (
    "subject predicate object sign evidence species modelSystem setting reviewSection reviewReference "
    "citation statementText note verification category design phase centres population studies "
    "therapySetting line enrolled publication hasOutcome measure value low high unit arm"
).split()


@pytest.mark.parametrize("name", NODE_PROPERTIES)
def test_node_property_declared(onto: Graph, name: str) -> None:
    kinds = set(onto.objects(IVKG[name], RDF.type))
    assert kinds & {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}, name
    assert text(onto, IVKG[name], RDFS.label)
    assert text(onto, IVKG[name], SKOS.definition)


def test_every_ivkg_property_used_is_declared(onto: Graph) -> None:
    declared = {
        s
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for s in onto.subjects(RDF.type, kind)
    }
    used = {p for p in onto.predicates() if str(p).startswith(kg.core.vocab.IVKG)}
    assert used <= declared, used - declared


# ------------------------------------------------------------------------------ individuals


@pytest.mark.parametrize("key", list(kg.core.vocab.EVIDENCE_LEVELS))
def test_evidence_level(onto: Graph, key: str) -> None:
    level = kg.core.vocab.EVIDENCE_LEVELS[key]
    node = IVKG[f"evidence/{key}"]
    assert (node, RDF.type, IVKG.EvidenceLevel) in onto
    assert text(onto, node, RDFS.label) == level.label
    assert text(onto, node, SKOS.definition)
    assert one(onto, node, IVKG.rank) == Literal(level.rank)
    eco = {m for m in mapped(onto, node) if str(m).startswith(kg.core.vocab.PREFIXES["ECO"].uri)}
    assert eco == {iri(level.eco)}


@pytest.mark.parametrize("key", list(kg.core.vocab.UNITS))
def test_unit(onto: Graph, key: str) -> None:
    unit = kg.core.vocab.UNITS[key]
    nodes = list(onto.subjects(SKOS.notation, Literal(key)))
    units = [n for n in nodes if (n, RDF.type, IVKG.Unit) in onto]
    assert unit.uo, f"unit {key} needs a UO id in kg.core.vocab (see ontology/MAPPINGS.md)"
    assert units == [iri(unit.uo)]
    assert text(onto, iri(unit.uo), RDFS.label)


@pytest.mark.parametrize("key", list(kg.core.vocab.MEASURES))
def test_measure(onto: Graph, key: str) -> None:
    measure = kg.core.vocab.MEASURES[key]
    node = IVKG[f"measure/{key}"]
    assert (node, RDF.type, IVKG.Measure) in onto
    assert text(onto, node, RDFS.label) == measure.label
    assert text(onto, node, SKOS.definition)
    allowed = set(onto.objects(node, IVKG.allowedUnit))
    uo_ids = [kg.core.vocab.UNITS[u].uo for u in measure.units]
    assert allowed == {iri(uo) for uo in uo_ids if uo}


def test_review_sections(onto: Graph) -> None:
    sections = {str(one(onto, s, SKOS.notation)): s for s in onto.subjects(RDF.type, IVKG.ReviewSection)}
    assert set(sections) == set(kg.core.vocab.REVIEW_SECTIONS)
    for key, title in kg.core.vocab.REVIEW_SECTIONS.items():
        assert text(onto, sections[key], RDFS.label) == title


def test_no_empty_labels_or_definitions(onto: Graph) -> None:
    for predicate in (RDFS.label, SKOS.definition, SKOS.altLabel):
        for subject, value in onto.subject_objects(predicate):
            assert isinstance(value, Literal) and str(value).strip(), f"{subject} has an empty {predicate}"


# ------------------------------------------------------------------------------ shapes


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_shapes", ONTOLOGY_DIR / "generate_shapes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shapes_file_is_up_to_date() -> None:
    rendered = load_generator().render()
    on_disk = (ONTOLOGY_DIR / "shapes.ttl").read_text(encoding="utf-8")
    assert on_disk == rendered, "ontology/shapes.ttl is stale: run python ontology/generate_shapes.py"


def validate(data: Graph, shapes: Graph) -> tuple[bool, str]:
    conforms, _, report = pyshacl.validate(data, shacl_graph=shapes)
    return bool(conforms), str(report)


def test_shapes_are_valid_shacl(shapes: Graph) -> None:
    conforms, report = validate(Graph(), shapes)
    assert conforms, report


VEGFA = URIRef("http://identifiers.org/hgnc/12680")
PDL1 = URIRef("http://identifiers.org/hgnc/17635")
MELANOMA = URIRef("http://purl.obolibrary.org/obo/MONDO_0005105")
BEVACIZUMAB = URIRef("http://identifiers.org/drugbank/DB00112")
TRIAL = URIRef("https://clinicaltrials.gov/study/NCT02681549")
STATEMENT = IVKG["statement/1"]
OUTCOME = IVKG["outcome/1"]


def small_graph() -> Graph:
    """A hand-made graph with one node of each kind that the shapes accept."""
    g = Graph()
    for node, cls, label in (
        (VEGFA, IVKG.GeneOrProtein, "VEGFA"),
        (PDL1, IVKG.GeneOrProtein, "PD-L1"),
        (MELANOMA, IVKG.Disease, "melanoma"),
        (BEVACIZUMAB, IVKG.Antibody, "bevacizumab"),
        (TRIAL, IVKG.ClinicalStudy, "a phase II trial"),
    ):
        g.add((node, RDF.type, cls))
        g.add((node, RDFS.label, Literal(label)))
    g.add((VEGFA, IVKG.increases_expression, PDL1))
    g.add((BEVACIZUMAB, IVKG.inhibits, VEGFA))
    g.add((BEVACIZUMAB, IVKG.tested_in, TRIAL))
    g.add((TRIAL, IVKG.studies, MELANOMA))
    g.add((TRIAL, IVKG.phase, Literal("II")))
    g.add((TRIAL, IVKG.design, Literal("single-arm")))
    g.add((TRIAL, IVKG.hasOutcome, OUTCOME))
    g.add((OUTCOME, RDF.type, IVKG.Outcome))
    g.add((OUTCOME, IVKG.measure, IVKG["measure/ORR"]))
    g.add((OUTCOME, IVKG.unit, iri("UO:0000187")))
    g.add((OUTCOME, IVKG.value, Literal(Decimal("45.0"))))
    g.add((STATEMENT, RDF.type, IVKG.Statement))
    g.add((STATEMENT, IVKG.subject, VEGFA))
    g.add((STATEMENT, IVKG.predicate, IVKG.increases_expression))
    g.add((STATEMENT, IVKG.object, PDL1))
    g.add((STATEMENT, IVKG.sign, Literal(1)))
    g.add((STATEMENT, IVKG.evidence, IVKG["evidence/in_vitro"]))
    g.add((STATEMENT, IVKG.reviewSection, Literal("2.1")))
    g.add((STATEMENT, IVKG.reviewReference, Literal(16)))
    g.add((STATEMENT, IVKG.statementText, Literal("VEGF signalling raises PD-L1 expression.")))
    return g


def test_small_graph_conforms(shapes: Graph) -> None:
    conforms, report = validate(small_graph(), shapes)
    assert conforms, report


def test_statement_without_evidence_fails(shapes: Graph) -> None:
    g = small_graph()
    g.remove((STATEMENT, IVKG.evidence, None))
    conforms, report = validate(g, shapes)
    assert not conforms
    assert "ivkg:evidence" in report


def test_sign_that_contradicts_the_predicate_fails(shapes: Graph) -> None:
    g = small_graph()
    g.set((STATEMENT, IVKG.sign, Literal(-1)))
    conforms, report = validate(g, shapes)
    assert not conforms
    assert "differs from the sign" in report


def test_object_of_wrong_category_fails(shapes: Graph) -> None:
    g = small_graph()
    g.add((VEGFA, IVKG.increases_expression, MELANOMA))
    conforms, report = validate(g, shapes)
    assert not conforms
    assert "The object of ivkg:increases_expression" in report


def test_outcome_in_a_unit_its_measure_does_not_allow_fails(shapes: Graph) -> None:
    g = small_graph()
    g.set((OUTCOME, IVKG.unit, iri("UO:0000035")))
    conforms, report = validate(g, shapes)
    assert not conforms
    assert "not a unit that the outcome's ivkg:measure allows" in report
