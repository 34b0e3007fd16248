"""The OpenAPI 3 description, generated from the DocType metadata and the method table."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from school_logistics.api.client import DEFAULT_PAGE_LENGTH, MAX_PAGE_LENGTH
from school_logistics.api.methods import METHODS
from school_logistics.core.meta import DECIMAL_TYPES, DocField, Meta
from school_logistics.core.models import DocType
from school_logistics.core.registry import get_meta
from school_logistics.core.validation import TEXT_LIMITS

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "exc_type": {"type": "string"},
        "exception": {"type": "string"},
        "message": {"type": "string"},
        "_server_messages": {"type": "string", "description": "JSON 字符串：消息 JSON 的列表"},
        "errors": {"type": "object", "additionalProperties": {"type": "array"}},
    },
    "required": ["exc_type", "_server_messages"],
}
ERRORS = {
    "401": "AuthenticationError",
    "403": "PermissionError",
    "404": "DoesNotExistError",
    "409": "DuplicateEntryError",
    "413": "请求太大",
    "417": "ValidationError",
    "429": "RateLimitExceededError",
}
STANDARD_PROPERTIES: dict[str, Any] = {
    "name": {"type": "string"},
    "owner": {"type": "string"},
    "creation": {"type": "string"},
    "modified": {"type": "string"},
    "modified_by": {"type": "string"},
    "docstatus": {"type": "integer", "enum": [0, 1, 2]},
    "idx": {"type": "integer"},
    "doctype": {"type": "string"},
}


def schema_name(doctype: str) -> str:
    return doctype.replace(" ", "")


def field_schema(f: DocField) -> dict[str, Any]:
    """Return the JSON schema of one field's value as the API writes and reads it."""
    description = f.label
    if f.is_table:
        return {
            "type": "array",
            "items": {"$ref": f"#/components/schemas/{schema_name(f.options)}"},
            "description": description,
        }
    schema: dict[str, Any]
    match f.fieldtype:
        case "Int":
            schema = {"type": "integer"}
        case t if t in DECIMAL_TYPES:
            schema = {"type": "number"}
        case "Check":
            schema = {"type": "integer", "enum": [0, 1]}
        case "Date":
            schema = {"type": "string", "format": "date"}
        case "Select":
            schema = {"type": "string", "enum": ["", *f.select_options]}
        case _:
            schema = {"type": "string", "maxLength": TEXT_LIMITS.get(f.fieldtype, 140)}
    if f.min_value is not None and schema["type"] in {"integer", "number"}:
        schema["minimum"] = float(f.min_value)
    if f.max_value is not None and schema["type"] in {"integer", "number"}:
        schema["maximum"] = float(f.max_value)
    if f.read_only or f.fieldtype == "Read Only":
        schema["readOnly"] = True
    schema["nullable"] = True
    schema["description"] = description
    return schema


def doc_schema(meta: Meta) -> dict[str, Any]:
    properties = dict(STANDARD_PROPERTIES)
    properties.update({f.fieldname: field_schema(f) for f in meta.value_fields})
    return {"type": "object", "title": meta.label, "properties": properties}


