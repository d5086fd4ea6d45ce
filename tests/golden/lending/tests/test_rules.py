"""Field rules and workflows: who sees and sets each field, and how enum values move."""

from typing import Any

import pytest

from tests.conftest import Api
from tests.factories import BODIES, PATHS, SAMPLES, body_for, make

# (entity, field, a role that reads the row but not the field, filter barred, sort barred)
READ_PROBES: list[tuple[str, str, str, bool, bool]] = [
    ("LoanApplication", "risk_score", "applicant", True, True),
]
# (entity, field, a role that reads every row but the field on its own rows only)
READ_OWN_PROBES: list[tuple[str, str, str]] = []
# (entity, field, a role that creates rows but may not set the field)
WRITE_PROBES: list[tuple[str, str, str]] = [
    ("LoanApplication", "risk_score", "applicant"),
]
# (entity, field, initial value, a value no listed move reaches from it)
WORKFLOWS: list[tuple[str, str, str, str | None]] = [
    ("LoanApplication", "status", "draft", "approved"),
    ("Repayment", "state", "scheduled", "paid"),
]
# (entity, field, a role outside a move's subjects, the values leading to the move, its target)
FORBIDDEN_MOVES: list[tuple[str, str, str, list[str], str]] = [
    ("LoanApplication", "status", "applicant", ["submitted"], "approved"),
]
# (entity, field, the values leading to a frozen one, another field)
FROZEN: list[tuple[str, str, list[str], str]] = [
    ("LoanApplication", "status", ["withdrawn"], "term_months"),
]
# (entity, field, the values leading to a frozen one, a link list, its target)
FROZEN_LINKS: list[tuple[str, str, list[str], str, str]] = []


@pytest.mark.parametrize(("entity", "field", "role"), READ_OWN_PROBES)
def test_fields_read_by_owners_show_on_their_rows_only(
    entity: str,
    field: str,
    role: str,
    admin: Api,
    as_role: Any,
) -> None:
    caller: Api = as_role(role)
    mine = make(admin, entity, owner_id=caller.user_id)
    theirs = make(admin, entity, owner_id=admin.user_id)
    seen = caller.get(f"{PATHS[entity]}/{mine['id']}")
    assert seen.status_code == 200, seen.text
    assert field in seen.json()
    other = caller.get(f"{PATHS[entity]}/{theirs['id']}")
    assert other.status_code == 200, other.text
    assert field not in other.json()
    listed = {row["id"]: row for row in caller.get(PATHS[entity]).json()["items"]}
    assert field in listed[mine["id"]]
    assert field not in listed[theirs["id"]]


@pytest.mark.parametrize(("entity", "field", "role", "filters", "sorts"), READ_PROBES)
def test_fields_are_absent_for_callers_outside_read(
    entity: str,
    field: str,
    role: str,
    filters: bool,
    sorts: bool,
    admin: Api,
    as_role: Any,
) -> None:
    caller: Api = as_role(role)
    item = make(admin, entity, owner_id=caller.user_id)
    url = f"{PATHS[entity]}/{item['id']}"
    assert field in admin.get(url).json()
    seen = caller.get(url)
    assert seen.status_code == 200, seen.text
    assert field not in seen.json()
    listed = caller.get(PATHS[entity])
    assert listed.status_code == 200, listed.text
    assert listed.json()["items"]
    assert all(field not in row for row in listed.json()["items"])
    if filters:
        assert caller.get(PATHS[entity], params={field: "1"}).status_code == 422
    if sorts:
        assert caller.get(PATHS[entity], params={"sort": field}).status_code == 422
        assert admin.get(PATHS[entity], params={"sort": field}).status_code == 200


