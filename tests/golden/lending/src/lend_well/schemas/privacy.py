"""Bodies of the data-subject and audit endpoints."""

import uuid
from typing import Any

from pydantic import BaseModel

from lend_well.schemas.auth import UserOut
from lend_well.schemas.types import UtcDatetime


class ExportOut(BaseModel):
    """The caller's account and every row they own, by entity, in the API's shapes."""

    account: UserOut
    data: dict[str, list[dict[str, Any]]]


class AuditEventOut(BaseModel):
    """One audit event: users by id only, changed fields by name only."""

    id: uuid.UUID
    at: UtcDatetime
    actor_id: uuid.UUID | None
    actor_role: str | None
    action: str
    entity: str | None
    entity_id: str | None
    fields: list[str] | None
    request_id: str | None


class AuditEventPage(BaseModel):
    """A page of audit events, in the order they happened."""

    items: list[AuditEventOut]
    next_cursor: str | None
