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
    ("Gadget", "create", "member", None, 201),
    ("Gadget", "read", "member", "self", 200),
    ("Gadget", "read", "member", "other", 200),
    ("Gadget", "update", "member", "self", 200),
    ("Gadget", "update", "member", "other", 403),
    ("Gadget", "delete", "member", "self", 204),
    ("Gadget", "delete", "member", "other", 403),
    ("Gadget", "create", "staff", None, 201),
    ("Gadget", "read", "staff", "self", 200),
    ("Gadget", "read", "staff", "other", 200),
    ("Gadget", "update", "staff", "self", 200),
    ("Gadget", "update", "staff", "other", 403),
    ("Gadget", "delete", "staff", "self", 204),
    ("Gadget", "delete", "staff", "other", 403),
    ("Gadget", "create", "admin", None, 201),
    ("Gadget", "read", "admin", "self", 200),
    ("Gadget", "read", "admin", "other", 200),
    ("Gadget", "update", "admin", "self", 200),
    ("Gadget", "update", "admin", "other", 200),
    ("Gadget", "delete", "admin", "self", 204),
    ("Gadget", "delete", "admin", "other", 204),
    ("Gadget", "create", None, None, 401),
    ("Gadget", "read", None, "other", 200),
    ("Gadget", "update", None, "other", 401),
    ("Gadget", "delete", None, "other", 401),
    ("Part", "create", "member", None, 201),
    ("Part", "read", "member", "self", 200),
    ("Part", "read", "member", "other", 404),
    ("Part", "update", "member", "self", 200),
    ("Part", "update", "member", "other", 404),
    ("Part", "delete", "member", "self", 204),
    ("Part", "delete", "member", "other", 404),
    ("Part", "create", "staff", None, 201),
    ("Part", "read", "staff", "self", 200),
    ("Part", "read", "staff", "other", 404),
    ("Part", "update", "staff", "self", 200),
    ("Part", "update", "staff", "other", 404),
    ("Part", "delete", "staff", "self", 204),
    ("Part", "delete", "staff", "other", 404),
    ("Part", "create", "admin", None, 201),
    ("Part", "read", "admin", "self", 200),
    ("Part", "read", "admin", "other", 200),
    ("Part", "update", "admin", "self", 200),
    ("Part", "update", "admin", "other", 200),
    ("Part", "delete", "admin", "self", 204),
    ("Part", "delete", "admin", "other", 204),
    ("Part", "create", None, None, 401),
    ("Part", "read", None, "other", 401),
    ("Part", "update", None, "other", 401),
    ("Part", "delete", None, "other", 401),
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
    ("Part", "member"),
    ("Part", "staff"),
]


@pytest.mark.parametrize(("entity", "role"), OWN_LISTS)
def test_lists_show_only_own_rows(entity: str, role: str, admin: Api, as_role: Any) -> None:
    caller: Api = as_role(role)
    mine = make(admin, entity, owner_id=caller.user_id)
    make(admin, entity, owner_id=admin.user_id)
    response = caller.get(PATHS[entity])
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [mine["id"]]
