"""`Idempotency-Key` on POST: a retry replays the first answer and creates nothing."""

import json
import threading
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from lend_well import cli, idempotency
from lend_well.db import get_engine
from tests.conftest import ADMIN_ROLE, Api
from tests.factories import PATHS, body_for

# Its writes must commit: concurrent retries wait on each other's rows.
pytestmark = pytest.mark.committed

# The entity these tests create.
ENTITY = "Applicant"
PATH = PATHS[ENTITY]


def _ids(api: Api) -> list[str]:
    items: list[dict[str, Any]] = api.get(PATH, params={"limit": 500}).json()["items"]
    return [item["id"] for item in items]


def test_a_retry_gets_the_first_answer_and_creates_nothing(admin: Api) -> None:
    body = body_for(admin, ENTITY)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = admin.post(PATH, json=body, headers=key)
    assert first.status_code == 201, first.text
    before = _ids(admin)
    again = admin.post(PATH, json=body, headers=key)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert _ids(admin) == before


def test_the_same_key_with_another_body_is_422(admin: Api) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = body_for(admin, ENTITY)
    assert admin.post(PATH, json=body, headers=key).status_code == 201
    # The key binds the bytes sent: the same fields spelled otherwise are another body
    # (and a fresh body could equal the first when every sample is fixed). The newline
    # makes even an empty body (`{}`, an entity of no fields) another one.
    spelled_otherwise = json.dumps(body, indent=2) + "\n"
    headers = {**key, "Content-Type": "application/json"}
    other = admin.post(PATH, content=spelled_otherwise, headers=headers)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["errors"]


def test_a_malformed_key_is_422(admin: Api) -> None:
    for bad in ("", "x" * 256, "with space"):
        response = admin.post(PATH, json=body_for(admin, ENTITY), headers={"Idempotency-Key": bad})
        assert response.status_code == 422, bad


def test_keys_belong_to_their_user(admin: Api, as_role: Any) -> None:
    other: Api = as_role(ADMIN_ROLE)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = body_for(admin, ENTITY)
    mine = admin.post(PATH, json=body, headers=key)
    theirs = other.post(PATH, json=body_for(admin, ENTITY), headers=key)
    assert mine.status_code == 201, mine.text
    assert theirs.status_code == 201, theirs.text
    assert mine.json()["id"] != theirs.json()["id"]


def test_concurrent_retries_create_one_row(admin: Api) -> None:
    body = body_for(admin, ENTITY)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    answers: list[tuple[int, str]] = []

    def send() -> None:
        response = admin.post(PATH, json=body, headers=key)
        answers.append((response.status_code, response.json().get("id", "")))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {status for status, _ in answers} == {201}, answers
    assert len({item_id for _, item_id in answers}) == 1


def test_stored_answers_are_encrypted(admin: Api) -> None:
    key = str(uuid.uuid4())
    created = admin.post(PATH, json=body_for(admin, ENTITY), headers={"Idempotency-Key": key})
    assert created.status_code == 201
    with get_engine().connect() as connection:
        answer = connection.execute(
            sa.text("SELECT answer FROM auth_idempotency_keys WHERE key = :key"), {"key": key}
        ).scalar_one()
    assert created.json()["id"] not in answer


def test_expired_keys_are_not_replayed_and_retention_deletes_them(admin: Api) -> None:
    body = body_for(admin, ENTITY)
    key = str(uuid.uuid4())
    first = admin.post(PATH, json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 201
    with get_engine().begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE auth_idempotency_keys SET created_at = now() - make_interval(hours => :hours) "
                "WHERE key = :key"
            ),
            {"key": key, "hours": idempotency.RETENTION_HOURS + 1},
        )
    assert "expired idempotency keys: 1 deleted" in cli.retention()
    again = admin.post(PATH, json=body, headers={"Idempotency-Key": key})
    assert again.status_code in (201, 409), again.text
    if again.status_code == 201:
        assert again.json()["id"] != first.json()["id"]