def input_schema(meta: Meta) -> dict[str, Any]:
    """Return the body schema of a create: the input fields, required ones marked."""
    properties = {f.fieldname: field_schema(f) for f in meta.value_fields if f.accepts_input}
    required = [f.fieldname for f in meta.value_fields if f.reqd and f.accepts_input]
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _responses(ok: dict[str, Any], codes: tuple[str, ...]) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": "成功", "content": {"application/json": {"schema": ok}}}
    }
    for code in codes:
        responses[code] = {
            "description": ERRORS[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    return responses


def _envelope(key: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": {key: schema}}


LIST_PARAMETERS = [
    {
        "name": "fields",
        "in": "query",
        "schema": {"type": "string"},
        "description": 'JSON 列表，如 ["name","purpose"]',
    },
    {
        "name": "filters",
        "in": "query",
        "schema": {"type": "string"},
        "description": 'JSON：[["字段","运算符",值]] 或 {"字段": 值}',
    },
    {"name": "or_filters", "in": "query", "schema": {"type": "string"}},
    {
        "name": "order_by",
        "in": "query",
        "schema": {"type": "string"},
        "description": "如 modified desc",
    },
    {"name": "limit_start", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {
        "name": "limit_page_length",
        "in": "query",
        "schema": {
            "type": "integer",
            "minimum": 0,
            "maximum": MAX_PAGE_LENGTH,
            "default": DEFAULT_PAGE_LENGTH,
        },
    },
    {
        "name": "as_dict",
        "in": "query",
        "schema": {"type": "string", "enum": ["0", "1", "true", "false"]},
    },
]


def resource_paths(meta: Meta) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema_name(meta.name)}"}
    base = f"/api/resource/{quote(meta.name)}"
    tag = [meta.name]
    body = {"required": True, "content": {"application/json": {"schema": input_schema(meta)}}}
    name_param = [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {
        base: {
            "get": {
                "tags": tag,
                "summary": f"{meta.label}列表",
                "parameters": LIST_PARAMETERS,
                "responses": _responses(
                    _envelope("data", {"type": "array", "items": {}}), ("401", "403", "417", "429")
                ),
            },
            "post": {
                "tags": tag,
                "summary": f"新建{meta.label}",
                "requestBody": body,
                "responses": _responses(
                    _envelope("data", ref), ("401", "403", "409", "413", "417", "429")
                ),
            },
        },
        base + "/{name}": {
            "parameters": name_param,
            "get": {
                "tags": tag,
                "summary": f"读取{meta.label}",
                "responses": _responses(_envelope("data", ref), ("401", "404", "429")),
            },
            "put": {
                "tags": tag,
                "summary": f"修改{meta.label}",
                "requestBody": {
                    **body,
                    "content": {
                        "application/json": {"schema": {**input_schema(meta), "required": []}}
                    },
                },
                "responses": _responses(
                    _envelope("data", ref), ("401", "403", "404", "413", "417", "429")
                ),
            },
            "delete": {
                "tags": tag,
                "summary": f"删除{meta.label}草稿",
                "responses": _responses(
                    _envelope("data", {"type": "string"}), ("401", "403", "404", "417", "429")
                ),
            },
        },
    }


def method_paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for name, entry in METHODS.items():
        operations: dict[str, Any] = {}
        for http in sorted(entry.http_methods):
            op: dict[str, Any] = {
                "tags": ["methods"],
                "summary": entry.summary or name,
                "operationId": f"{name}.{http.lower()}",
                "responses": _responses(
                    _envelope("message", {}), ("401", "403", "404", "417", "429")
                ),
            }
            if http in {"POST", "PUT"}:
                op["requestBody"] = {
                    "content": {
                        "application/json": {
                            "schema": {"type": "object", "additionalProperties": True}
                        }
                    }
                }
            if entry.allow_guest:
                op["security"] = []
            operations[http.lower()] = op
        paths[f"/api/method/{name}"] = operations
    return paths


def top_level_metas() -> list[Meta]:
    names = DocType.objects.filter(istable=False).order_by("name").values_list("name", flat=True)
    return [get_meta(n) for n in names]


def build_openapi() -> dict[str, Any]:
    """Return the OpenAPI 3.0 document of every DocType's routes and every method."""
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, Any] = {}
    for meta in top_level_metas():
        schemas[schema_name(meta.name)] = doc_schema(meta)
        for f in meta.table_fields:
            schemas[schema_name(f.options)] = doc_schema(get_meta(f.options))
        paths.update(resource_paths(meta))
    paths.update(method_paths())
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "校园后勤 API",
            "version": "1",
            "description": "与 Frappe REST API 兼容：/api/resource 与 /api/method。",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "token": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "token <api_key>:<api_secret>",
                },
                "basic": {"type": "http", "scheme": "basic"},
                "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
            },
        },
        "security": [{"token": []}, {"basic": []}, {"session": []}],
    }
