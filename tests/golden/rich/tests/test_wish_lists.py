"""The wish lists endpoints, as the contract states them."""

from typing import Any

import pytest

from tests.conftest import Api
from tests.factories import body_for, make, unknown_id

ENTITY = "WishList"
PATH = "/wish_lists"


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


def test_only_admins_set_owner_id(admin: Api, as_role: Any) -> None:
    caller: Api = as_role("customer")
    body = body_for(admin, ENTITY, owner_id=caller.user_id)
    response = caller.post(PATH, json=body | {"owner_id": caller.user_id})
    assert response.status_code == 422
    assert "owner_id" in response.json()["errors"]
    created = caller.post(PATH, json=body)
    assert created.status_code == 201, created.text
    assert created.json()["owner_id"] == caller.user_id


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
    key = "notes"
    item = make(admin, ENTITY)
    value = item[key]
    if isinstance(value, bool):
        value = "true" if value else "false"
    response = admin.get(PATH, params={key: value})
    assert response.status_code == 200, response.text
    assert item["id"] in [i["id"] for i in response.json()["items"]]


def test_sensitive_fields_are_not_filters(admin: Api) -> None:
    key = "gift_email"
    response = admin.get(PATH, params={key: "x"})
    assert response.status_code == 422
    sorted_by = admin.get(PATH, params={"sort": key})
    assert sorted_by.status_code == 422


def test_injection_strings_are_stored_verbatim(admin: Api) -> None:
    key = "label"
    nasty = "'; DROP TABLE x; --<b>%s\\"
    body = body_for(admin, ENTITY) | {key: nasty}
    response = admin.post(PATH, json=body)
    assert response.status_code == 201, response.text
    fetched = admin.get(f"{PATH}/{response.json()['id']}").json()
    assert fetched[key] == nasty


def test_taken_unique_values_are_409(admin: Api) -> None:
    item = make(admin, ENTITY)
    key = "gift_email"
    body = body_for(admin, ENTITY) | {key: item[key]}
    response = admin.post(PATH, json=body)
    assert response.status_code == 409, response.text
    assert key in response.json()["errors"]


def test_product_ids_links(admin: Api) -> None:
    key = "product_ids"
    targets = sorted(make(admin, "Product")["id"] for _ in range(2))
    body = body_for(admin, ENTITY) | {key: targets}
    created = admin.post(PATH, json=body)
    assert created.status_code == 201, created.text
    assert sorted(created.json()[key]) == targets
    url = f"{PATH}/{created.json()['id']}"
    cleared = admin.patch(url, json={key: []})
    assert cleared.status_code == 200
    assert cleared.json()[key] == []
    dangling = admin.patch(url, json={key: [unknown_id()]})
    assert dangling.status_code == 422
