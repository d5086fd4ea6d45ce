"""Operator endpoints, for admin roles only."""

import dataclasses
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends

from lend_well import audit
from lend_well.models import AuditEvent, AuthUser
from lend_well.pagination import Column, ListQuery, column, list_query, paginate
from lend_well.schemas.auth import UserOut, UserPage
from lend_well.schemas.privacy import AuditEventOut, AuditEventPage
from lend_well.security.dependencies import AdminPrincipal, DbSession
from lend_well.services import users

router = APIRouter(prefix="/admin", tags=["admin"])

USER_SORT = {"created_at": column(AuthUser.created_at, "datetime")}
USER_FILTERS = {
    "email": column(AuthUser.email, "text"),
    "role": Column(attribute=AuthUser.role, parse=users.parse_role),
}
# Events are listed in the order they happened: by their sequence number.
AUDIT_SORT = {"seq": column(AuditEvent.seq, "integer")}
AUDIT_FILTERS = {
    "actor": column(AuditEvent.actor_id, "uuid"),
    "action": Column(attribute=AuditEvent.action, parse=audit.parse_action),
}


@router.get("/users", response_model=UserPage)
def list_users(
    principal: AdminPrincipal,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> UserPage:
    """Accounts, filtered by `email` and `role`, so an operator can find a user id."""
    if "email" in query.filters:
        query.filters["email"] = query.filters["email"].strip().lower()
    rows, next_cursor = paginate(
        db,
        sa.select(AuthUser.__table__),
        id_column=AuthUser.id,
        query=query,
        sortable=USER_SORT,
        filters=USER_FILTERS,
    )
    items = [
        UserOut(user_id=u.id, email=u.email, role=u.role, created_at=u.created_at) for u in rows
    ]
    return UserPage(items=items, next_cursor=next_cursor)


@router.get("/audit-events", response_model=AuditEventPage)
def list_audit_events(
    principal: AdminPrincipal,
    db: DbSession,
    query: Annotated[ListQuery, Depends(list_query)],
) -> AuditEventPage:
    """The audit log in the order events happened, filtered by `actor` (a user id) and `action`."""
    rows, next_cursor = paginate(
        db,
        sa.select(AuditEvent.__table__),
        id_column=AuditEvent.id,
        query=dataclasses.replace(query, sort="seq"),
        sortable=AUDIT_SORT,
        filters=AUDIT_FILTERS,
    )
    items = [
        AuditEventOut(
            id=e.id,
            at=e.at,
            actor_id=e.actor_id,
            actor_role=e.actor_role,
            action=e.action,
            entity=e.entity,
            entity_id=e.entity_id,
            fields=e.fields,
            request_id=e.request_id,
        )
        for e in rows
    ]
    return AuditEventPage(items=items, next_cursor=next_cursor)
