"""The one model of an API that every scaffolder direction shares.

``stanchion scaffold new`` builds an :class:`Api` from its flags (:func:`crud_resource`, :func:`auth_operations`);
spec-to-code builds one from an OpenAPI document; the stack emitters render templates from it. Nothing here
knows about a stack or a template: the IR names resources, operations, parameters, schemas and security.

The model is pydantic (validated on construction, frozen, JSON-serialisable with ``model_dump``) so that a
spec reader can feed it untrusted input and get one clear error. Names are validated as identifiers that every
stack can use (``snake_case``); the emitters derive camelCase and PascalCase from them.

Shape::

    Api
      security_schemes: [SecurityScheme]          bearer JWT, API key, ...
      resources: [Resource]                       a table-backed collection ("notes")
        fields: [Property]                        name + Schema + required/read_only
        operations: [Operation]                   list/create/read/update/delete/custom
          parameters: [Parameter]                 path/query/header/cookie + Schema
          request_body: Schema | None
          responses: [Response]                   status + Schema + content type
          security: [name] | None                 None = public, [] = public explicitly
      operations: [Operation]                     operations that belong to no resource (auth, health)
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


class SchemaType(StrEnum):
    """JSON Schema types plus ``ref`` (a named schema) and ``any`` (no constraint)."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    OBJECT = "object"
    ARRAY = "array"
    NULL = "null"
    REF = "ref"
    ANY = "any"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Schema(_Frozen):
    """A JSON-Schema-like type: enough for request/response bodies and parameters.

    ``format`` carries OpenAPI formats (``date-time``, ``email``, ``uuid``, ``int64``...). For ``object``,
    ``properties`` and ``required`` describe the members; for ``array``, ``items``; for ``ref``, ``ref`` is
    the name of a schema in :attr:`Api.schemas`.
    """

    type: SchemaType
    format: str | None = None
    description: str | None = None
    nullable: bool = False
    enum: tuple[str | int | float | bool, ...] | None = None
    default: Any = None
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=0)
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    items: Schema | None = None
    min_items: int | None = Field(default=None, ge=0)
    max_items: int | None = Field(default=None, ge=0)
    properties: dict[str, Schema] = Field(default_factory=dict)
    required: tuple[str, ...] = ()
    additional_properties: bool = False
    ref: str | None = None
    # spec-to-code (OpenAPI 3.0/3.1): composition, access modes and the remaining validation keywords
    title: str | None = None
    read_only: bool = False
    write_only: bool = False
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    multiple_of: float | None = None
    unique_items: bool = False
    min_properties: int | None = Field(default=None, ge=0)
    max_properties: int | None = Field(default=None, ge=0)
    additional_schema: Schema | None = None  # additionalProperties given as a schema
    all_of: tuple[Schema, ...] = ()
    one_of: tuple[Schema, ...] = ()
    any_of: tuple[Schema, ...] = ()
    discriminator: Discriminator | None = None
    example: Any = None

    @model_validator(mode="after")
    def _consistent(self) -> Schema:
        if self.type is SchemaType.ARRAY and self.items is None:
            raise ValueError("an array schema needs 'items'")
        if self.type is SchemaType.REF and not self.ref:
            raise ValueError("a ref schema needs 'ref'")
        missing = [name for name in self.required if name not in self.properties]
        if missing:
            raise ValueError(f"required names not among properties: {', '.join(missing)}")
        return self


class Discriminator(_Frozen):
    """``oneOf``/``anyOf`` discriminator: the property naming the branch, and value -> schema name.

    ``decisive``: the tagged branch alone decides validity (each branch requires the property and pins it to
    the values mapped to it). When not, validators keep the plain oneOf/anyOf meaning: a discriminator is a
    hint and never changes which values are valid.
    """

    property_name: str
    mapping: dict[str, str] = Field(default_factory=dict)
    decisive: bool = True


class Content(_Frozen):
    """One media type of a request body (``multipart/form-data``, ``application/json``...) and its schema."""

    content_type: str
    schema_: Schema | None = Field(default=None, alias="schema")

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Property(_Frozen):
    """One field of a resource: a column in the table, a member of its JSON shape."""

    name: str
    schema_: Schema = Field(alias="schema")
    required: bool = True
    read_only: bool = False
    unique: bool = False
    description: str | None = None

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @field_validator("name")
    @classmethod
    def _snake(cls, value: str) -> str:
        return _check_snake(value, "property")


