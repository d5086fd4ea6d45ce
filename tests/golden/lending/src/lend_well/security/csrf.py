"""CSRF protection: state-changing requests with a session carry its token in a header."""

import secrets

from fastapi import Request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEADER = "X-CSRF-Token"


def is_valid(request: Request, expected: str) -> bool:
    """Whether the request is safe, or carries the session's CSRF token in `X-CSRF-Token`."""
    if request.method in SAFE_METHODS:
        return True
    sent = request.headers.get(HEADER, "")
    return secrets.compare_digest(sent.encode(), expected.encode())
