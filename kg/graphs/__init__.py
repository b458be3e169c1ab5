"""The model as RDF (with the ontology as schema), as a networkx graph and as JSON cards, and ``kg build``."""
