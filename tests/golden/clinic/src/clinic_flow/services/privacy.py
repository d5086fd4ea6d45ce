"""Data-subject requests: export (GDPR Art. 15, 20) and erasure (Art. 17)."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinic_flow import audit
from clinic_flow.models import AuthLoginAttempt, AuthUser, MailOutbox
from clinic_flow.problems import Problem, conflict, not_found
from clinic_flow.schemas.auth import UserOut
from clinic_flow.schemas.privacy import ExportOut
from clinic_flow.security.dependencies import Principal
from clinic_flow.services import appointments as appointments_service
from clinic_flow.services import patients as patients_service
from clinic_flow.services import visit_notes as visit_notes_service
from clinic_flow.services.auth import email_key

FOREIGN_KEY_VIOLATIONS = frozenset({"23503", "23001"})
# Foreign keys with ON DELETE RESTRICT, and what they are in words: a row
# of another user that refers to the caller's rows through one of them
# blocks the erasure (records kept under a legal obligation, Art. 17(3)(b)).
RESTRICT_KEYS: dict[str, str] = {
    "fk_appointments_clinician_id_clinicians": "Appointment.clinician_id",
}


def _account(db: Session, principal: Principal) -> AuthUser:
    user = db.get(AuthUser, principal.user_id)
    if user is None:
        raise not_found()
    return user


def export(db: Session, principal: Principal) -> ExportOut:
    """The caller's account and every row they own, decrypted, in the API's shapes."""
    user = _account(db, principal)
    data: dict[str, list[dict[str, Any]]] = {
        "Patient": [
            item.model_dump(mode="json", by_alias=True)
            for item in patients_service.owned_by(db, user.id)
        ],
        "Appointment": [
            item.model_dump(mode="json", by_alias=True)
            for item in appointments_service.owned_by(db, user.id)
        ],
        "VisitNote": [
            item.model_dump(mode="json", by_alias=True)
            for item in visit_notes_service.owned_by(db, user.id)
        ],
    }
    audit.record(db, "export", principal, "account", user.id)
    db.commit()
    return ExportOut(
        account=UserOut(
            user_id=user.id, email=user.email, role=user.role, created_at=user.created_at
        ),
        data=data,
    )


def erase(db: Session, principal: Principal) -> None:
    """Erases the account, its sessions, its failed-login records and every row it owns,
    in one transaction. Audit events keep the bare user id, which names nobody once
    the account row is gone. 409, with nothing erased, when a `restrict` reference
    from a row the caller does not own still points at their data.
    """
    user = _account(db, principal)
    try:
        audit.record(db, "erasure", principal, "account", user.id)
        db.execute(
            sa.delete(AuthLoginAttempt).where(AuthLoginAttempt.email_key == email_key(user.email))
        )
        # Mail to the address, sent or not, goes too (its tokens go with the account).
        db.execute(sa.delete(MailOutbox).where(MailOutbox.recipient == user.email))
        # Rows owned through a relation, and rows with a restrict link to owned
        # rows, go first: each before the rows it refers to, children before
        # parents, so a restrict link between two rows of the caller never
        # blocks the erasure.
        visit_notes_service.delete_owned(db, user.id)
        appointments_service.delete_owned(db, user.id)
        # Owned rows and sessions go with the account (ON DELETE CASCADE);
        # a RESTRICT reference fails this statement, a NO ACTION one the commit.
        db.execute(sa.delete(AuthUser).where(AuthUser.id == user.id))
        db.commit()
    except IntegrityError as error:
        db.rollback()
        raise _blocked(error) from None


def _blocked(error: IntegrityError) -> Problem:
    sqlstate = getattr(error.orig, "sqlstate", None)
    diag = getattr(error.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None) or ""
    if sqlstate not in FOREIGN_KEY_VIOLATIONS:
        return conflict("The erasure conflicts with stored data.")
    blocker = RESTRICT_KEYS.get(constraint, "another record")
    return conflict(
        f"Your data cannot be erased: {blocker} of a record you do not own still refers to it.",
        {"account": f"referred to by {blocker}"},
    )