class ParameterLocation(StrEnum):
    PATH = "path"
    QUERY = "query"
    HEADER = "header"
    COOKIE = "cookie"


class Parameter(_Frozen):
    """A path, query, header or cookie parameter of an operation."""

    name: str
    location: ParameterLocation
    schema_: Schema = Field(alias="schema")
    required: bool = False
    description: str | None = None
    style: str | None = (
        None  # OpenAPI style (form, simple, label, matrix, spaceDelimited, pipeDelimited, deepObject)
    )
    explode: bool | None = None  # None: the style's default
    allow_empty: bool = False  # allowEmptyValue on a query parameter: '?name=' is accepted

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _path_required(self) -> Parameter:
        if self.location is ParameterLocation.PATH and not self.required:
            raise ValueError(f"path parameter {self.name!r} must be required")
        return self


class Response(_Frozen):
    """One documented response: status (``"200"``, ``"4XX"``, ``"default"``), body schema, content type."""

    status: str
    description: str
    schema_: Schema | None = Field(default=None, alias="schema")
    content_type: str = "application/json"

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class OperationKind(StrEnum):
    """What an operation does; CRUD kinds are rendered from the resource, ``custom`` from its schemas."""

    LIST = "list"
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"
    CUSTOM = "custom"


class HttpMethod(StrEnum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"
    HEAD = "HEAD"
    OPTIONS = "OPTIONS"


class Operation(_Frozen):
    """One HTTP operation: method + path template (``/notes/{id}``) and what it takes and returns.

    ``security`` lists :class:`SecurityScheme` names, any one of which satisfies the operation; ``None``
    means public. ``roles`` restricts the operation to users holding one of the roles (role-based access).
    """

    operation_id: str
    kind: OperationKind = OperationKind.CUSTOM
    method: HttpMethod
    path: str
    summary: str = ""
    description: str | None = None
    tags: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    request_body: Schema | None = None
    request_content_type: str = "application/json"
    responses: tuple[Response, ...] = ()
    security: tuple[str, ...] | None = None
    roles: tuple[str, ...] = ()
    # spec-to-code: every request media type, and OpenAPI security requirements (any one entry satisfies;
    # within an entry every scheme must, with its scopes); None = use ``security``
    request_contents: tuple[Content, ...] = ()
    request_body_required: bool = False
    security_requirements: tuple[dict[str, tuple[str, ...]], ...] | None = None

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"path {value!r} must start with '/'")
        return value

    @model_validator(mode="after")
    def _path_params_declared(self) -> Operation:
        in_template = set(re.findall(r"{([^}]+)}", self.path))
        declared = {p.name for p in self.parameters if p.location is ParameterLocation.PATH}
        if in_template != declared:
            raise ValueError(
                f"{self.method} {self.path}: path parameters {sorted(in_template)} "
                f"do not match declared {sorted(declared)}"
            )
        return self

    @property
    def secured(self) -> bool:
        return bool(self.security)


class SecuritySchemeKind(StrEnum):
    HTTP_BEARER = "http_bearer"
    HTTP_BASIC = "http_basic"
    API_KEY = "api_key"
    OAUTH2 = "oauth2"
    OPENID_CONNECT = "openid_connect"


class SecurityScheme(_Frozen):
    """How a client proves who it is; ``bearer_format`` for bearer tokens, ``location``/``param`` for keys."""

    name: str
    kind: SecuritySchemeKind
    bearer_format: str | None = None
    location: ParameterLocation | None = None
    param_name: str | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _api_key_place(self) -> SecurityScheme:
        if self.kind is SecuritySchemeKind.API_KEY and (self.location is None or not self.param_name):
            raise ValueError(f"API key scheme {self.name!r} needs 'location' and 'param_name'")
        return self


