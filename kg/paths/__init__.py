"""Mechanism paths over any :class:`~kg.paths.graph.PathGraph`: signed, ranked path search, loops and
neighbours, regimen effects and the regimen report, and their text rendering."""
