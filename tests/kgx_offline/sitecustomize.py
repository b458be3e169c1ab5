"""Run the real ``kgx`` command line offline (put this folder on PYTHONPATH of the ``kgx`` process).

kgx and its Biolink Model Toolkit fetch the Biolink Model YAML, a predicate map and a JSON-LD context from
the network when they start. This hook disables sockets, points bmt at the YAML the ``biolink-model``
package ships and gives kgx that package's prefix map as the Biolink context: the same model and prefixes
kgx would download, and nothing more (no prefix of ours is added here).
"""

import json
import socket
from importlib import resources


def _no_network(*args, **kwargs):
    raise OSError("network disabled: kgx runs offline in tests")


socket.socket.connect = _no_network  # type: ignore[method-assign]
socket.getaddrinfo = _no_network  # type: ignore[assignment]

try:
    import bmt
    from bmt import toolkit as _tk
except ImportError:  # not a kgx process
    pass
else:
    _YAML = str(resources.files("biolink_model") / "schema" / "biolink_model.yaml")

    class OfflineToolkit(_tk.Toolkit):
        def __init__(self, schema=_YAML, predicate_map=None, **kwargs):
            super().__init__(schema, predicate_map or {"predicate mappings": []}, **kwargs)

    bmt.Toolkit = OfflineToolkit
    _tk.Toolkit = OfflineToolkit
    import kgx.config

    kgx.config.jsonld_context_map["biolink"] = json.loads(
        (resources.files("biolink_model") / "prefixmaps" / "biolink-model-prefix-map.json").read_text())