class Resource(_Frozen):
    """A collection backed by one table: ``name`` is singular snake_case, ``plural`` names the table/path."""

    name: str
    plural: str
    description: str | None = None
    fields: tuple[Property, ...]
    operations: tuple[Operation, ...] = ()
    id_field: str = "id"

    @field_validator("name", "plural")
    @classmethod
    def _snake(cls, value: str) -> str:
        return _check_snake(value, "resource")

    @model_validator(mode="after")
    def _id_present(self) -> Resource:
        names = [f.name for f in self.fields]
        if self.id_field not in names:
            raise ValueError(f"resource {self.name!r} has no id field {self.id_field!r}")
        if len(set(names)) != len(names):
            raise ValueError(f"resource {self.name!r} repeats a field name")
        return self

    @property
    def writable_fields(self) -> tuple[Property, ...]:
        """Fields a client sends on create/update (everything but read-only ones)."""
        return tuple(f for f in self.fields if not f.read_only)

    def operation(self, kind: OperationKind | str) -> Operation | None:
        return next((op for op in self.operations if op.kind == kind), None)


class Api(_Frozen):
    """A whole API: what templates render and what spec readers produce."""

    title: str
    version: str = "0.1.0"
    description: str | None = None
    resources: tuple[Resource, ...] = ()
    operations: tuple[Operation, ...] = ()
    schemas: dict[str, Schema] = Field(default_factory=dict)
    security_schemes: tuple[SecurityScheme, ...] = ()
    roles: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> Api:
        schemes = {s.name for s in self.security_schemes}
        seen: set[tuple[str, str]] = set()
        ids: set[str] = set()
        for op in self.all_operations():
            for name in op.security or ():
                if name not in schemes:
                    raise ValueError(f"operation {op.operation_id!r} names unknown security scheme {name!r}")
            key = (op.method.value, op.path)
            if key in seen:
                raise ValueError(f"{op.method} {op.path} is defined twice")
            if op.operation_id in ids:
                raise ValueError(f"operation id {op.operation_id!r} is used twice")
            seen.add(key)
            ids.add(op.operation_id)
        return self

    def all_operations(self) -> list[Operation]:
        """Every operation: the resources' first, then the free-standing ones."""
        return [op for r in self.resources for op in r.operations] + list(self.operations)

    @property
    def secured(self) -> bool:
        return any(op.secured for op in self.all_operations())


def _check_snake(value: str, what: str) -> str:
    if not _SNAKE.fullmatch(value):
        raise ValueError(f"{what} name {value!r} must be snake_case (a-z, 0-9, _; starting with a letter)")
    return value


# -- builders used by `scaffold new` (and reusable by from-db) -----------------------------------------------

PROBLEM = Schema(
    type=SchemaType.OBJECT,
    description="RFC 9457 problem details",
    properties={
        "type": Schema(type=SchemaType.STRING),
        "title": Schema(type=SchemaType.STRING),
        "status": Schema(type=SchemaType.INTEGER),
        "detail": Schema(type=SchemaType.STRING),
        "instance": Schema(type=SchemaType.STRING),
    },
    required=("type", "title", "status"),
    additional_properties=True,
)

#: Text columns refuse NUL (PostgreSQL cannot store it), so the schema says so and validation rejects it.
NO_NUL = r"^[^\u0000]*$"

BEARER = SecurityScheme(name="bearerAuth", kind=SecuritySchemeKind.HTTP_BEARER, bearer_format="JWT")


def _problem(status: str, description: str) -> Response:
    return Response(
        status=status, description=description, schema=PROBLEM, content_type="application/problem+json"
    )


def object_schema(props: tuple[Property, ...], *, all_optional: bool = False) -> Schema:
    """The JSON object schema of a set of properties (``all_optional`` for partial updates)."""
    return Schema(
        type=SchemaType.OBJECT,
        properties={p.name: p.schema_ for p in props},
        required=() if all_optional else tuple(p.name for p in props if p.required),
    )


