"""Schema-level meaning the validators keep, checked fast on the IR and the emitted expressions (the hard spec's
servers prove the same against running TypeScript and FastAPI outputs)."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from stanchion.scaffold import ir
from stanchion.scaffold.routes.examples import Examples
from stanchion.scaffold.routes.formats import FORMAT_PATTERNS
from stanchion.scaffold.routes.py_schema import PySchemas
from stanchion.scaffold.routes.ts_schema import TsSchemas
from stanchion.scaffold.spec import load_spec
from stanchion.scaffold.spec.loader import LoadedSpec
from stanchion.scaffold.spec.normalize import to_api
from tests.scaffold.test_routes_support import DATA

PROBES = {
    "hostname": ["example.com", "a", "-a.com", "a-.com", "a.com.", "a_b.com", "a" * 63 + ".com", "a" * 64 + ".com",
                 "", "xn--bcher-kva.example", "a..b", "a." * 126 + "abc", "ex ample", "example.com\n", "é.com"],
    "uri": ["http://x", "a:b", "http://exa mple", "http://x/%zz", "http://x/%41", "mailto:a@b", "x", "/relative",
            "http://[::1]/", "http://a/b?c#d#e", "http://a/é", "http://a:b@c:99999", "1a:b", "http://[zz]/",
            "http://a/{b}", "http://a:b", "http://a\n", "file:///etc/x", "a:/b", "http://a#f?/"],
    "ipv6": ["::1", "::", "1::", "2409:40d0:f7:1017:74b4:3a96:105e:4c6e", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8:9",
             "null,null", "fe80::1%eth0", "1:2:3:4:5:6:7::", "1::2::3", "1:2:3:4:5:6:1.2.3.4",
             "1:2:3:4:5:6:7:1.2.3.4", "::1:2:3:4:5:6:7", "12345::", "1:::2", "::1\n", "::256.1.1.1"],
    "ipv4": ["1.2.3.4", "256.1.1.1", "01.2.3.4", "1.2.3", "0.0.0.0", "255.255.255.255", "1.2.3.4\n"],
}  # fmt: skip


def _valid(fmt: str, value: str) -> bool:
    return bool(jsonschema_rs.validator_for({"format": fmt}, validate_formats=True).is_valid(value))


@pytest.mark.parametrize("fmt", sorted(FORMAT_PATTERNS))
def test_format_patterns_agree_with_a_json_schema_validator(fmt: str) -> None:
    rng = random.Random(fmt)
    alphabet = "aZ09-._~:/?#[]@!$&'()*+,;=%fF \n"
    values = [
        *PROBES[fmt],
        *("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(3000)),
    ]
    values += [
        ":".join(rng.choice(["", "1", "ab", "ffff", "1.2.3.4"]) for _ in range(rng.randint(1, 9)))
        for _ in range(500)
    ]
    wrong = [v for v in values if bool(re.search(FORMAT_PATTERNS[fmt], v)) != _valid(fmt, v)]
    assert wrong == []


def _hard() -> ir.Api:
    return to_api(load_spec(DATA / "hard" / "hard.yaml")).api


def _body(api: ir.Api, operation_id: str) -> ir.Schema:
    body = next(op for op in api.operations if op.operation_id == operation_id).request_body
    assert body is not None
    return body


def _components(schemas: dict[str, Any]) -> ir.Api:
    """The IR of a spec that holds only these component schemas."""
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }
    return to_api(LoadedSpec(path=Path("components.yaml"), document=doc, version="3.0")).api


def test_a_member_only_named_in_required_is_present_in_both_outputs() -> None:
    api = _hard()
    create = api.schemas["ServerCreate"]
    assert create.type is ir.SchemaType.OBJECT and set(create.required) == {"name", "size"}
    by_host = create.all_of[1].any_of[0]  # {title, required: [host]}: an object, not 'anything'
    assert by_host.type is ir.SchemaType.OBJECT and by_host.required == ("host",)
    ts = TsSchemas(api.schemas).zod(create, "req")
    assert '"size": z.unknown().refine((x) => x !== undefined' in ts
    py = PySchemas(api.schemas)
    py.prepare()
    module = py.module()
    assert re.search(
        r'TypedDict\("ServerCreateBase\d+", \{"name": Any, "size": Any\}\)', module
    )  # keys required
    assert re.search(r'TypedDict\("ServerCreateBranch\d+Option\d+", \{"host": Any\}\)', module)


def test_a_required_placeholder_keeps_the_access_mode_its_allof_branch_gives() -> None:
    api = _components(
        {
            "Base": {"type": "object", "properties": {"id": {"type": "integer", "readOnly": True}}},
            "Thing": {"allOf": [{"$ref": "#/components/schemas/Base"}], "required": ["id"]},
        }
    )
    assert api.schemas["Thing"].properties["id"].read_only
    assert '"id": z.unknown().optional()' in TsSchemas(api.schemas).zod(api.schemas["Thing"], "req")


def test_discriminator_mappings_resolve_bundled_file_names_and_add_branch_values() -> None:
    api = _hard()
    action = _body(api, "serverAction").discriminator
    assert action is not None and action.decisive
    assert action.mapping["rename"] == "ServerRename"  # written as models/server_actions.yml#/ServerRename
    assert action.mapping["reboot"] == action.mapping["shutdown"] == "ServerPower"  # the branch's own enum
    move = _body(api, "moveServer").discriminator
    assert move is not None and move.mapping["transfer"] == "server_transfer"  # written as a file name
    assert not move.decisive  # ServerMove admits 'transfer' too: anyOf decides, not the tag
    assert "v.discriminated" not in TsSchemas(api.schemas).zod(_body(api, "moveServer"), "req")


def test_an_accept_header_enum_becomes_a_negotiation_pattern() -> None:
    op = next(op for op in _hard().operations if op.operation_id == "createServer")
    accept = next(p for p in op.parameters if p.name == "Accept")
    assert accept.schema_.pattern is not None
    admits = re.compile(accept.schema_.pattern).search
    assert all(
        admits(v) for v in ("application/json", "*/*", "text/html, APPLICATION/yaml;q=0.2", "application/*")
    )
    assert not any(admits(v) for v in ("AAA", "text/html", "application/xml", "application/jsonx"))


def test_a_request_view_never_takes_the_name_of_a_schema_spelt_like_it() -> None:
    """Box's spec has both SignRequestSigner (with readOnly members) and SignRequestSignerInput: the request
    view of the first must not reuse the second's name (duplicate declarations that failed to compile)."""
    signer = {"type": "object", "properties": {"id": {"type": "string", "readOnly": True}}}
    api = _components({"Signer": signer, "SignerInput": {"type": "object"}})
    ts = TsSchemas(api.schemas)
    ts_names = [name for _, name, _ in ts.views()]
    assert len(ts_names) == len(set(ts_names)) == 3
    assert ts.type_name("SignerInput", "res") == "SignerInput" != ts.type_name("Signer", "req")
    py = PySchemas(api.schemas)
    assert py.type_name("SignerInput", "req") == "SignerInput" != py.type_name("Signer", "req")
    assert len({py.type_name(n, m) for n in ("Signer", "SignerInput") for m in ("req", "res")}) == 3


def test_a_one_of_example_fits_exactly_one_branch_when_a_shallow_one_fits_both() -> None:
    """Box's search results: two branches whose members are all optional, told apart only by an enum deep
    inside. The stub's example must fit exactly one (a shallow `{}` fits both: the stub answered 500)."""

    def results(kind: str) -> dict[str, Any]:
        item = {"type": "object", "properties": {"type": {"type": "string", "enum": [kind]}}}
        return {"type": "object", "properties": {"entries": {"type": "array", "items": item}}}

    search = {"oneOf": [{"$ref": "#/components/schemas/Files"}, {"$ref": "#/components/schemas/Links"}]}
    api = _components({"Files": results("file"), "Links": results("search_result"), "Search": search})
    examples = Examples(api.schemas)
    value = examples.example(api.schemas["Search"], "res")
    assert examples.valid(api.schemas["Search"], value, "res"), value
    assert value == {"entries": [{"type": "file"}]}
