"""Per-request context: the request id, protective headers, the access log, last-resort errors.

Every request gets a complete answer: an error before the response starts
is answered (503 for a database fault, else 500), and one after the
response is complete is logged and swallowed.
"""

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clinic_flow import faults
from clinic_flow.context import request_id_var
from clinic_flow.problems import SERVER_ERROR, problem_response

access_log = logging.getLogger("clinic_flow.access")
error_log = logging.getLogger("clinic_flow.errors")

# A client's request id is kept when it is short and plain; else a new one is made.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
)
_OWN_HEADERS = frozenset(name for name, _ in SECURITY_HEADERS) | {b"x-request-id"}

# The admin app's pages (admin_app.py) run its own scripts and styles and call
# the API of their origin; nothing inline, nothing from elsewhere.
ADMIN_APP_CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    """The protective headers of a response to `path`: the admin app's pages get their CSP."""
    if path == "/admin" or path.startswith("/admin/"):
        return [
            (name, ADMIN_APP_CSP if name == b"content-security-policy" else value)
            for name, value in SECURITY_HEADERS
        ]
    return list(SECURITY_HEADERS)


def request_id_of(scope: Scope) -> str:
    """The client's `X-Request-ID` when it is sane, else a new UUID 4."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"x-request-id":
            try:
                text = bytes(value).decode("ascii")
            except UnicodeDecodeError:
                break
            if _SANE_REQUEST_ID.fullmatch(text):
                return text
            break
    return str(uuid.uuid4())


class RequestContextMiddleware:
    """Outermost layer: every response, errors and 404s included, gets the headers and a log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        client = scope.get("client")
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False
        response_complete = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started, response_complete
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                response_complete = True
            if message["type"] == "http.response.start":
                response_started = True
                status = int(message["status"])
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in _OWN_HEADERS
                ]
                headers.extend(security_headers(scope["path"]))
                headers.append((b"x-request-id", request_id.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as error:
            if response_complete:
                # The client has its whole answer; what failed after (a
                # session's cleanup) is logged, never raised into the server.
                error_log.warning(
                    "error after the response on %s %s",
                    scope["method"],
                    scope["path"],
                    exc_info=error,
                )
            elif response_started:
                # Half an answer cannot be mended: the server closes the connection.
                error_log.error(
                    "error during the response on %s %s",
                    scope["method"],
                    scope["path"],
                    exc_info=error,
                )
                raise
            elif faults.is_unavailable(error):
                faults.log_unavailable(error, scope["method"], scope["path"])
                await faults.unavailable_response()(scope, receive, send_with_headers)
            else:
                error_log.error(
                    "unhandled error on %s %s", scope["method"], scope["path"], exc_info=error
                )
                await problem_response(500, SERVER_ERROR)(scope, receive, send_with_headers)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            access_log.info(
                "%s %s %d",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": duration_ms,
                    "client": str(client[0]) if client else "unknown",
                },
            )
            request_id_var.reset(token)
