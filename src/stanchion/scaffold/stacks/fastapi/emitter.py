"""Render a FastAPI project from the API model.

Layers: ``base`` (app, config, logging, errors, security headers, rate limits, health, tests), ``db``
(SQLAlchemy models, Alembic, repositories, services and routes per resource), ``auth`` (users, JWT,
refresh-token rotation, roles), ``docker``, ``ci``; plus the pinned lock for the chosen profile.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stanchion.scaffold.ir import Api, Property, Resource, Schema, SchemaType
from stanchion.scaffold.stacks import layers, render_layers

if TYPE_CHECKING:
    from stanchion.scaffold.new import ProjectOptions

TEMPLATES = Path(__file__).parent / "templates"


def py_type(schema: Schema) -> str:
    """The Python annotation for a schema (without ``| None``)."""
    if schema.type is SchemaType.STRING:
        return {"date-time": "datetime", "date": "date"}.get(schema.format or "", "str")
    return {
        SchemaType.INTEGER: "int",
        SchemaType.NUMBER: "float",
        SchemaType.BOOLEAN: "bool",
    }.get(schema.type, "Any")


def sa_type(schema: Schema) -> str:
    """The SQLAlchemy column type for a schema."""
    if schema.type is SchemaType.STRING:
        if schema.format == "date-time":
            return "DateTime(timezone=True)"
        if schema.format == "date":
            return "Date"
        if schema.max_length is not None and schema.max_length <= 255:
            return f"String({schema.max_length})"
        return "Text"
    if schema.type is SchemaType.INTEGER:
        return "BigInteger" if schema.format == "int64" else "Integer"
    return {SchemaType.NUMBER: "Float", SchemaType.BOOLEAN: "Boolean"}.get(schema.type, "JSON")


def field_args(schema: Schema) -> str:
    """pydantic ``Field(...)`` keyword arguments for a schema's constraints."""
    args: list[str] = []
    if schema.min_length is not None:
        args.append(f"min_length={schema.min_length}")
    if schema.max_length is not None:
        args.append(f"max_length={schema.max_length}")
    if schema.pattern is not None:
        args.append(f"pattern={json.dumps(schema.pattern)}")
    if schema.minimum is not None:
        args.append(f"ge={int(schema.minimum) if schema.type is SchemaType.INTEGER else schema.minimum}")
    if schema.maximum is not None:
        args.append(f"le={int(schema.maximum) if schema.type is SchemaType.INTEGER else schema.maximum}")
    return ", ".join(args)


def sample_value(prop: Property) -> str:
    """A valid Python literal for a property (tests and seed data)."""
    schema = prop.schema_
    if schema.type is SchemaType.STRING:
        return json.dumps(f"sample {prop.name}")
    if schema.type is SchemaType.INTEGER:
        return str(int(schema.minimum or 1))
    if schema.type is SchemaType.NUMBER:
        return str(schema.minimum or 1.5)
    if schema.type is SchemaType.BOOLEAN:
        return "True"
    return "None"


def pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def context(api: Api, options: ProjectOptions) -> dict[str, Any]:
    return {
        "api": api,
        "opts": options,
        "project": options.name,
        "title": options.title,
        "auth": options.auth,
        "docker": options.docker,
        "ci": options.ci,
        "minimal": options.minimal,
        "db": options.db,
        "resources": api.resources,
    }


def writable(resource: Resource) -> tuple[Property, ...]:
    return resource.writable_fields


FILTERS: dict[str, Callable[..., Any]] = {
    "py_type": py_type,
    "sa_type": sa_type,
    "field_args": field_args,
    "sample_value": sample_value,
    "pascal": pascal,
    "writable": writable,
}


def emit(api: Api, options: ProjectOptions, target: Path) -> list[str]:
    return render_layers(
        TEMPLATES, layers(options), context(api, options), target, filters=FILTERS, resources=api.resources
    )
