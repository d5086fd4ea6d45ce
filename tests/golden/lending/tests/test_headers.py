"""Protective headers and request ids on every response, errors included."""

import uuid
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lend_well.main import create_app
from lend_well.settings import get_settings
from tests.conftest import Api

EXPECTED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
}


def assert_protected(response: httpx.Response) -> None:
    headers = response.headers
    for name, value in EXPECTED.items():
        assert headers[name] == value, name
    assert headers["strict-transport-security"].startswith("max-age=")
    assert headers["x-request-id"]


@pytest.fixture
def failing_app() -> FastAPI:
    app = create_app(get_settings())

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    return app


@pytest.mark.parametrize(
    ("path", "status"),
    [("/healthz", 200), ("/readyz", 200), ("/no/such/page", 404), ("/api/auth/me", 401)],
)
def test_every_response_is_protected(anonymous: Api, path: str, status: int) -> None:
    response = anonymous.client.get(path)
    assert response.status_code == status
    assert_protected(response)


def test_validation_problems_are_protected(anonymous: Api) -> None:
    response = anonymous.post("/auth/login", json={"email": 1})
    assert response.status_code == 422
    assert_protected(response)


def test_server_errors_are_problems_and_protected(failing_app: FastAPI) -> None:
    response = TestClient(failing_app, raise_server_exceptions=False).get(
        "/boom", headers={"X-Request-ID": "trace-500"}
    )
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "a bug" not in response.text
    assert response.headers["x-request-id"] == "trace-500"
    assert_protected(response)


def test_a_sane_request_id_is_echoed(anonymous: Api) -> None:
    response = anonymous.client.get("/healthz", headers={"X-Request-ID": "abc-123.def_456:7"})
    assert response.headers["x-request-id"] == "abc-123.def_456:7"


@pytest.mark.parametrize("sent", ["x" * 200, "no spaces please", "<script>", "-leading-dash"])
def test_an_odd_request_id_is_replaced_by_a_new_one(anonymous: Api, sent: str) -> None:
    response = anonymous.client.get("/healthz", headers={"X-Request-ID": sent})
    answered = response.headers["x-request-id"]
    assert answered != sent
    assert uuid.UUID(answered).version == 4


def test_each_request_gets_its_own_id(anonymous: Api) -> None:
    ids = {anonymous.client.get("/healthz").headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5


def test_the_admin_app_is_served_from_its_build_under_its_own_policy(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>admin</title>")
    (tmp_path / "assets" / "app-1a2b.js").write_text("export {};")
    settings = get_settings().model_copy(update={"admin_dist_dir": tmp_path})
    client = TestClient(create_app(settings), follow_redirects=False)
    assert client.get("/admin").status_code == 308
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "<title>admin</title>" in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert "unsafe-inline" not in policy
    # The app routes in the browser: any other path gets its page.
    assert client.get("/admin/tasks/some-row").text == page.text
    script = client.get("/admin/assets/app-1a2b.js")
    assert script.status_code == 200
    assert "immutable" in script.headers["cache-control"]
    # The API keeps its own policy.
    api = client.get("/healthz")
    assert api.headers["content-security-policy"] == EXPECTED["content-security-policy"]


def test_without_a_build_the_admin_app_is_not_found(tmp_path: Path) -> None:
    settings = get_settings().model_copy(update={"admin_dist_dir": tmp_path / "none"})
    response = TestClient(create_app(settings)).get("/admin/")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-content-type-options"] == "nosniff"
