"""Loading, $ref resolution and bundling, validation and normalisation of OpenAPI 3.0 and 3.1 documents."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stanchion.errors import UsageError
from stanchion.scaffold import ir
from stanchion.scaffold.spec import load_spec
from stanchion.scaffold.spec.normalize import to_api
from stanchion.scaffold.spec.validate import problems
from tests.scaffold.test_routes_support import DATA

# DigitalOcean's public API v2 as published (about 2,900 files joined by relative $refs), Apache-2.0
SHARED_DO_ENTRY = "specification/DigitalOcean-public.v2.yaml"


def _external_refs(document: object) -> set[str]:
    return set(re.findall(r'"\$ref": "([^#][^"]*)"', json.dumps(document)))


def test_external_refs_are_bundled_into_components(tmp_path: Path) -> None:
    spec = load_spec(DATA / "hard" / "hard.yaml")
    assert spec.version == "3.0" and len(spec.files) == 2
    assert not _external_refs(spec.document)
    schemas = spec.document["components"]["schemas"]
    assert schemas["Owner"]["properties"]["address"] == {"$ref": "#/components/schemas/Address"}
    assert problems(spec) == []


def test_json_and_yaml_load_alike(tmp_path: Path) -> None:
    yaml_spec = load_spec(DATA / "oai-examples" / "petstore.yaml")
    (tmp_path / "petstore.json").write_text(json.dumps(yaml_spec.document))
    assert load_spec(tmp_path / "petstore.json").document == yaml_spec.document


def test_the_multi_file_digitalocean_spec_bundles_and_matches_the_corpus_copy(tmp_path: Path) -> None:
    import gzip
    import tarfile

    with tarfile.open(DATA / "digitalocean" / "specification.tar.gz") as archive:
        archive.extractall(tmp_path, filter="data")
    spec = load_spec(tmp_path / SHARED_DO_ENTRY)
    assert len(spec.files) > 2000 and not _external_refs(spec.document)
    with gzip.open(DATA / "digitalocean" / "openapi.json.gz", "rt") as f:
        corpus = json.load(f)
    assert corpus["paths"].keys() == spec.document["paths"].keys()
    # the one fix the corpus copy carries: a null default on a non-nullable member
    assert [str(p) for p in problems(spec)] == ["/: None for not nullable"]


def test_openapi_31_forms_normalise_like_30() -> None:
    api = to_api(load_spec(DATA / "hard" / "hard31.yaml")).api
    item = api.schemas["Item"]
    assert item.properties["note"].nullable and item.properties["note"].type is ir.SchemaType.STRING
    assert item.properties["kind"].enum == ("item",)
    assert item.properties["price"].exclusive_minimum and item.properties["price"].minimum == 0
    assert item.properties["size"].nullable and item.properties["size"].enum == ("small", "large")
    assert item.properties["name"].example == "widget"
    assert not item.additional_properties
    hard = to_api(load_spec(DATA / "hard" / "hard.yaml")).api
    base = hard.schemas["PetBase"]
    assert base.properties["tag"].nullable and "tag" not in base.required  # nullable and optional apart
    assert base.properties["id"].read_only and base.properties["secret"].write_only
    pet = hard.schemas["Pet"]
    assert pet.discriminator is not None and pet.discriminator.mapping == {"cat": "Cat", "dog": "Dog"}
    ops = {op.operation_id: op for op in hard.operations}
    assert [c.content_type for c in ops["createPet"].request_contents] == [
        "application/json",
        "application/x-www-form-urlencoded",
    ]
    assert ops["deletePet"].security_requirements == ({"oauth": ("pets:admin",)},)
    assert ops["health"].security is None
    status = next(p for p in ops["listPets"].parameters if p.name == "status")
    assert status.style == "form" and status.explode is False
    assert {p.name for p in ops["getPet"].parameters} == {"petId"}  # path-level parameter inherited


def test_swagger_2_and_broken_yaml_are_refused_clearly(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n")
    with pytest.raises(UsageError) as err:
        load_spec(tmp_path / "s.yaml")
    assert err.value.hint and "Swagger 2.0" in err.value.hint
    (tmp_path / "b.yaml").write_text("openapi: 3.0.3\ninfo: [\n")
    with pytest.raises(UsageError, match=r"b.yaml:\d+: not valid YAML"):
        load_spec(tmp_path / "b.yaml")
    with pytest.raises(UsageError, match="no such file"):
        load_spec(tmp_path / "missing.yaml")
