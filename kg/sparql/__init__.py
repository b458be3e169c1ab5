"""SPARQL over the graph: embedded Oxigraph, rdflib and remote engines, the named query library in
``queries/``, the read-only safety guards and the result formats."""
