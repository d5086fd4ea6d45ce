"""Probes and the API document."""

import importlib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from team_tasks.main import create_app
from team_tasks.settings import get_settings
from tests.conftest import Api


def test_healthz(anonymous: Api) -> None:
    assert anonymous.client.get("/healthz").status_code == 200


def test_readyz_checks_the_database(anonymous: Api) -> None:
    assert anonymous.client.get("/readyz").status_code == 200


def test_openapi_document_is_served_from_its_file(tmp_path: Path) -> None:
    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    settings = get_settings().model_copy(update={"openapi_path": path})
    response = TestClient(create_app(settings)).get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == document


def _shipped_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(get_settings().openapi_path.read_text())
    return document


def test_served_document_is_the_shipped_docs_openapi_json(anonymous: Api) -> None:
    response = anonymous.client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == _shipped_document()
    assert response.json()["openapi"].startswith("3.1")


def _operations(paths: dict[str, Any]) -> set[tuple[str, str]]:
    """(METHOD, path) pairs, with path parameters written `{}` whatever their name."""
    verbs = {"get", "post", "put", "patch", "delete"}
    return {
        (method.upper(), re.sub(r"\{[^}]*\}", "{}", path))
        for path, operations in paths.items()
        for method in operations
        if method in verbs
    }


def test_every_route_is_documented_and_every_documented_route_served() -> None:
    documented = _operations(_shipped_document()["paths"])
    # FastAPI's own view of the routes it serves; /openapi.json itself is
    # left out of that view on purpose.
    served = _operations(create_app(get_settings()).openapi()["paths"])
    served.add(("GET", "/openapi.json"))
    assert served - documented == set()
    assert documented - served == set()


# Each entity: its module under `schemas`, its class name, and its schema's
# name in the document (a name taken in either gets a suffix of its own).
ENTITIES: list[tuple[str, str, str]] = [
    ("projects", "Project", "Project"),
    ("tasks", "Task", "Task"),
    ("labels", "Label", "Label"),
]

# Each entity's body and answer models, beside the schemas the document gives
# them: (module, the model's class, the document's schema, whether a body).
MODELS: list[tuple[str, str, str, bool]] = [
    (module, f"{class_name}{suffix}", f"{documented}{documented_suffix}", body)
    for module, class_name, documented in ENTITIES
    for suffix, documented_suffix, body in (
        ("Create", "Create", True),
        ("Update", "Update", True),
        ("Read", "", False),
    )
]


def _module_of(layer: str, module: str) -> Any:
    """An entity's module in one layer of the package, such as `schemas`."""
    package = create_app.__module__.rsplit(".", 1)[0]
    return importlib.import_module(f"{package}.{layer}.{module}")


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """The schema a `$ref` names, in the document's components or a model's `$defs`."""
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _shape(schema: dict[str, Any], defs: dict[str, Any]) -> tuple[bool, frozenset[str] | None]:
    """Whether a property's schema takes null (one that names no type takes any
    value), and the values of its enum if it has one."""
    schema = _resolve(schema, defs)
    nullable = not {"type", "enum", "const", "anyOf", "oneOf"} & schema.keys()
    values: set[str] | None = None
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []):
        inner_null, inner_values = _shape(branch, defs)
        nullable = nullable or inner_null
        if inner_values is not None:
            values = (values or set()) | set(inner_values)
    kinds = schema.get("type", [])
    if "null" in ([kinds] if isinstance(kinds, str) else kinds):
        nullable = True
    if "enum" in schema or "const" in schema:
        listed = schema.get("enum", [schema.get("const")])
        nullable = nullable or None in listed
        values = (values or set()) | {str(value) for value in listed if value is not None}
    return nullable, None if values is None else frozenset(values)


def _same_default(documented: Any, coded: Any) -> bool:
    if isinstance(documented, bool) or isinstance(coded, bool):
        return documented is coded
    if isinstance(documented, int | float | str) and isinstance(coded, int | float | str):
        try:
            return Decimal(str(documented)) == Decimal(str(coded))
        except ArithmeticError:
            return str(documented) == str(coded)
    return bool(documented == coded)


@pytest.mark.parametrize(("module", "model_name", "schema_name", "body"), MODELS)
def test_every_body_and_answer_model_matches_its_documented_schema(
    module: str, model_name: str, schema_name: str, body: bool
) -> None:
    """The models the routes validate and answer with say what `docs/openapi.json`
    says: the same members, the same required ones and null taken alike; a body
    also takes the same enum values, has the same defaults and refuses unknown
    members where the document does. A model changed without the document (or
    the reverse) fails here."""
    components: dict[str, Any] = _shipped_document()["components"]["schemas"]
    model: type[BaseModel] = getattr(_module_of("schemas", module), model_name)
    coded = model.model_json_schema(by_alias=True)
    coded_defs: dict[str, Any] = coded.get("$defs", {})
    documented = components[schema_name]
    where = f"{model_name} against components.schemas.{schema_name}"
    coded_members = coded.get("properties", {})
    documented_members = documented.get("properties", {})
    assert set(coded_members) == set(documented_members), where
    assert set(coded.get("required", [])) == set(documented.get("required", [])), where
    # A change's model takes null for every member (None stands for "not sent"):
    # the service refuses null where the field must keep a value (`NOT_NULL`).
    refused_null: set[str] = set()
    if model_name.endswith("Update"):
        refused_null = set(_module_of("services", module).NOT_NULL.values())
    for name, member in documented_members.items():
        coded_null, coded_values = _shape(coded_members[name], coded_defs)
        coded_null = coded_null and name not in refused_null
        documented_null, documented_values = _shape(member, components)
        # An answer's member only some roles read (`x-archgen-read`) is None in
        # the model for the others, who get no such key: its None says nothing.
        if body or "x-archgen-read" not in member:
            assert coded_null == documented_null, f"{where}: {name} and null"
        if body:
            assert coded_values == documented_values, f"{where}: {name}'s values"
    if not body:
        return
    assert (coded.get("additionalProperties") is False) == (
        documented.get("additionalProperties") is False
    ), where
    for name, member in documented_members.items():
        if "default" in member:
            assert "default" in coded_members[name], f"{where}: {name}"
            assert _same_default(member["default"], coded_members[name]["default"]), (
                f"{where}: {name}"
            )
