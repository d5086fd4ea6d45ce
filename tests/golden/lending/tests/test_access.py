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
    ("Applicant", "create", "applicant", None, 201),
    ("Applicant", "read", "applicant", "self", 200),
    ("Applicant", "read", "applicant", "other", 404),
    ("Applicant", "update", "applicant", "self", 200),
    ("Applicant", "update", "applicant", "other", 404),
    ("Applicant", "delete", "applicant", "self", 403),
    ("Applicant", "delete", "applicant", "other", 403),
    ("Applicant", "create", "underwriter", None, 403),
    ("Applicant", "read", "underwriter", "self", 200),
    ("Applicant", "read", "underwriter", "other", 200),
    ("Applicant", "update", "underwriter", "self", 200),
    ("Applicant", "update", "underwriter", "other", 403),
    ("Applicant", "delete", "underwriter", "self", 403),
    ("Applicant", "delete", "underwriter", "other", 403),
    ("Applicant", "create", "admin", None, 201),
    ("Applicant", "read", "admin", "self", 200),
    ("Applicant", "read", "admin", "other", 200),
    ("Applicant", "update", "admin", "self", 200),
    ("Applicant", "update", "admin", "other", 200),
    ("Applicant", "delete", "admin", "self", 204),
    ("Applicant", "delete", "admin", "other", 204),
    ("Applicant", "create", None, None, 401),
    ("Applicant", "read", None, "other", 401),
    ("Applicant", "update", None, "other", 401),
    ("Applicant", "delete", None, "other", 401),
    ("LoanApplication", "create", "applicant", None, 201),
    ("LoanApplication", "read", "applicant", "self", 200),
    ("LoanApplication", "read", "applicant", "other", 404),
    ("LoanApplication", "update", "applicant", "self", 200),
    ("LoanApplication", "update", "applicant", "other", 404),
    ("LoanApplication", "delete", "applicant", "self", 403),
    ("LoanApplication", "delete", "applicant", "other", 403),
    ("LoanApplication", "create", "underwriter", None, 403),
    ("LoanApplication", "read", "underwriter", "self", 200),
    ("LoanApplication", "read", "underwriter", "other", 200),
    ("LoanApplication", "update", "underwriter", "self", 200),
    ("LoanApplication", "update", "underwriter", "other", 200),
    ("LoanApplication", "delete", "underwriter", "self", 403),
    ("LoanApplication", "delete", "underwriter", "other", 403),
    ("LoanApplication", "create", "admin", None, 201),
    ("LoanApplication", "read", "admin", "self", 200),
    ("LoanApplication", "read", "admin", "other", 200),
    ("LoanApplication", "update", "admin", "self", 200),
    ("LoanApplication", "update", "admin", "other", 200),
    ("LoanApplication", "delete", "admin", "self", 204),
    ("LoanApplication", "delete", "admin", "other", 204),
    ("LoanApplication", "create", None, None, 401),
    ("LoanApplication", "read", None, "other", 401),
    ("LoanApplication", "update", None, "other", 401),
    ("LoanApplication", "delete", None, "other", 401),
    ("Repayment", "create", "applicant", None, 403),
    ("Repayment", "read", "applicant", "self", 200),
    ("Repayment", "read", "applicant", "other", 404),
    ("Repayment", "update", "applicant", "self", 403),
    ("Repayment", "update", "applicant", "other", 403),
    ("Repayment", "delete", "applicant", "self", 403),
    ("Repayment", "delete", "applicant", "other", 403),
    ("Repayment", "create", "underwriter", None, 403),
    ("Repayment", "read", "underwriter", "self", 200),
    ("Repayment", "read", "underwriter", "other", 200),
    ("Repayment", "update", "underwriter", "self", 403),
    ("Repayment", "update", "underwriter", "other", 403),
    ("Repayment", "delete", "underwriter", "self", 403),
    ("Repayment", "delete", "underwriter", "other", 403),
    ("Repayment", "create", "admin", None, 201),
    ("Repayment", "read", "admin", "self", 200),
    ("Repayment", "read", "admin", "other", 200),
    ("Repayment", "update", "admin", "self", 200),
    ("Repayment", "update", "admin", "other", 200),
    ("Repayment", "delete", "admin", "self", 204),
    ("Repayment", "delete", "admin", "other", 204),
    ("Repayment", "create", None, None, 401),
    ("Repayment", "read", None, "other", 401),
    ("Repayment", "update", None, "other", 401),
    ("Repayment", "delete", None, "other", 401),
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
    ("Applicant", "applicant"),
    ("LoanApplication", "applicant"),
    ("Repayment", "applicant"),
]


@pytest.mark.parametrize(("entity", "role"), OWN_LISTS)
def test_lists_show_only_own_rows(entity: str, role: str, admin: Api, as_role: Any) -> None:
    caller: Api = as_role(role)
    mine = make(admin, entity, owner_id=caller.user_id)
    make(admin, entity, owner_id=admin.user_id)
    response = caller.get(PATHS[entity])
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [mine["id"]]