@pytest.mark.parametrize(("entity", "field", "role"), WRITE_PROBES)
def test_fields_are_set_only_by_callers_in_write(
    entity: str,
    field: str,
    role: str,
    admin: Api,
    as_role: Any,
) -> None:
    caller: Api = as_role(role)
    body = body_for(admin, entity, owner_id=caller.user_id)
    value = SAMPLES[(entity, field)](1)
    refused = caller.post(PATHS[entity], json=body | {field: value})
    assert refused.status_code == 403, refused.text
    assert field in refused.json()["errors"]
    # The field rule answers before the body is validated: a member no model
    # has, beside the field, does not make it 422.
    unknown = {field: value, "archgen_unknown_member": 1}
    assert caller.post(PATHS[entity], json=body | unknown).status_code == 403
    created = caller.post(PATHS[entity], json=body)
    assert created.status_code == 201, created.text
    url = f"{PATHS[entity]}/{created.json()['id']}"
    assert caller.patch(url, json={field: value}).status_code == 403
    assert caller.patch(url, json=unknown).status_code == 403
    changed = admin.patch(url, json={field: value})
    assert changed.status_code == 200, changed.text
    assert changed.json()[field] == value


@pytest.mark.parametrize(("entity", "field", "initial", "unlisted"), WORKFLOWS)
def test_rows_start_in_the_initial_value(
    entity: str,
    field: str,
    initial: str,
    unlisted: str | None,
    admin: Api,
) -> None:
    item = make(admin, entity)
    assert item[field] == initial
    url = f"{PATHS[entity]}/{item['id']}"
    assert admin.patch(url, json={field: initial}).status_code == 200
    if unlisted is None:
        return
    created = admin.post(PATHS[entity], json=body_for(admin, entity) | {field: unlisted})
    assert created.status_code == 422, created.text
    assert field in created.json()["errors"]
    moved = admin.patch(url, json={field: unlisted})
    assert moved.status_code == 409, moved.text
    message = moved.json()["errors"][field]
    assert initial in message
    assert unlisted in message


@pytest.mark.parametrize(("entity", "field", "role", "path", "target"), FORBIDDEN_MOVES)
def test_moves_outside_their_subjects_are_403(
    entity: str,
    field: str,
    role: str,
    path: list[str],
    target: str,
    admin: Api,
    as_role: Any,
) -> None:
    caller: Api = as_role(role)
    item = make(admin, entity, owner_id=caller.user_id)
    url = f"{PATHS[entity]}/{item['id']}"
    for value in path:
        assert admin.patch(url, json={field: value}).status_code == 200
    refused = caller.patch(url, json={field: target})
    assert refused.status_code == 403, refused.text
    assert field in refused.json()["errors"]
    unknown = {field: target, "archgen_unknown_member": 1}
    assert caller.patch(url, json=unknown).status_code == 403
    moved = admin.patch(url, json={field: target})
    assert moved.status_code == 200, moved.text


@pytest.mark.parametrize(("entity", "field", "path", "other"), FROZEN)
def test_frozen_rows_do_not_change(
    entity: str,
    field: str,
    path: list[str],
    other: str,
    admin: Api,
) -> None:
    item = make(admin, entity)
    url = f"{PATHS[entity]}/{item['id']}"
    for value in path:
        assert admin.patch(url, json={field: value}).status_code == 200
    current = admin.get(url).json()[other]
    changed = next(v for v in (BODIES[entity](n)[other] for n in range(1, 500)) if v != current)
    refused = admin.patch(url, json={other: changed})
    assert refused.status_code == 409, refused.text
    assert other in refused.json()["errors"]
    assert admin.patch(url, json={other: current}).status_code == 200


@pytest.mark.parametrize(("entity", "field", "path", "links", "target"), FROZEN_LINKS)
def test_frozen_rows_keep_their_links(
    entity: str,
    field: str,
    path: list[str],
    links: str,
    target: str,
    admin: Api,
) -> None:
    item = make(admin, entity)
    url = f"{PATHS[entity]}/{item['id']}"
    for value in path:
        assert admin.patch(url, json={field: value}).status_code == 200
    current = admin.get(url).json()[links]
    refused = admin.patch(url, json={links: [*current, make(admin, target)["id"]]})
    assert refused.status_code == 409, refused.text
    assert links in refused.json()["errors"]
    assert admin.get(url).json()[links] == current
    assert admin.patch(url, json={links: current}).status_code == 200
