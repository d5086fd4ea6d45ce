"""Who may do what: the access rules of every entity, per role and action.

A scope says which rows a role may act on: `all`, only the rows it owns
(`own`), or none at all (`none`, answered with 403). Admin roles may do
everything.
"""

import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

from lend_well.problems import forbidden, unauthorized
from lend_well.security.dependencies import OptionalPrincipal, Principal

Scope = Literal["all", "own", "none"]
Action = Literal["create", "read", "update", "delete"]
Scopes = dict[str | None, Scope]
"""A scope per caller: visitors (`None`) and each role."""

RULES: dict[str, dict[Action, dict[str, Scope]]] = {
    "Applicant": {
        "create": {
            "applicant": "all",
            "underwriter": "none",
            "admin": "all",
        },
        "read": {
            "applicant": "own",
            "underwriter": "all",
            "admin": "all",
        },
        "update": {
            "applicant": "own",
            "underwriter": "own",
            "admin": "all",
        },
        "delete": {
            "applicant": "none",
            "underwriter": "none",
            "admin": "all",
        },
    },
    "LoanApplication": {
        "create": {
            "applicant": "all",
            "underwriter": "none",
            "admin": "all",
        },
        "read": {
            "applicant": "own",
            "underwriter": "all",
            "admin": "all",
        },
        "update": {
            "applicant": "own",
            "underwriter": "all",
            "admin": "all",
        },
        "delete": {
            "applicant": "none",
            "underwriter": "none",
            "admin": "all",
        },
    },
    "Repayment": {
        "create": {
            "applicant": "none",
            "underwriter": "none",
            "admin": "all",
        },
        "read": {
            "applicant": "own",
            "underwriter": "all",
            "admin": "all",
        },
        "update": {
            "applicant": "none",
            "underwriter": "none",
            "admin": "all",
        },
        "delete": {
            "applicant": "none",
            "underwriter": "none",
            "admin": "all",
        },
    },
}

PUBLIC: dict[str, frozenset[Action]] = {
    "Applicant": frozenset(),
    "LoanApplication": frozenset(),
    "Repayment": frozenset(),
}


@dataclass(frozen=True)
class Actor:
    """The caller of one action on one entity, and the rows the action may touch."""

    principal: Principal | None
    scope: Scope

    @property
    def user_id(self) -> uuid.UUID | None:
        """The caller's user id, `None` for a visitor."""
        return self.principal.user_id if self.principal else None

    @property
    def is_admin(self) -> bool:
        """Whether the caller holds an admin role."""
        return self.principal is not None and self.principal.is_admin


def scope_of(entity: str, action: Action, principal: Principal | None) -> Scope:
    """The rows `principal` (a visitor when `None`) may act on."""
    if principal is None:
        return "all" if action in PUBLIC[entity] else "none"
    if principal.is_admin:
        return "all"
    return RULES[entity][action].get(principal.role, "none")


def require(
    entity: str, action: Action
) -> Callable[[Principal | None], Coroutine[Any, Any, Actor]]:
    """A dependency answering 401 or 403 before any row is looked at.

    It is `async` because it does no I/O: FastAPI runs it on the event loop
    rather than sending it to the thread pool.
    """

    async def dependency(principal: OptionalPrincipal) -> Actor:
        if principal is None and action not in PUBLIC[entity]:
            raise unauthorized()
        scope = scope_of(entity, action, principal)
        if scope == "none":
            raise forbidden(f"Your role may not {action} these records.")
        return Actor(principal=principal, scope=scope)

    return dependency


def may_touch(scope: Scope, owner_id: uuid.UUID | None, user_id: uuid.UUID | None) -> bool:
    """Whether a row with this owner is within the scope."""
    if scope == "all":
        return True
    return scope == "own" and owner_id is not None and owner_id == user_id
