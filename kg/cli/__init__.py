"""The ``kg`` command: a click group over the library. Each command family lives in its own module.

Nothing imports this package; it imports the library, lazily, inside the commands that need it, so
``kg show`` does not pay for rdflib or networkx.
"""

from __future__ import annotations

from kg.cli.main import main

__all__ = ["main"]
