"""Liveness and readiness probes, and the API document."""

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from lend_well import faults
from lend_well.db import get_db
from lend_well.problems import not_found
from lend_well.settings import Settings, app_settings

router = APIRouter(tags=["health"])

# Milliseconds the readiness query may take.
READY_QUERY_TIMEOUT_MS = 2000


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """200 while the process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(
    request: Request, db: Annotated[Session, Depends(get_db)]
) -> dict[str, str] | JSONResponse:
    """200 when requests can be served, 503 (with `Retry-After`) otherwise.

    The probe takes its connection the way a request does, from the same
    bounded pool: when none comes within `DB_POOL_TIMEOUT`, or the query
    does not answer within `READY_QUERY_TIMEOUT_MS`, the process is not ready.
    """
    try:
        db.execute(
            sa.select(sa.func.set_config("statement_timeout", str(READY_QUERY_TIMEOUT_MS), True))
        )
        db.execute(sa.select(1))
    except SQLAlchemyError as error:
        faults.log_unavailable(error, request.method, request.url.path)
        return faults.unavailable_response()
    return {"status": "ok"}


@router.get("/openapi.json", include_in_schema=False)
def openapi_document(settings: Annotated[Settings, Depends(app_settings)]) -> FileResponse:
    """The OpenAPI 3.1 document of this API, shipped in `docs/openapi.json`."""
    if not settings.openapi_path.is_file():
        raise not_found("The API document is not there.")
    return FileResponse(settings.openapi_path, media_type="application/json")
