"""The audit log: what is recorded, that it is append-only, and the admin endpoint."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import Request, Response

from clinic_flow import audit, cli
from clinic_flow.context import request_id_var
from clinic_flow.db import get_engine, get_sessionmaker
from clinic_flow.main import create_app
from clinic_flow.models import AuditEvent, AuthUser
from clinic_flow.services.auth import MAX_FAILURES
from clinic_flow.settings import get_settings
from tests.conftest import ADMIN_ROLE, PASSWORD, ROLES, Api, make_user
from tests.factories import PATHS, body_for

# Its writes must commit: the append-only trigger and events are read on other connections.
pytestmark = pytest.mark.committed

ENTITY = "Patient"


def _user(email: str) -> AuthUser:
    with get_sessionmaker()() as db:
        user = db.scalars(sa.select(AuthUser).where(AuthUser.email == email)).one()
        db.expunge(user)
        return user


def _events(**where: Any) -> list[AuditEvent]:
    """Events matching the given columns, in the order they happened."""
    with get_sessionmaker()() as db:
        statement = sa.select(AuditEvent).order_by(AuditEvent.seq)
        for name, value in where.items():
            statement = statement.where(getattr(AuditEvent, name) == value)
        return list(db.scalars(statement).all())


def _record(action: str, actor: AuthUser | None, **kwargs: Any) -> uuid.UUID:
    with get_sessionmaker()() as db:
        event_id = audit.record(db, action, actor, **kwargs)
        db.commit()
        return event_id


def _refused(statement: str, **params: Any) -> None:
    """The statement fails through the app's own connection, and changes nothing."""
    with pytest.raises(sa.exc.DBAPIError) as raised, get_engine().begin() as connection:
        connection.execute(sa.text(statement), params)
    assert "append-only" in str(raised.value)


def test_audit_rows_cannot_be_updated_deleted_or_truncated() -> None:
    event_id = _record("login", None)
    _refused("UPDATE audit_events SET action = 'logout' WHERE id = :id", id=event_id)
    _refused("DELETE FROM audit_events WHERE id = :id", id=event_id)
    _refused("TRUNCATE audit_events")
    [event] = _events(id=event_id)
    assert event.action == "login"


def test_the_purge_flag_does_not_open_recent_rows() -> None:
    event_id = _record("login", None)
    with pytest.raises(sa.exc.DBAPIError), get_engine().begin() as connection:
        connection.execute(sa.text("SELECT set_config('archgen.audit_purge', 'on', true)"))
        connection.execute(sa.text("DELETE FROM audit_events WHERE id = :id"), {"id": event_id})
    assert len(_events(id=event_id)) == 1


def test_events_carry_the_request_id_from_the_context() -> None:
    token = request_id_var.set("req-audit-test")
    try:
        event_id = _record("export", None, entity="account")
    finally:
        request_id_var.reset(token)
    [event] = _events(id=event_id)
    assert event.request_id == "req-audit-test"
    assert _events(id=_record("export", None))[0].request_id is None


def test_events_of_a_request_carry_the_id_a_middleware_set() -> None:
    """The id set in the (async) middleware reaches the endpoint's worker thread."""
    app = create_app(get_settings())

    @app.middleware("http")
    async def set_request_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        token = request_id_var.set(request.headers.get("X-Request-ID"))
        try:
            return await call_next(request)
        finally:
            request_id_var.reset(token)

    api = Api(app)
    email = make_user(ROLES[0])
    response = api.post(
        "/auth/login",
        json={"email": email, "password": PASSWORD},
        headers={"X-Request-ID": "req-from-middleware"},
    )
    assert response.status_code == 200, response.text
    [event] = _events(actor_id=_user(email).id, action="login")
    assert event.request_id == "req-from-middleware"


def test_unknown_actions_are_refused() -> None:
    with get_sessionmaker()() as db, pytest.raises(ValueError):
        audit.record(db, "anything", None)


def test_register_login_and_logout_are_recorded(anonymous: Api) -> None:
    email = f"audited-{uuid.uuid4().hex[:8]}@example.com"
    registered = anonymous.post("/auth/register", json={"email": email, "password": PASSWORD})
    assert registered.status_code == 202, registered.text
    assert anonymous.login(email).status_code == 200
    user_id = uuid.UUID(anonymous.user_id)
    assert anonymous.post("/auth/logout").status_code == 204
    actions = [e.action for e in _events(actor_id=user_id)]
    assert actions == ["register", "login", "logout"]


