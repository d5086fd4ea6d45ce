"""Data-subject requests: the export of one's data and the erasure of one's account."""

import uuid
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI

from lend_well.db import get_sessionmaker
from lend_well.models import AuditEvent, AuthSession, AuthUser
from tests.conftest import ROLES, Api, make_user
from tests.factories import OWNED, PATHS, make


def _signed_in(as_role: Any) -> Api:
    api: Api = as_role(ROLES[0])
    return api


def _owned_rows(admin: Api, owner_id: str) -> dict[str, str]:
    """One row of every owned entity, owned by `owner_id`: entity → id."""
    return {entity: make(admin, entity, owner_id=owner_id)["id"] for entity in sorted(OWNED)}


def test_export_needs_a_session(anonymous: Api) -> None:
    assert anonymous.get("/me/export").status_code == 401


def test_export_holds_the_account_and_every_owned_row(admin: Api, as_role: Any) -> None:
    user = _signed_in(as_role)
    mine = _owned_rows(admin, user.user_id)
    theirs = _owned_rows(admin, admin.user_id)
    response = user.get("/me/export")
    assert response.status_code == 200, response.text
    export = response.json()
    assert set(export) == {"account", "data"}
    account = export["account"]
    assert set(account) == {"user_id", "email", "role", "created_at"}
    assert (account["user_id"], account["email"], account["role"]) == (
        user.user_id,
        user.email,
        ROLES[0],
    )
    assert set(export["data"]) == set(OWNED)
    for entity, item_id in mine.items():
        items = {item["id"]: item for item in export["data"][entity]}
        assert {item["owner_id"] for item in items.values()} == {user.user_id}
        # The same shape, and the same (decrypted) values, as the API's own read.
        assert items[item_id] == admin.get(f"{PATHS[entity]}/{item_id}").json()
        assert theirs[entity] not in items
    with get_sessionmaker()() as db:
        actions = db.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.actor_id == uuid.UUID(user.user_id))
        ).all()
    assert "export" in actions


def test_erasure_needs_a_session_and_the_csrf_header(anonymous: Api, as_role: Any) -> None:
    assert anonymous.delete("/me").status_code == 401
    user = _signed_in(as_role)
    assert user.delete("/me", headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert user.get("/auth/me").status_code == 200


def test_erasure_removes_the_account_and_owned_rows_and_keeps_audit_events(
    app: FastAPI, admin: Api, as_role: Any
) -> None:
    user = _signed_in(as_role)
    user_id = uuid.UUID(user.user_id)
    mine = _owned_rows(admin, user.user_id)
    theirs = _owned_rows(admin, admin.user_id)
    response = user.delete("/me")
    assert response.status_code == 204, response.text
    assert user.get("/auth/me").status_code == 401
    assert Api(app).login(user.email).status_code == 401
    for entity, item_id in mine.items():
        assert admin.get(f"{PATHS[entity]}/{item_id}").status_code == 404
    for entity, item_id in theirs.items():
        assert admin.get(f"{PATHS[entity]}/{item_id}").status_code == 200
    with get_sessionmaker()() as db:
        assert db.get(AuthUser, user_id) is None
        sessions = db.scalars(sa.select(AuthSession).where(AuthSession.user_id == user_id)).all()
        assert sessions == []
        actions = db.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.actor_id == user_id)
            .order_by(AuditEvent.seq)
        ).all()
    # Kept, naming the erased user by a bare id only.
    assert actions[0] == "login"
    assert actions[-1] == "erasure"


def test_another_user_is_not_touched_by_an_erasure(app: FastAPI, as_role: Any) -> None:
    other = make_user(ROLES[0])
    user = _signed_in(as_role)
    assert user.delete("/me").status_code == 204
    assert Api(app).login(other).status_code == 200
