"""The curated tables in ``data/``: reading them into one validated model, semantic checks, the canonical
form (``kg fmt``), coverage per review section, and looking entities up by any name."""
