"""The caller's own account: data export and erasure (GDPR Art. 15, 17, 20)."""

from fastapi import APIRouter, Response

from lend_well.schemas.privacy import ExportOut
from lend_well.security import sessions
from lend_well.security.dependencies import CurrentPrincipal, DbSession
from lend_well.services import privacy

router = APIRouter(prefix="/me", tags=["me"])


@router.get("/export", response_model=ExportOut)
def export_my_data(principal: CurrentPrincipal, db: DbSession) -> ExportOut:
    """The account and every row the caller owns."""
    return privacy.export(db, principal)


@router.delete("", status_code=204)
def erase_me(principal: CurrentPrincipal, db: DbSession) -> Response:
    """Erases the account and owned rows in one transaction (409 when a reference blocks it)."""
    privacy.erase(db, principal)
    response = Response(status_code=204)
    response.delete_cookie(sessions.SESSION_COOKIE, path="/")
    response.delete_cookie(sessions.CSRF_COOKIE, path="/")
    return response
