"""Render an Express + TypeScript project from the API model.

Layers: ``base`` (app, config, logging, errors, security headers, rate limits, health, OpenAPI, tests),
``db`` (Drizzle tables, SQL migrations, repositories, services, controllers and routes per resource),
``auth`` (users, JWT, refresh-token rotation, roles), ``docker``, ``ci``; plus the npm lockfile of the
profile. ``package.json`` takes its dependency pins from that lockfile, so ``npm ci`` always agrees with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stanchion.scaffold.ir import Api, Property, Resource, Schema, SchemaType
from stanchion.scaffold.stacks import layers, lock_layer, render_layers

if TYPE_CHECKING:
    from stanchion.scaffold.new import ProjectOptions

TEMPLATES = Path(__file__).parent / "templates"


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def zod(schema: Schema) -> str:
    """The zod expression that validates a request value of this schema."""
    if schema.type is SchemaType.STRING:
        expr = "z.string()"
        if schema.format == "date-time":
            expr += ".datetime({ offset: true })"
        if schema.min_length is not None:
            expr += f".min({schema.min_length})"
        if schema.max_length is not None:
            expr += f".max({schema.max_length})"
        if schema.pattern is not None:
            expr += f".regex(new RegExp({json.dumps(schema.pattern)}))"
        return expr
    if schema.type in (SchemaType.INTEGER, SchemaType.NUMBER):
        expr = "z.number().int()" if schema.type is SchemaType.INTEGER else "z.number()"
        if schema.minimum is not None:
            expr += f".min({_num(schema.minimum)})"
        if schema.maximum is not None:
            expr += f".max({_num(schema.maximum)})"
        return expr
    if schema.type is SchemaType.BOOLEAN:
        return "z.boolean()"
    return "z.unknown()"


def zod_out(prop: Property) -> str:
    """The zod schema of a response field (documents the stored shape; optional fields may be null)."""
    schema = prop.schema_
    if schema.type is SchemaType.STRING:
        expr = "z.string().datetime()" if schema.format == "date-time" else "z.string()"
    elif schema.type is SchemaType.INTEGER:
        expr = "z.number().int()"
    elif schema.type is SchemaType.NUMBER:
        expr = "z.number()"
    elif schema.type is SchemaType.BOOLEAN:
        expr = "z.boolean()"
    else:
        expr = "z.unknown()"
    return expr if prop.required else expr + ".nullable()"


def ts_out(prop: Property, row: str) -> str:
    """How the service turns a row's column into the JSON field."""
    value = f"{row}.{camel(prop.name)}"
    if prop.schema_.format == "date-time":
        return f"{value}.toISOString()" if prop.required else f"{value}?.toISOString() ?? null"
    return value


def drizzle_col(prop: Property, resource: Resource) -> str:
    """The Drizzle column builder for a property."""
    schema = prop.schema_
    if prop.name == resource.id_field:
        return f'integer("{prop.name}").primaryKey().generatedAlwaysAsIdentity()'
    if schema.format == "date-time":
        col = f'timestamp("{prop.name}", {{ withTimezone: true }})'
        if prop.read_only:
            col += ".defaultNow()"
    elif schema.type is SchemaType.STRING:
        if schema.max_length is not None and schema.max_length <= 255:
            col = f'varchar("{prop.name}", {{ length: {schema.max_length} }})'
        else:
            col = f'text("{prop.name}")'
    elif schema.type is SchemaType.INTEGER:
        col = f'integer("{prop.name}")'
    elif schema.type is SchemaType.NUMBER:
        col = f'doublePrecision("{prop.name}")'
    else:
        col = f'boolean("{prop.name}")'
    if prop.required:
        col += ".notNull()"
    if prop.unique:
        col += ".unique()"
    return col


def sql_col(prop: Property, resource: Resource) -> str:
    """The PostgreSQL column definition for a property (the migration's view of drizzle_col)."""
    schema = prop.schema_
    if prop.name == resource.id_field:
        return f"{prop.name} integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
    if schema.format == "date-time":
        sql_type = "timestamptz"
    elif schema.type is SchemaType.STRING:
        small = schema.max_length is not None and schema.max_length <= 255
        sql_type = f"varchar({schema.max_length})" if small else "text"
    elif schema.type is SchemaType.INTEGER:
        sql_type = "integer"
    elif schema.type is SchemaType.NUMBER:
        sql_type = "double precision"
    else:
        sql_type = "boolean"
    parts = [prop.name, sql_type]
    if prop.required:
        parts.append("NOT NULL")
    if schema.format == "date-time" and prop.read_only:
        parts.append("DEFAULT now()")
    if prop.unique:
        parts.append("UNIQUE")
    return " ".join(parts)


def ts_sample(prop: Property) -> str:
    """A valid TypeScript literal for a property (tests and seed data)."""
    schema = prop.schema_
    if schema.type is SchemaType.STRING:
        return json.dumps(f"sample {prop.name}")
    if schema.type in (SchemaType.INTEGER, SchemaType.NUMBER):
        return _num(schema.minimum if schema.minimum is not None else 1)
    if schema.type is SchemaType.BOOLEAN:
        return "true"
    return "null"


def writable(resource: Resource) -> tuple[Property, ...]:
    return resource.writable_fields


FILTERS: dict[str, Callable[..., Any]] = {
    "camel": camel,
    "pascal": pascal,
    "zod": zod,
    "zod_out": zod_out,
    "ts_out": ts_out,
    "drizzle_col": drizzle_col,
    "sql_col": sql_col,
    "ts_sample": ts_sample,
    "writable": writable,
}


def drizzle_imports(resources: tuple[Resource, ...], auth: bool) -> list[str]:
    """The pg-core builders the tables use (an unused import would fail the project's lint)."""
    used = {"pgTable"}
    for resource in resources:
        for prop in resource.fields:
            used.add(drizzle_col(prop, resource).split("(", 1)[0])
    if auth:
        used.update({"integer", "varchar", "text", "timestamp"})
    return sorted(used)


def _lock_root(options: ProjectOptions) -> dict[str, Any]:
    lock = json.loads((TEMPLATES / lock_layer(options) / "package-lock.json").read_text(encoding="utf-8"))
    root: dict[str, Any] = lock["packages"][""]
    return root


def context(api: Api, options: ProjectOptions) -> dict[str, Any]:
    root = _lock_root(options)
    return {
        "api": api,
        "opts": options,
        "project": options.package_name,
        "title": options.title,
        "auth": options.auth,
        "docker": options.docker,
        "ci": options.ci,
        "minimal": options.minimal,
        "resources": api.resources,
        "drizzle_imports": drizzle_imports(api.resources, options.auth),
        "deps": sorted(root.get("dependencies", {}).items()),
        "dev_deps": sorted(root.get("devDependencies", {}).items()),
    }


def _name_lockfile(target: Path, name: str) -> None:
    path = target / "package-lock.json"
    lock = json.loads(path.read_text(encoding="utf-8"))
    lock["name"] = name
    lock["packages"][""]["name"] = name
    path.write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")


def emit(api: Api, options: ProjectOptions, target: Path) -> list[str]:
    written = render_layers(
        TEMPLATES, layers(options), context(api, options), target, filters=FILTERS, resources=api.resources
    )
    _name_lockfile(target, options.package_name)
    return written