def crud_resource(
    name: str,
    plural: str,
    fields: tuple[Property, ...],
    *,
    security: tuple[str, ...] | None = None,
    delete_roles: tuple[str, ...] = (),
) -> Resource:
    """A resource with an integer ``id`` and the five CRUD operations under ``/<plural>``.

    ``fields`` excludes ``id``/``created_at`` (added here, read-only). ``delete_roles`` restricts deletion.
    """
    ident = Property(
        name="id", schema=Schema(type=SchemaType.INTEGER, format="int64", minimum=1), read_only=True
    )
    created = Property(
        name="created_at", schema=Schema(type=SchemaType.STRING, format="date-time"), read_only=True
    )
    all_fields = (ident, *fields, created)
    item = object_schema(all_fields)
    body = object_schema(fields)
    patch = object_schema(fields, all_optional=True)
    id_param = Parameter(
        name="id",
        location=ParameterLocation.PATH,
        schema=Schema(type=SchemaType.INTEGER, format="int32", minimum=1, maximum=2**31 - 1),
        required=True,
    )
    page = (
        Parameter(
            name="limit",
            location=ParameterLocation.QUERY,
            schema=Schema(type=SchemaType.INTEGER, minimum=1, maximum=100, default=20),
        ),
        Parameter(
            name="offset",
            location=ParameterLocation.QUERY,
            schema=Schema(type=SchemaType.INTEGER, minimum=0, maximum=2**31 - 1, default=0),
        ),
    )
    listing = Schema(
        type=SchemaType.OBJECT,
        properties={
            "items": Schema(type=SchemaType.ARRAY, items=item),
            "total": Schema(type=SchemaType.INTEGER, minimum=0),
        },
        required=("items", "total"),
    )
    guarded = (_problem("401", "Missing or invalid token"),) if security else ()
    bad = _problem("400", "Invalid request")
    missing = _problem("404", "Not found")
    title = name.replace("_", " ")
    tag = (plural,)
    ops = (
        Operation(operation_id=f"list_{plural}", kind=OperationKind.LIST, method=HttpMethod.GET, path=f"/{plural}",
                  summary=f"List {plural.replace('_', ' ')}", tags=tag, parameters=page, security=security,
                  responses=(Response(status="200", description="A page", schema=listing), bad, *guarded)),
        Operation(operation_id=f"create_{name}", kind=OperationKind.CREATE, method=HttpMethod.POST, path=f"/{plural}",
                  summary=f"Create a {title}", tags=tag, request_body=body, security=security,
                  responses=(Response(status="201", description="Created", schema=item), bad, *guarded)),
        Operation(operation_id=f"get_{name}", kind=OperationKind.READ, method=HttpMethod.GET, path=f"/{plural}/{{id}}",
                  summary=f"Get a {title}", tags=tag, parameters=(id_param,), security=security,
                  responses=(Response(status="200", description="Found", schema=item), bad, missing, *guarded)),
        Operation(operation_id=f"update_{name}", kind=OperationKind.UPDATE, method=HttpMethod.PATCH, path=f"/{plural}/{{id}}",
                  summary=f"Update a {title}", tags=tag, parameters=(id_param,), request_body=patch, security=security,
                  responses=(Response(status="200", description="Updated", schema=item), bad, missing, *guarded)),
        Operation(operation_id=f"delete_{name}", kind=OperationKind.DELETE, method=HttpMethod.DELETE, path=f"/{plural}/{{id}}",
                  summary=f"Delete a {title}", tags=tag, parameters=(id_param,), security=security, roles=delete_roles,
                  responses=(Response(status="204", description="Deleted"), bad, missing, *guarded,
                             *((_problem("403", "Role not allowed"),) if delete_roles else ()))),
    )  # fmt: skip
    return Resource(name=name, plural=plural, fields=all_fields, operations=ops)


def notes_api(title: str, *, auth: bool) -> Api:
    """The API `scaffold new` generates: a ``notes`` resource (and bearer auth with roles when ``auth``)."""
    fields = (
        Property(
            name="title", schema=Schema(type=SchemaType.STRING, min_length=1, max_length=200, pattern=NO_NUL)
        ),
        Property(
            name="body",
            schema=Schema(type=SchemaType.STRING, max_length=10_000, pattern=NO_NUL),
            required=False,
        ),
        Property(name="done", schema=Schema(type=SchemaType.BOOLEAN), required=False),
    )
    security = (BEARER.name,) if auth else None
    notes = crud_resource("note", "notes", fields, security=security, delete_roles=("admin",) if auth else ())
    return Api(
        title=title,
        description=f"{title}: a REST service generated by stanchion scaffold.",
        resources=(notes,),
        security_schemes=(BEARER,) if auth else (),
        roles=("user", "admin") if auth else (),
    )
