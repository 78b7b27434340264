"""OpenAPI documents in: load (YAML/JSON), resolve and bundle ``$ref``s, validate, normalise into the IR.

``load_spec(path)`` is the one entry point: it returns a :class:`LoadedSpec` holding the bundled document
(one self-contained dict whose only ``$ref``s are local ``#/components/...`` pointers) and its version.
``to_api(loaded)`` turns it into :class:`stanchion.scaffold.ir.Api`.
"""

from __future__ import annotations

from stanchion.scaffold.spec.loader import LoadedSpec, load_spec

__all__ = ["LoadedSpec", "load_spec"]
