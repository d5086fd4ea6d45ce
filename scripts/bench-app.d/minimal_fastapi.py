"""The least a backend may do per request: the benchmark's yardstick."""

import datetime as dt
import hashlib
import os
import secrets
import uuid

import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi import FastAPI, HTTPException, Request, Response
from pydantic import BaseModel, Field

url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
engine = sa.create_engine(url, pool_size=int(os.environ.get("DB_POOL_SIZE", "5")), max_overflow=0)
hasher = PasswordHasher()
app = FastAPI()
COLUMNS = "id, owner_id, name, summary, archived, created_at, updated_at"


class ProjectIn(BaseModel):
    name: str = Field(..., max_length=120)
    summary: str | None = None
    archived: bool = False


class LoginIn(BaseModel):
    email: str
    password: str


def row_json(row: sa.Row) -> dict[str, object]:
    return {
        "id": str(row.id),
        "owner_id": str(row.owner_id),
        "name": row.name,
        "summary": row.summary,
        "archived": row.archived,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def caller(connection: sa.Connection, request: Request) -> uuid.UUID:
    token = request.cookies.get("session", "")
    user_id = connection.execute(
        sa.text(
            "SELECT user_id FROM auth_sessions WHERE token_hash = :h AND expires_at > now()"
        ),
        {"h": hashlib.sha256(token.encode()).hexdigest()},
    ).scalar_one_or_none()
    if user_id is None:
        raise HTTPException(401)
    return user_id


@app.get("/api/projects")
def list_projects(request: Request) -> dict[str, object]:
    with engine.connect() as connection:
        user_id = caller(connection, request)
        rows = connection.execute(
            sa.text(
                f"SELECT {COLUMNS} FROM projects WHERE owner_id = :u "
                "ORDER BY created_at, id LIMIT 50"
            ),
            {"u": user_id},
        ).all()
    return {"items": [row_json(row) for row in rows], "next_cursor": None}


@app.get("/api/projects/{item_id}")
def get_project(item_id: uuid.UUID, request: Request) -> dict[str, object]:
    with engine.connect() as connection:
        user_id = caller(connection, request)
        row = connection.execute(
            sa.text(f"SELECT {COLUMNS} FROM projects WHERE id = :i AND owner_id = :u"),
            {"i": item_id, "u": user_id},
        ).one_or_none()
    if row is None:
        raise HTTPException(404)
    return row_json(row)


@app.post("/api/projects", status_code=201)
def create_project(body: ProjectIn, request: Request) -> dict[str, object]:
    with engine.begin() as connection:
        user_id = caller(connection, request)
        row = connection.execute(
            sa.text(
                "INSERT INTO projects (id, owner_id, name, summary, archived, created_at, "
                "updated_at) VALUES (:i, :u, :n, :s, :a, now(), now()) "
                f"RETURNING {COLUMNS}"
            ),
            {"i": uuid.uuid4(), "u": user_id, "n": body.name, "s": body.summary,
             "a": body.archived},
        ).one()
    return row_json(row)


@app.post("/api/auth/login")
def login(body: LoginIn, response: Response) -> dict[str, object]:
    with engine.connect() as connection:
        user = connection.execute(
            sa.text("SELECT id, password_hash FROM auth_users WHERE email = :e"),
            {"e": body.email},
        ).one_or_none()
    if user is None:
        raise HTTPException(401)
    try:
        hasher.verify(user.password_hash, body.password)
    except Exception as error:
        raise HTTPException(401) from error
    with engine.begin() as connection:
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = dt.datetime.now(dt.UTC)
        connection.execute(
            sa.text(
                "INSERT INTO auth_sessions (id, user_id, token_hash, csrf_token, created_at, "
                "last_seen_at, expires_at) VALUES (:i, :u, :h, :c, :n, :n, :x)"
            ),
            {"i": uuid.uuid4(), "u": user.id, "h": hashlib.sha256(token.encode()).hexdigest(),
             "c": csrf, "n": now, "x": now + dt.timedelta(hours=12)},
        )
    response.set_cookie("session", token, httponly=True, samesite="lax")
    return {"user_id": str(user.id), "csrf_token": csrf}


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
