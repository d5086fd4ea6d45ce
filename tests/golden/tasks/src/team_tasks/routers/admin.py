"""Operator endpoints, for admin roles only."""

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends

from team_tasks.models import AuthUser
from team_tasks.pagination import ListQuery, column, list_query, paginate
from team_tasks.schemas.auth import UserOut, UserPage
from team_tasks.security.dependencies import AdminPrincipal, DbSession

router = APIRouter(prefix="/admin", tags=["admin"])

USER_SORT = {"created_at": column(AuthUser.created_at, "datetime")}
USER_FILTERS = {
    "email": column(AuthUser.email, "text"),
    "role": column(AuthUser.role, "text"),
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
        sa.select(AuthUser),
        id_column=AuthUser.id,
        query=query,
        sortable=USER_SORT,
        filters=USER_FILTERS,
    )
    items = [
        UserOut(user_id=u.id, email=u.email, role=u.role, created_at=u.created_at) for u in rows
    ]
    return UserPage(items=items, next_cursor=next_cursor)
