"""Errors as RFC 9457 problem details (`application/problem+json`)."""

import functools
import json
import logging
import re
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from every_type.settings import get_settings

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


HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@functools.cache
def _documented_paths(document: Path) -> list[tuple[re.Pattern[str], list[str]]]:
    """Each path of the OpenAPI document as a pattern, with the methods it lists."""
    paths = json.loads(document.read_text(encoding="utf-8")).get("paths", {})
    out = []
    for template, item in paths.items():
        pattern = re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(template))
        methods = sorted(method.upper() for method in item if method in HTTP_METHODS)
        out.append((re.compile(pattern), methods))
    return out


def allowed_methods(request: Request) -> list[str]:
    """The methods the OpenAPI document lists for the request's path, for `Allow` on a 405."""
    document = get_settings().openapi_path
    if not document.is_file():
        return []
    for pattern, methods in _documented_paths(document):
        if pattern.fullmatch(request.url.path):
            return methods
    return []


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
        if exc.status_code == 400:
            # FastAPI's answer to a body it cannot decode (not UTF-8, say): invalid
            # input like any other, so 422 as the OpenAPI document says.
            return problem_response(
                422, "The request is not valid.", errors={"body": "is not a JSON document"}
            )
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        headers = dict(exc.headers) if exc.headers else {}
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem_response(exc.status_code, detail, headers=headers or None)

    @app.exception_handler(Exception)
    async def on_error(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, SERVER_ERROR)
