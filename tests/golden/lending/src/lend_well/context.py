"""Per-request context that code deep in a call can read without passing it along."""

from contextvars import ContextVar

# The id of the request being served (the `X-Request-ID` the middleware
# echoes or creates); `None` outside a request, such as in `make retention`.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
