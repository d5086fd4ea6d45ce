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
    ("Category", "create", "customer", None, 403),
    ("Category", "read", "customer", None, 200),
    ("Category", "update", "customer", None, 403),
    ("Category", "delete", "customer", None, 403),
    ("Category", "create", "editor", None, 201),
    ("Category", "read", "editor", None, 200),
    ("Category", "update", "editor", None, 200),
    ("Category", "delete", "editor", None, 204),
    ("Category", "create", "auditor", None, 403),
    ("Category", "read", "auditor", None, 200),
    ("Category", "update", "auditor", None, 403),
    ("Category", "delete", "auditor", None, 403),
    ("Category", "create", "admin", None, 201),
    ("Category", "read", "admin", None, 200),
    ("Category", "update", "admin", None, 200),
    ("Category", "delete", "admin", None, 204),
    ("Category", "create", None, None, 401),
    ("Category", "read", None, None, 200),
    ("Category", "update", None, None, 401),
    ("Category", "delete", None, None, 401),
    ("Product", "create", "customer", None, 403),
    ("Product", "read", "customer", "self", 200),
    ("Product", "read", "customer", "other", 200),
    ("Product", "update", "customer", "self", 200),
    ("Product", "update", "customer", "other", 403),
    ("Product", "delete", "customer", "self", 204),
    ("Product", "delete", "customer", "other", 403),
    ("Product", "create", "editor", None, 201),
    ("Product", "read", "editor", "self", 200),
    ("Product", "read", "editor", "other", 200),
    ("Product", "update", "editor", "self", 200),
    ("Product", "update", "editor", "other", 403),
    ("Product", "delete", "editor", "self", 204),
    ("Product", "delete", "editor", "other", 403),
    ("Product", "create", "auditor", None, 403),
    ("Product", "read", "auditor", "self", 200),
    ("Product", "read", "auditor", "other", 200),
    ("Product", "update", "auditor", "self", 200),
    ("Product", "update", "auditor", "other", 403),
    ("Product", "delete", "auditor", "self", 204),
    ("Product", "delete", "auditor", "other", 403),
    ("Product", "create", "admin", None, 201),
    ("Product", "read", "admin", "self", 200),
    ("Product", "read", "admin", "other", 200),
    ("Product", "update", "admin", "self", 200),
    ("Product", "update", "admin", "other", 200),
    ("Product", "delete", "admin", "self", 204),
    ("Product", "delete", "admin", "other", 204),
    ("Product", "create", None, None, 401),
    ("Product", "read", None, "other", 401),
    ("Product", "update", None, "other", 401),
    ("Product", "delete", None, "other", 401),
    ("WishList", "create", "customer", None, 201),
    ("WishList", "read", "customer", "self", 200),
    ("WishList", "read", "customer", "other", 404),
    ("WishList", "update", "customer", "self", 200),
    ("WishList", "update", "customer", "other", 404),
    ("WishList", "delete", "customer", "self", 204),
    ("WishList", "delete", "customer", "other", 404),
    ("WishList", "create", "editor", None, 403),
    ("WishList", "read", "editor", "self", 200),
    ("WishList", "read", "editor", "other", 404),
    ("WishList", "update", "editor", "self", 200),
    ("WishList", "update", "editor", "other", 404),
    ("WishList", "delete", "editor", "self", 204),
    ("WishList", "delete", "editor", "other", 404),
    ("WishList", "create", "auditor", None, 403),
    ("WishList", "read", "auditor", "self", 200),
    ("WishList", "read", "auditor", "other", 200),
    ("WishList", "update", "auditor", "self", 200),
    ("WishList", "update", "auditor", "other", 403),
    ("WishList", "delete", "auditor", "self", 204),
    ("WishList", "delete", "auditor", "other", 403),
    ("WishList", "create", "admin", None, 201),
    ("WishList", "read", "admin", "self", 200),
    ("WishList", "read", "admin", "other", 200),
    ("WishList", "update", "admin", "self", 200),
    ("WishList", "update", "admin", "other", 200),
    ("WishList", "delete", "admin", "self", 204),
    ("WishList", "delete", "admin", "other", 204),
    ("WishList", "create", None, None, 401),
    ("WishList", "read", None, "other", 401),
    ("WishList", "update", None, "other", 401),
    ("WishList", "delete", None, "other", 401),
    ("Review", "create", "customer", None, 201),
    ("Review", "read", "customer", "self", 200),
    ("Review", "read", "customer", "other", 200),
    ("Review", "update", "customer", "self", 200),
    ("Review", "update", "customer", "other", 403),
    ("Review", "delete", "customer", "self", 204),
    ("Review", "delete", "customer", "other", 403),
    ("Review", "create", "editor", None, 403),
    ("Review", "read", "editor", "self", 200),
    ("Review", "read", "editor", "other", 200),
    ("Review", "update", "editor", "self", 200),
    ("Review", "update", "editor", "other", 403),
    ("Review", "delete", "editor", "self", 204),
    ("Review", "delete", "editor", "other", 204),
    ("Review", "create", "auditor", None, 403),
    ("Review", "read", "auditor", "self", 200),
    ("Review", "read", "auditor", "other", 200),
    ("Review", "update", "auditor", "self", 200),
    ("Review", "update", "auditor", "other", 403),
    ("Review", "delete", "auditor", "self", 204),
    ("Review", "delete", "auditor", "other", 403),
    ("Review", "create", "admin", None, 201),
    ("Review", "read", "admin", "self", 200),
    ("Review", "read", "admin", "other", 200),
    ("Review", "update", "admin", "self", 200),
    ("Review", "update", "admin", "other", 200),
    ("Review", "delete", "admin", "self", 204),
    ("Review", "delete", "admin", "other", 204),
    ("Review", "create", None, None, 401),
    ("Review", "read", None, "other", 401),
    ("Review", "update", None, "other", 401),
    ("Review", "delete", None, "other", 401),
    ("Promotion", "create", "customer", None, 403),
    ("Promotion", "read", "customer", "self", 200),
    ("Promotion", "read", "customer", "other", 200),
    ("Promotion", "update", "customer", "self", 403),
    ("Promotion", "update", "customer", "other", 403),
    ("Promotion", "delete", "customer", "self", 403),
    ("Promotion", "delete", "customer", "other", 403),
    ("Promotion", "create", "editor", None, 201),
    ("Promotion", "read", "editor", "self", 200),
    ("Promotion", "read", "editor", "other", 200),
    ("Promotion", "update", "editor", "self", 200),
    ("Promotion", "update", "editor", "other", 200),
    ("Promotion", "delete", "editor", "self", 204),
    ("Promotion", "delete", "editor", "other", 204),
    ("Promotion", "create", "auditor", None, 403),
    ("Promotion", "read", "auditor", "self", 200),
    ("Promotion", "read", "auditor", "other", 200),
    ("Promotion", "update", "auditor", "self", 403),
    ("Promotion", "update", "auditor", "other", 403),
    ("Promotion", "delete", "auditor", "self", 403),
    ("Promotion", "delete", "auditor", "other", 403),
    ("Promotion", "create", "admin", None, 201),
    ("Promotion", "read", "admin", "self", 200),
    ("Promotion", "read", "admin", "other", 200),
    ("Promotion", "update", "admin", "self", 200),
    ("Promotion", "update", "admin", "other", 200),
    ("Promotion", "delete", "admin", "self", 204),
    ("Promotion", "delete", "admin", "other", 204),
    ("Promotion", "create", None, None, 401),
    ("Promotion", "read", None, "other", 200),
    ("Promotion", "update", None, "other", 401),
    ("Promotion", "delete", None, "other", 401),
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
    ("WishList", "customer"),
    ("WishList", "editor"),
]


@pytest.mark.parametrize(("entity", "role"), OWN_LISTS)
def test_lists_show_only_own_rows(entity: str, role: str, admin: Api, as_role: Any) -> None:
    caller: Api = as_role(role)
    mine = make(admin, entity, owner_id=caller.user_id)
    make(admin, entity, owner_id=admin.user_id)
    response = caller.get(PATHS[entity])
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [mine["id"]]
