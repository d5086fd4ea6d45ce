"""Registration, verification and password reset with email: what the app
writes to the outbox and what the links in it do. The providers' own tests
(test_<provider>.py) send these mails to local stand-ins."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from lend_well.db import get_sessionmaker
from lend_well.mail import outbox, tokens
from lend_well.models import AuthEmailToken, AuthSession, AuthUser, MailOutbox
from tests.conftest import ADMIN_ROLE, PASSWORD, Api, make_user

NEW_PASSWORD = "another-long-enough-password"
LINK = re.compile(r"https?://\S+?\?token=([A-Za-z0-9_-]+)")


def _mails(to: str) -> list[MailOutbox]:
    with get_sessionmaker()() as db:
        return list(
            db.scalars(
                sa.select(MailOutbox)
                .where(MailOutbox.recipient == to)
                .order_by(MailOutbox.created_at, MailOutbox.id)
            )
        )


def _token(mail: MailOutbox) -> str:
    found = LINK.search(mail.body_text)
    assert found is not None, mail.body_text
    assert found.group(0) in mail.body_html
    return found.group(1)


# The mails are ordered by created_at, the database's now(), which stands still within
# one transaction: the two must commit one by one.
@pytest.mark.committed
def test_register_answers_the_same_for_a_new_and_a_taken_email(anonymous: Api) -> None:
    first = anonymous.post(
        "/auth/register", json={"email": "New@Example.com", "password": PASSWORD}
    )
    again = anonymous.post(
        "/auth/register", json={"email": "new@example.com", "password": PASSWORD}
    )
    assert (first.status_code, first.json()) == (202, {})
    assert (again.status_code, again.json()) == (202, {})
    verification, notice = _mails("new@example.com")
    assert "verify" in verification.subject
    assert "already have an account" in notice.subject
    for mail in (verification, notice):
        assert mail.status == outbox.PENDING
        assert "LendWell" in mail.subject
        assert "LendWell" in mail.body_html
        assert "LendWell" in mail.body_text


def test_a_new_account_signs_in_at_once_and_verifies_its_email_once(anonymous: Api) -> None:
    registered = anonymous.post(
        "/auth/register", json={"email": "fresh@example.com", "password": PASSWORD}
    )
    assert registered.status_code == 202
    assert anonymous.login("fresh@example.com").status_code == 200
    me = anonymous.get("/auth/me").json()
    assert me["email_verified"] is False
    token = _token(_mails("fresh@example.com")[0])
    assert anonymous.post("/auth/verify-email", json={"token": token}).status_code == 204
    assert anonymous.get("/auth/me").json()["email_verified"] is True
    reused = anonymous.post("/auth/verify-email", json={"token": token})
    assert reused.status_code == 422
    assert "token" in reused.json()["errors"]


def test_a_reset_works_once_and_revokes_every_session(anonymous: Api) -> None:
    email = make_user(ADMIN_ROLE, "reset@example.com")
    assert anonymous.login(email).status_code == 200
    assert anonymous.get("/auth/me").status_code == 200
    for address in (email, "nobody@example.com"):
        answer = anonymous.post("/auth/password-reset", json={"email": address})
        assert (answer.status_code, answer.json()) == (202, {})
    assert _mails("nobody@example.com") == []
    token = _token(_mails(email)[0])
    confirm = {"token": token, "password": NEW_PASSWORD}
    assert anonymous.post("/auth/password-reset/confirm", json=confirm).status_code == 204
    with get_sessionmaker()() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(AuthSession)) == 0
    assert anonymous.get("/auth/me").status_code == 401
    assert anonymous.login(email).status_code == 401
    assert anonymous.login(email, NEW_PASSWORD).status_code == 200
    again = anonymous.post("/auth/password-reset/confirm", json=confirm)
    assert again.status_code == 422


def test_a_weak_new_password_keeps_the_token(anonymous: Api) -> None:
    email = make_user(ADMIN_ROLE, "weak@example.com")
    anonymous.post("/auth/password-reset", json={"email": email})
    token = _token(_mails(email)[0])
    weak = anonymous.post(
        "/auth/password-reset/confirm", json={"token": token, "password": "short"}
    )
    assert weak.status_code == 422
    assert "password" in weak.json()["errors"]
    confirm = {"token": token, "password": NEW_PASSWORD}
    assert anonymous.post("/auth/password-reset/confirm", json=confirm).status_code == 204


def test_an_expired_token_is_refused(anonymous: Api) -> None:
    email = make_user(ADMIN_ROLE, "late@example.com")
    anonymous.post("/auth/password-reset", json={"email": email})
    token = _token(_mails(email)[0])
    with get_sessionmaker()() as db:
        db.execute(
            sa.update(AuthEmailToken).values(expires_at=sa.func.now() - dt.timedelta(seconds=1))
        )
        db.commit()
    confirm = {"token": token, "password": NEW_PASSWORD}
    assert anonymous.post("/auth/password-reset/confirm", json=confirm).status_code == 422
    assert anonymous.login(email).status_code == 200


def test_erasure_takes_the_mails_to_the_address(anonymous: Api) -> None:
    email = make_user(ADMIN_ROLE, "erased@example.com")
    anonymous.post("/auth/password-reset", json={"email": email})
    assert len(_mails(email)) == 1
    assert anonymous.login(email).status_code == 200
    assert anonymous.delete("/me").status_code == 204
    assert _mails(email) == []


def test_tokens_are_stored_hashed() -> None:
    email = make_user(ADMIN_ROLE, "hashed@example.com")
    with get_sessionmaker()() as db:
        user_id = db.scalar(sa.select(AuthUser.id).where(AuthUser.email == email))
        assert user_id is not None
        token = tokens.issue(db, user_id, tokens.RESET)
        db.commit()
        stored = db.scalars(sa.select(AuthEmailToken.token_hash)).all()
    assert token not in stored
    assert tokens.token_hash(token) in stored
