"""ivkg: the immune-vascular knowledge graph and its toolkit.

The subpackages follow the pipeline, and imports flow one way (``tests/test_architecture.py`` checks it)::

    core      what a thing is: vocabulary, model values, metagraph, text rendering, atomic writes
    curation  the curated tables: reading, validation, canonical form, coverage, name lookup
    graphs    the model as RDF, as networkx and as JSON cards; kg build
    paths     signed mechanism paths, loops and neighbours; regimen effects and reports
    sparql    SPARQL engines, the named query library, safety guards, result formats
    views     one view selection, its records and style, the interactive page
    export    one export(view, path, format), a module per family of formats
    store     the persistent store for large graphs and the importer that fills it
    cli       the click commands (nothing imports them)

Nothing happens at import time.
"""
