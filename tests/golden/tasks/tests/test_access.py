"""Every access rule of the spec: each role, and visitors, on each action of each entity.

A row is owned by the caller (`self`) or by someone else (`other`); the
expected status follows the contract's order: 401, 403 (role), 404 (row not
readable), 403 (readable but not changeable).
"""

from typing import Any

import pytest

from tests.conftest import Api
from tests.factories import PATHS, body_for, make

CASES: list[tuple[str, str, str | None, str | None, int]] = [
    ("Project", "create", "member", None, 201),
    ("Project", "read", "member", "self", 200),
    ("Project", "read", "member", "other", 404),
    ("Project", "update", "member", "self", 200),
    ("Project", "update", "member", "other", 404),
    ("Project", "delete", "member", "self", 204),
    ("Project", "delete", "member", "other", 404),
    ("Project", "create", "manager", None, 201),
    ("Project", "read", "manager", "self", 200),
    ("Project", "read", "manager", "other", 404),
    ("Project", "update", "manager", "self", 200),
    ("Project", "update", "manager", "other", 404),
    ("Project", "delete", "manager", "self", 204),
    ("Project", "delete", "manager", "other", 404),
    ("Project", "create", "admin", None, 201),
    ("Project", "read", "admin", "self", 200),
    ("Project", "read", "admin", "other", 200),
    ("Project", "update", "admin", "self", 200),
    ("Project", "update", "admin", "other", 200),
    ("Project", "delete", "admin", "self", 204),
    ("Project", "delete", "admin", "other", 204),
    ("Project", "create", None, None, 401),
    ("Project", "read", None, "other", 401),
    ("Project", "update", None, "other", 401),
    ("Project", "delete", None, "other", 401),
    ("Task", "create", "member", None, 201),
    ("Task", "read", "member", "self", 200),
    ("Task", "read", "member", "other", 200),
    ("Task", "update", "member", "self", 200),
    ("Task", "update", "member", "other", 403),
    ("Task", "delete", "member", "self", 403),
    ("Task", "delete", "member", "other", 403),
    ("Task", "create", "manager", None, 201),
    ("Task", "read", "manager", "self", 200),
    ("Task", "read", "manager", "other", 200),
    ("Task", "update", "manager", "self", 200),
    ("Task", "update", "manager", "other", 200),
    ("Task", "delete", "manager", "self", 204),
    ("Task", "delete", "manager", "other", 204),
    ("Task", "create", "admin", None, 201),
    ("Task", "read", "admin", "self", 200),
    ("Task", "read", "admin", "other", 200),
    ("Task", "update", "admin", "self", 200),
    ("Task", "update", "admin", "other", 200),
    ("Task", "delete", "admin", "self", 204),
    ("Task", "delete", "admin", "other", 204),
    ("Task", "create", None, None, 401),
    ("Task", "read", None, "other", 401),
    ("Task", "update", None, "other", 401),
    ("Task", "delete", None, "other", 401),
    ("Label", "create", "member", None, 403),
    ("Label", "read", "member", None, 200),
    ("Label", "update", "member", None, 403),
    ("Label", "delete", "member", None, 403),
    ("Label", "create", "manager", None, 403),
    ("Label", "read", "manager", None, 200),
    ("Label", "update", "manager", None, 403),
    ("Label", "delete", "manager", None, 403),
    ("Label", "create", "admin", None, 201),
    ("Label", "read", "admin", None, 200),
    ("Label", "update", "admin", None, 200),
    ("Label", "delete", "admin", None, 204),
    ("Label", "create", None, None, 401),
    ("Label", "read", None, None, 401),
    ("Label", "update", None, None, 401),
    ("Label", "delete", None, None, 401),
]


@pytest.mark.parametrize(("entity", "action", "role", "owner", "status"), CASES)
def test_access(
    entity: str,
    action: str,
    role: str | None,
    owner: str | None,
    status: int,
    admin: Api,
    anonymous: Api,
    as_role: Any,
) -> None:
    caller: Api = as_role(role) if role is not None else anonymous
    owner_id = caller.user_id if owner == "self" else (admin.user_id if owner else None)
    path = PATHS[entity]
    if action == "create":
        body = body_for(admin, entity, owner_id=caller.user_id or None)
        response = caller.post(path, json=body)
    else:
        row = make(admin, entity, owner_id=owner_id)
        item = f"{path}/{row['id']}"
        if action == "read":
            response = caller.get(item)
        elif action == "update":
            response = caller.patch(item, json={})
        else:
            response = caller.delete(item)
    assert response.status_code == status, response.text


OWN_LISTS: list[tuple[str, str]] = [
    ("Project", "member"),
    ("Project", "manager"),
]


@pytest.mark.parametrize(("entity", "role"), OWN_LISTS)
def test_lists_show_only_own_rows(entity: str, role: str, admin: Api, as_role: Any) -> None:
    caller: Api = as_role(role)
    mine = make(admin, entity, owner_id=caller.user_id)
    make(admin, entity, owner_id=admin.user_id)
    response = caller.get(PATHS[entity])
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [mine["id"]]
