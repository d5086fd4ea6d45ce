"""Liveness and readiness probes, and the API document."""

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from lend_well.db import get_engine
from lend_well.problems import not_found, problem_response
from lend_well.settings import Settings, get_settings

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """200 while the process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz() -> dict[str, str] | JSONResponse:
    """200 when the database answers, 503 otherwise."""
    try:
        with get_engine().connect() as connection:
            connection.execute(sa.select(1))
    except SQLAlchemyError:
        return problem_response(503, "The database does not answer.")
    return {"status": "ok"}


@router.get("/openapi.json", include_in_schema=False)
def openapi_document(settings: Annotated[Settings, Depends(get_settings)]) -> FileResponse:
    """The OpenAPI 3.1 document of this API, shipped in `docs/openapi.json`."""
    if not settings.openapi_path.is_file():
        raise not_found("The API document is not there.")
    return FileResponse(settings.openapi_path, media_type="application/json")
