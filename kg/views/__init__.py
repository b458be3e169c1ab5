"""Views of the graph: one selection (whole, focus, path, regimen, filters), the flat records and the style
every drawing and export shares, and the offline interactive page."""