def test_a_failed_login_for_an_unknown_email_records_no_email(anonymous: Api) -> None:
    email = f"nobody-{uuid.uuid4().hex}@example.com"
    before = len(_events(action="login_failed"))
    response = anonymous.post("/auth/login", json={"email": email, "password": "x" * 20})
    assert response.status_code == 401
    failed = _events(action="login_failed")
    assert len(failed) == before + 1
    assert failed[-1].actor_id is None
    with get_engine().connect() as connection:
        everything = connection.execute(
            sa.text("SELECT coalesce(string_agg(row_to_json(e)::text, ''), '') FROM audit_events e")
        ).scalar_one()
    assert email not in everything
    assert email.split("@")[0] not in everything


def test_failures_and_the_lockout_name_the_account_by_id(anonymous: Api) -> None:
    email = make_user(ROLES[0])
    for _ in range(MAX_FAILURES):
        anonymous.post("/auth/login", json={"email": email, "password": "wrong-" + PASSWORD})
    assert anonymous.login(email).status_code == 429
    actions = [e.action for e in _events(actor_id=_user(email).id)]
    assert actions == ["login_failed"] * MAX_FAILURES + ["lockout"]


def test_changes_record_field_names_never_values(admin: Api) -> None:
    body = body_for(admin, ENTITY)
    created = admin.post(PATHS[ENTITY], json=body)
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    changed = body_for(admin, ENTITY)
    assert admin.patch(f"{PATHS[ENTITY]}/{item_id}", json=changed).status_code == 200
    assert admin.delete(f"{PATHS[ENTITY]}/{item_id}").status_code == 204
    events = _events(entity=ENTITY, entity_id=item_id)
    assert [e.action for e in events] == ["create", "update", "delete"]
    assert events[0].fields == sorted(body)
    assert events[1].fields == sorted(changed)
    assert events[2].fields is None
    assert {e.actor_id for e in events} == {uuid.UUID(admin.user_id)}
    assert {e.actor_role for e in events} == {ADMIN_ROLE}
    with get_engine().connect() as connection:
        stored = connection.execute(
            sa.text(
                "SELECT string_agg(row_to_json(e)::text, '') FROM audit_events e"
                " WHERE entity_id = :id"
            ),
            {"id": item_id},
        ).scalar_one()
    for value in [*body.values(), *changed.values()]:
        if isinstance(value, str) and len(value) >= 8 and value not in body:
            assert value not in stored


def test_the_command_line_records_role_changes() -> None:
    email = f"cli-{uuid.uuid4().hex[:8]}@example.com"
    assert cli.main(["user", "--email", email, "--password", PASSWORD, "--role", ROLES[0]]) == 0
    assert cli.main(["user", "--email", email, "--role", ADMIN_ROLE]) == 0
    assert cli.main(["user", "--email", email, "--role", ADMIN_ROLE]) == 0
    user_id = str(_user(email).id)
    events = _events(action="role_change", entity_id=user_id)
    assert len(events) == 2
    assert all(e.fields == ["role"] and e.actor_id is None for e in events)


def test_the_audit_endpoint_needs_an_admin(anonymous: Api, as_role: Any) -> None:
    assert anonymous.get("/admin/audit-events").status_code == 401
    assert as_role("patient").get("/admin/audit-events").status_code == 403


def test_the_audit_endpoint_pages_in_the_order_events_happened(admin: Api) -> None:
    actor = _user(make_user(ROLES[0]))
    ids = [_record("login", actor) for _ in range(5)]
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"actor": str(actor.id), "limit": 2}
        if cursor:
            params["cursor"] = cursor
        response = admin.get("/admin/audit-events", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [item["id"] for item in seen] == [str(i) for i in ids]
    assert set(seen[0]) == {
        "id",
        "at",
        "actor_id",
        "actor_role",
        "action",
        "entity",
        "entity_id",
        "fields",
        "request_id",
    }
    assert seen[0]["actor_id"] == str(actor.id)
    assert seen[0]["at"].endswith("Z"), seen[0]["at"]
    params = {"actor": str(actor.id), "action": "logout"}
    assert admin.get("/admin/audit-events", params=params).json()["items"] == []


def test_the_audit_endpoint_rejects_bad_filters(admin: Api) -> None:
    assert admin.get("/admin/audit-events", params={"action": "bogus"}).status_code == 422
    assert admin.get("/admin/audit-events", params={"actor": "not-an-id"}).status_code == 422
    assert admin.get("/admin/audit-events", params={"cursor": "forged"}).status_code == 422
