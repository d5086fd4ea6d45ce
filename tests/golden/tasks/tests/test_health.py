"""Probes and the API document."""

import json
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

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
