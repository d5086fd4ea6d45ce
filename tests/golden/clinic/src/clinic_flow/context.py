"""Per-request context shared by the middleware, the logs and the audit trail."""

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the request being served (`X-Request-ID`), or `None` outside a request."""
