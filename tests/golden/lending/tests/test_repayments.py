"""The repayments endpoints, as the contract states them."""

from typing import Any

import pytest

from tests.conftest import ROLES, Api
from tests.factories import body_for, make, unknown_id

ENTITY = "Repayment"
PATH = "/repayments"


def test_create_returns_the_item(admin: Api) -> None:
    body = body_for(admin, ENTITY)
    response = admin.post(PATH, json=body)
    assert response.status_code == 201, response.text
    item = response.json()
    assert {"id", "created_at", "updated_at"} <= set(item)
    assert item["created_at"].endswith("Z"), item["created_at"]
    assert item["updated_at"].endswith("Z"), item["updated_at"]
    assert set(body) <= set(item)
    assert item["owner_id"] == admin.user_id


def test_owner_id_is_read_only(admin: Api) -> None:
    item = make(admin, ENTITY)
    response = admin.patch(f"{PATH}/{item['id']}", json={"owner_id": admin.user_id})
    assert response.status_code == 422
    body = body_for(admin, ENTITY) | {"owner_id": unknown_id()}
    assert admin.post(PATH, json=body).status_code == 422
    # The owner follows the loan_id row: nobody, admins included, sends it.
    body = body_for(admin, ENTITY) | {"owner_id": admin.user_id}
    response = admin.post(PATH, json=body)
    assert response.status_code == 422
    assert "owner_id" in response.json()["errors"]


def test_owner_follows_the_parent(admin: Api, as_role: Any) -> None:
    user: Api = as_role(ROLES[0])
    theirs = make(admin, "LoanApplication", owner_id=user.user_id)
    item = make(admin, ENTITY, loan_id=theirs["id"])
    assert item["owner_id"] == user.user_id
    mine = make(admin, "LoanApplication", owner_id=admin.user_id)
    key = "loan_id"
    moved = admin.patch(f"{PATH}/{item['id']}", json={key: mine["id"]})
    assert moved.status_code == 200, moved.text
    assert moved.json()["owner_id"] == admin.user_id


def test_get_update_delete(admin: Api) -> None:
    item = make(admin, ENTITY)
    url = f"{PATH}/{item['id']}"
    fetched = admin.get(url)
    assert fetched.status_code == 200
    assert fetched.json() == item
    changed = admin.patch(url, json={})
    assert changed.status_code == 200, changed.text
    assert admin.delete(url).status_code == 204
    assert admin.get(url).status_code == 404
    assert admin.delete(url).status_code == 404


def test_unknown_ids_are_404(admin: Api) -> None:
    assert admin.get(f"{PATH}/{unknown_id()}").status_code == 404
    assert admin.patch(f"{PATH}/{unknown_id()}", json={}).status_code == 404


def test_unknown_fields_are_422(admin: Api) -> None:
    body = body_for(admin, ENTITY) | {"no_such_field": 1}
    response = admin.post(PATH, json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "no_such_field" in response.json()["errors"]


def test_id_and_timestamps_are_read_only(admin: Api) -> None:
    item = make(admin, ENTITY)
    response = admin.patch(f"{PATH}/{item['id']}", json={"created_at": item["created_at"]})
    assert response.status_code == 422


# created_at is the database's now(), which stands still within one transaction,
# so the rows must commit one by one to be ordered.
@pytest.mark.committed
def test_pages_are_stable_under_inserts(admin: Api) -> None:
    first = [make(admin, ENTITY)["id"] for _ in range(3)]
    page = admin.get(PATH, params={"limit": 2})
    assert page.status_code == 200
    body = page.json()
    assert [i["id"] for i in body["items"]] == first[:2]
    assert body["next_cursor"]
    later = make(admin, ENTITY)["id"]
    rest = admin.get(PATH, params={"limit": 2, "cursor": body["next_cursor"]}).json()
    assert [i["id"] for i in rest["items"]] == [first[2], later]


# created_at is the database's now(), which stands still within one transaction,
# so the rows must commit one by one to be ordered.
@pytest.mark.committed
def test_sorting_descending(admin: Api) -> None:
    ids = [make(admin, ENTITY)["id"] for _ in range(3)]
    response = admin.get(PATH, params={"sort": "-created_at"})
    assert response.status_code == 200
    assert [i["id"] for i in response.json()["items"]][:3] == ids[::-1]


def test_bad_list_parameters_are_422(admin: Api) -> None:
    for params in (
        {"limit": "0"},
        {"limit": "501"},
        {"limit": "ten"},
        {"cursor": "not-a-cursor"},
        {"sort": "no_such_field"},
        {"no_such_field": "1"},
    ):
        response = admin.get(PATH, params=params)
        assert response.status_code == 422, params


def test_a_cursor_of_another_sort_is_422(admin: Api) -> None:
    for _ in range(2):
        make(admin, ENTITY)
    cursor = admin.get(PATH, params={"limit": 1}).json()["next_cursor"]
    response = admin.get(PATH, params={"limit": 1, "cursor": cursor, "sort": "-created_at"})
    assert response.status_code == 422


def test_filters_by_equality(admin: Api) -> None:
    key = "due_on"
    item = make(admin, ENTITY)
    value = item[key]
    if isinstance(value, bool):
        value = "true" if value else "false"
    response = admin.get(PATH, params={key: value})
    assert response.status_code == 200, response.text
    assert item["id"] in [i["id"] for i in response.json()["items"]]


def test_dangling_links_are_422(admin: Api) -> None:
    key = "loan_id"
    body = body_for(admin, ENTITY) | {key: unknown_id()}
    response = admin.post(PATH, json=body)
    assert response.status_code == 422, response.text
    assert key in response.json()["errors"]


def test_datetimes_need_an_offset(admin: Api) -> None:
    key = "paid_at"
    body = body_for(admin, ENTITY) | {key: "2030-01-15T09:30:00"}
    assert admin.post(PATH, json=body).status_code == 422


def test_datetimes_are_answered_in_utc(admin: Api) -> None:
    key = "paid_at"
    body = body_for(admin, ENTITY) | {key: "2030-01-15T11:30:00+02:00"}
    created = admin.post(PATH, json=body)
    assert created.status_code == 201, created.text
    assert created.json()[key] == "2030-01-15T09:30:00Z"
    url = f"{PATH}/{created.json()['id']}"
    assert admin.get(url).json()[key] == "2030-01-15T09:30:00Z"
    listed = {i["id"]: i for i in admin.get(PATH, params={"limit": 500}).json()["items"]}
    assert listed[created.json()["id"]][key] == "2030-01-15T09:30:00Z"
    changed = admin.patch(url, json={key: "2030-06-01T08:00:00-05:00"})
    assert changed.status_code == 200, changed.text
    assert changed.json()[key] == "2030-06-01T13:00:00Z"
    assert admin.get(url).json()[key] == "2030-06-01T13:00:00Z"
