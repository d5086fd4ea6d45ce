"""The audit log: who did what to which record, when, and in which request.

Events name users by id only (never by email or name) and changes by field
name only (never by value), so erasing an account pseudonymizes its events.
An event is written in the same transaction as the change it records: it
commits or rolls back with it. The table is append-only: a trigger in the
migration refuses UPDATE, DELETE and TRUNCATE (see the migration for the
one exception, the retention purge of events older than the audit retention).

The actor is the signed-in user; for `login_failed` and `lockout` it is the
account the attempt was for (none for an unknown email, which is never
stored); for commands (`make user`, `make retention`) it is empty.
"""

import uuid
from collections.abc import Iterable
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lend_well.context import request_id_var
from lend_well.models import AuditEvent, AuthUser
from lend_well.permissions import Actor
from lend_well.security.dependencies import Principal

ACTIONS: tuple[str, ...] = (
    "register",
    "login",
    "login_failed",
    "lockout",
    "logout",
    "create",
    "update",
    "delete",
    "export",
    "erasure",
    "role_change",
    "retention_purge",
    "payment_started",
    "payment_succeeded",
    "payment_failed",
    "payment_refunded",
)
# Days audit events are kept (`audit.retention_days`); `None` keeps them.
RETENTION_DAYS: int | None = 366

AuditActor = Principal | Actor | AuthUser | None
# One event, a parameter per column (`audit_<column>`); `seq` and `at` are the server's.
_TABLE = cast(sa.Table, AuditEvent.__table__)
EVENT = sa.insert(_TABLE).values(
    {
        column: sa.bindparam(f"audit_{name}", type_=column.type)
        for name, column in _TABLE.c.items()
        if name not in ("seq", "at")
    }
)


def _who(actor: AuditActor) -> tuple[uuid.UUID | None, str | None]:
    """The user id and role behind an actor (`None`, `None` for a visitor or a command)."""
    if isinstance(actor, Actor):
        actor = actor.principal
    if actor is None:
        return None, None
    if isinstance(actor, AuthUser):
        return actor.id, actor.role
    return actor.user_id, actor.role


def parse_action(raw: str) -> str:
    """An action name from a query string (ValueError for anything else)."""
    if raw not in ACTIONS:
        raise ValueError("must be one of: " + ", ".join(ACTIONS))
    return raw


def event(
    action: str,
    actor: AuditActor,
    entity: str | None = None,
    entity_id: uuid.UUID | str | None = None,
    fields: Iterable[str] | None = None,
) -> dict[str, Any]:
    """The parameters of `EVENT` for one event.

    A change that is one statement runs `EVENT` inside it (a create: see
    `services.common.RecordedInsert`), so the row and its event are written
    or refused together. `fields` are names of fields, never values;
    `retention_purge` stores its counts there as `"<Entity>:<rows>"`.
    """
    parse_action(action)
    actor_id, actor_role = _who(actor)
    return {
        "audit_id": uuid.uuid4(),
        "audit_actor_id": actor_id,
        "audit_actor_role": actor_role,
        "audit_action": action,
        "audit_entity": entity,
        "audit_entity_id": None if entity_id is None else str(entity_id),
        "audit_fields": None if fields is None else sorted(set(fields)),
        "audit_request_id": request_id_var.get(),
    }


def record(
    db: Session,
    action: str,
    actor: AuditActor,
    entity: str | None = None,
    entity_id: uuid.UUID | str | None = None,
    fields: Iterable[str] | None = None,
) -> uuid.UUID:
    """Writes an event in the caller's transaction (it commits with the change it records).

    The INSERT is sent at once on the session's connection rather than
    added to the session, so a commit has no unit of work to flush for it
    (and the event holds no place in the session). Returns the event's id.
    """
    parameters = event(action, actor, entity, entity_id, fields)
    db.connection().execute(EVENT, parameters)
    event_id: uuid.UUID = parameters["audit_id"]
    return event_id
