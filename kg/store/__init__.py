"""The persistent store behind ``--store``: its generations, its path graph and views, and the importer
(readers of each format, the builder of nodes and edges, the report)."""
