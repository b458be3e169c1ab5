"""``kg web``: a local, read-only web application over the graph (search, entity pages, path explorer,
regimen reports, SPARQL) and its JSON API. :mod:`kg.web.service` answers without HTTP; :mod:`kg.web.app`
(starlette, jinja2) is imported only by the command that serves."""
