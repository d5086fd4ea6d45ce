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
    ("Patient", "create", "patient", None, 201),
    ("Patient", "read", "patient", "self", 200),
    ("Patient", "read", "patient", "other", 404),
    ("Patient", "update", "patient", "self", 200),
    ("Patient", "update", "patient", "other", 404),
    ("Patient", "delete", "patient", "self", 403),
    ("Patient", "delete", "patient", "other", 403),
    ("Patient", "create", "clinician", None, 403),
    ("Patient", "read", "clinician", "self", 200),
    ("Patient", "read", "clinician", "other", 200),
    ("Patient", "update", "clinician", "self", 200),
    ("Patient", "update", "clinician", "other", 403),
    ("Patient", "delete", "clinician", "self", 403),
    ("Patient", "delete", "clinician", "other", 403),
    ("Patient", "create", "admin", None, 201),
    ("Patient", "read", "admin", "self", 200),
    ("Patient", "read", "admin", "other", 200),
    ("Patient", "update", "admin", "self", 200),
    ("Patient", "update", "admin", "other", 200),
    ("Patient", "delete", "admin", "self", 204),
    ("Patient", "delete", "admin", "other", 204),
    ("Patient", "create", None, None, 401),
    ("Patient", "read", None, "other", 401),
    ("Patient", "update", None, "other", 401),
    ("Patient", "delete", None, "other", 401),
    ("Clinician", "create", "patient", None, 403),
    ("Clinician", "read", "patient", None, 200),
    ("Clinician", "update", "patient", None, 403),
    ("Clinician", "delete", "patient", None, 403),
    ("Clinician", "create", "clinician", None, 403),
    ("Clinician", "read", "clinician", None, 200),
    ("Clinician", "update", "clinician", None, 403),
    ("Clinician", "delete", "clinician", None, 403),
    ("Clinician", "create", "admin", None, 201),
    ("Clinician", "read", "admin", None, 200),
    ("Clinician", "update", "admin", None, 200),
    ("Clinician", "delete", "admin", None, 204),
    ("Clinician", "create", None, None, 401),
    ("Clinician", "read", None, None, 401),
    ("Clinician", "update", None, None, 401),
    ("Clinician", "delete", None, None, 401),
    ("Appointment", "create", "patient", None, 201),
    ("Appointment", "read", "patient", "self", 200),
    ("Appointment", "read", "patient", "other", 404),
    ("Appointment", "update", "patient", "self", 200),
    ("Appointment", "update", "patient", "other", 404),
    ("Appointment", "delete", "patient", "self", 403),
    ("Appointment", "delete", "patient", "other", 403),
    ("Appointment", "create", "clinician", None, 403),
    ("Appointment", "read", "clinician", "self", 200),
    ("Appointment", "read", "clinician", "other", 200),
    ("Appointment", "update", "clinician", "self", 200),
    ("Appointment", "update", "clinician", "other", 200),
    ("Appointment", "delete", "clinician", "self", 403),
    ("Appointment", "delete", "clinician", "other", 403),
    ("Appointment", "create", "admin", None, 201),
    ("Appointment", "read", "admin", "self", 200),
    ("Appointment", "read", "admin", "other", 200),
    ("Appointment", "update", "admin", "self", 200),
    ("Appointment", "update", "admin", "other", 200),
    ("Appointment", "delete", "admin", "self", 204),
    ("Appointment", "delete", "admin", "other", 204),
    ("Appointment", "create", None, None, 401),
    ("Appointment", "read", None, "other", 401),
    ("Appointment", "update", None, "other", 401),
    ("Appointment", "delete", None, "other", 401),
    ("VisitNote", "create", "patient", None, 403),
    ("VisitNote", "read", "patient", "self", 403),
    ("VisitNote", "read", "patient", "other", 403),
    ("VisitNote", "update", "patient", "self", 403),
    ("VisitNote", "update", "patient", "other", 403),
    ("VisitNote", "delete", "patient", "self", 403),
    ("VisitNote", "delete", "patient", "other", 403),
    ("VisitNote", "create", "clinician", None, 201),
    ("VisitNote", "read", "clinician", "self", 200),
    ("VisitNote", "read", "clinician", "other", 200),
    ("VisitNote", "update", "clinician", "self", 200),
    ("VisitNote", "update", "clinician", "other", 200),
    ("VisitNote", "delete", "clinician", "self", 403),
    ("VisitNote", "delete", "clinician", "other", 403),
    ("VisitNote", "create", "admin", None, 201),
    ("VisitNote", "read", "admin", "self", 200),
    ("VisitNote", "read", "admin", "other", 200),
    ("VisitNote", "update", "admin", "self", 200),
    ("VisitNote", "update", "admin", "other", 200),
    ("VisitNote", "delete", "admin", "self", 204),
    ("VisitNote", "delete", "admin", "other", 204),
    ("VisitNote", "create", None, None, 401),
    ("VisitNote", "read", None, "other", 401),
    ("VisitNote", "update", None, "other", 401),
    ("VisitNote", "delete", None, "other", 401),
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
    ("Patient", "patient"),
    ("Appointment", "patient"),
]


@pytest.mark.parametrize(("entity", "role"), OWN_LISTS)
def test_lists_show_only_own_rows(entity: str, role: str, admin: Api, as_role: Any) -> None:
    caller: Api = as_role(role)
    mine = make(admin, entity, owner_id=caller.user_id)
    make(admin, entity, owner_id=admin.user_id)
    response = caller.get(PATHS[entity])
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [mine["id"]]
