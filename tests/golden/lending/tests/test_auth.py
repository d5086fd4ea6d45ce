"""Sign-up, sign-in, sign-out and the current account, as the contract states them."""

from tests.conftest import ADMIN_ROLE, PASSWORD, Api, make_user

NON_SIGNUP_ROLE = "underwriter"
DEFAULT_SIGNUP_ROLE = "applicant"


def test_register_defaults_to_the_first_signup_role(anonymous: Api) -> None:
    response = anonymous.post(
        "/auth/register", json={"email": "New@Example.com", "password": PASSWORD}
    )
    assert (response.status_code, response.json()) == (202, {}), response.text
    body = anonymous.login("new@example.com").json()
    assert body["email"] == "new@example.com"
    assert body["role"] == DEFAULT_SIGNUP_ROLE


def test_register_refuses_a_role_that_is_not_a_signup_role(anonymous: Api) -> None:
    response = anonymous.post(
        "/auth/register",
        json={"email": "x@example.com", "password": PASSWORD, "role": NON_SIGNUP_ROLE},
    )
    assert response.status_code == 422
    assert "role" in response.json()["errors"]


def test_register_does_not_tell_a_taken_email(anonymous: Api) -> None:
    make_user(DEFAULT_SIGNUP_ROLE, "taken@example.com")
    response = anonymous.post(
        "/auth/register", json={"email": "taken@example.com", "password": PASSWORD}
    )
    assert (response.status_code, response.json()) == (202, {})


def test_register_enforces_the_password_policy(anonymous: Api) -> None:
    for password in ("short", "password1234", "me@example.com"):
        response = anonymous.post(
            "/auth/register", json={"email": "me@example.com", "password": password}
        )
        assert response.status_code == 422, password
        assert response.headers["content-type"] == "application/problem+json"
        assert "password" in response.json()["errors"]


def test_register_rejects_unknown_fields(anonymous: Api) -> None:
    response = anonymous.post(
        "/auth/register",
        json={"email": "a@example.com", "password": PASSWORD, "admin": True},
    )
    assert response.status_code == 422
    assert "admin" in response.json()["errors"]


def test_login_returns_the_account_and_a_csrf_token(anonymous: Api) -> None:
    email = make_user(ADMIN_ROLE)
    response = anonymous.login(email)
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == email
    assert body["role"] == ADMIN_ROLE
    assert body["csrf_token"] == anonymous.client.cookies.get("csrf_token")


def test_login_gives_one_answer_for_unknown_email_and_wrong_password(anonymous: Api) -> None:
    email = make_user(ADMIN_ROLE)
    wrong = anonymous.login(email, "not-the-right-password")
    unknown = anonymous.login("nobody@example.com", "not-the-right-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_each_login_starts_a_new_session(anonymous: Api) -> None:
    email = make_user(ADMIN_ROLE)
    anonymous.login(email)
    first = anonymous.client.cookies.get("session")
    anonymous.login(email)
    assert anonymous.client.cookies.get("session") != first


def test_me_needs_a_session(anonymous: Api) -> None:
    response = anonymous.get("/auth/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_me_returns_the_account(admin: Api) -> None:
    response = admin.get("/auth/me")
    assert response.status_code == 200
    assert response.json() == {
        "user_id": admin.user_id,
        "email": admin.email,
        "role": ADMIN_ROLE,
        "email_verified": False,
    }


def test_logout_revokes_the_session_on_the_server(admin: Api) -> None:
    token = admin.client.cookies.get("session")
    assert admin.post("/auth/logout").status_code == 204
    admin.client.cookies.set("session", token or "")
    assert admin.get("/auth/me").status_code == 401


def test_logout_without_a_session_is_fine(anonymous: Api) -> None:
    assert anonymous.post("/auth/logout").status_code == 204


def test_admins_list_users(admin: Api) -> None:
    response = admin.get("/admin/users", params={"email": admin.email})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["user_id"] for item in items] == [admin.user_id]
    assert set(items[0]) == {"user_id", "email", "role", "created_at"}
    assert items[0]["created_at"].endswith("Z"), items[0]["created_at"]


def test_others_may_not_list_users(anonymous: Api) -> None:
    anonymous.login(make_user("applicant"))
    assert anonymous.get("/admin/users").status_code == 403
