"""Errors as RFC 9457 problem details (`application/problem+json`)."""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
SERVER_ERROR = "Something went wrong on our side."


class Problem(Exception):
    """An error the API answers with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers


def unauthorized(detail: str = "Sign in to continue.") -> Problem:
    """401: no live session."""
    return Problem(401, detail)


def forbidden(
    detail: str = "You may not do this.",
    errors: dict[str, str] | None = None,
) -> Problem:
    """403: the caller may not do this (`errors` names the fields, when it is about some)."""
    return Problem(403, detail, errors=errors)


def not_found(detail: str = "No such resource.") -> Problem:
    """404: nothing the caller may see is there."""
    return Problem(404, detail)


def invalid(errors: dict[str, str], detail: str = "The request is not valid.") -> Problem:
    """422 with a message per field."""
    return Problem(422, detail, errors=errors)


def conflict(detail: str, errors: dict[str, str] | None = None) -> Problem:
    """409: the change conflicts with stored data."""
    return Problem(409, detail, errors=errors)


def problem_response(
    status: int,
    detail: str,
    *,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem document response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def field_errors(error: ValidationError | RequestValidationError) -> dict[str, str]:
    """Pydantic's errors as a map from field to message."""
    errors: dict[str, str] = {}
    for item in error.errors():
        loc = [str(part) for part in item.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header", "cookie"):
            loc = loc[1:]
        key = ".".join(loc) or "body"
        message = str(item.get("msg", "is not valid"))
        errors.setdefault(key, message)
    return errors


def install(app: FastAPI) -> None:
    """Answers every error, FastAPI's and Starlette's included, with a problem document."""

    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.detail, errors=exc.errors, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(422, "The request is not valid.", errors=field_errors(exc))

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        headers = dict(exc.headers) if exc.headers else None
        return problem_response(exc.status_code, detail, headers=headers)

    @app.exception_handler(Exception)
    async def on_error(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, SERVER_ERROR)
