"""Valid request bodies for every entity, and rows made through the API."""

import itertools
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from tests.conftest import Api

# One counter per entity: the rows of an entity made one after another get
# consecutive numbers, so their unique values differ.
_numbers: dict[str, Iterator[int]] = {}


def text(name: str, n: int, min_length: int, max_length: int) -> str:
    """A distinct text value that fits the field's length bounds."""
    value = f"{name}-{n}"
    if len(value) < min_length:
        value = value.ljust(min_length, "x")
    return value[-max_length:] if len(value) > max_length else value


def marker_base(char: str) -> str | None:
    """The first of the ten characters a position marker stands for: NUL for `0`-`9`, U+F00xx for
    the ten from U+00xx."""
    if char == "\0":
        return "0"
    if 0xF0000 <= ord(char) < 0xF0080:
        return chr(ord(char) - 0xF0000)
    return None


def fill_digits(template: str, n: int) -> str:
    """The template with each position marker replaced by a digit of `n`, rightmost first."""
    count = sum(1 for char in template if marker_base(char) is not None)
    digits = iter(str(n).zfill(count)[-count:])
    out = []
    for char in template:
        base = marker_base(char)
        out.append(char if base is None else chr(ord(base) + int(next(digits))))
    return "".join(out)


def applicant_body(n: int) -> dict[str, Any]:
    """A valid new applicant, without its links."""
    return {
        "full_name": text("full_name", n, 0, 255),
        "email": f"person{n}@example.com",
        "date_of_birth": "2030-01-15",
        "phone": f"+4930{n:07d}",
        "annual_income": "1.00",
    }


def loan_application_body(n: int) -> dict[str, Any]:
    """A valid new loan application, without its links."""
    return {
        "amount": "500.00",
        "term_months": 6 + n % 79,
        "purpose": "car",
        "status": "draft",
    }


def repayment_body(n: int) -> dict[str, Any]:
    """A valid new repayment, without its links."""
    return {
        "due_on": "2030-01-15",
        "amount_cents": 100 + n % 4999901,
        "state": "scheduled",
        "paid_at": "2030-01-15T09:30:00Z",
    }


BODIES: dict[str, Callable[[int], dict[str, Any]]] = {
    "Applicant": applicant_body,
    "LoanApplication": loan_application_body,
    "Repayment": repayment_body,
}
# Values of the fields only some callers may set: the bodies above leave them out, but for
# those a create must give.
SAMPLES: dict[tuple[str, str], Callable[[int], Any]] = {
    ("LoanApplication", "risk_score"): lambda n: 0 + n % 1001,
    ("Repayment", "amount_cents"): lambda n: 100 + n % 4999901,
}
PATHS: dict[str, str] = {
    "Applicant": "/applicants",
    "LoanApplication": "/loan_applications",
    "Repayment": "/repayments",
}
OWNED: frozenset[str] = frozenset({"Applicant", "LoanApplication", "Repayment"})
DIRECT: frozenset[str] = frozenset({"Applicant"})
PARENTS: dict[str, list[tuple[str, str]]] = {
    "Applicant": [],
    "LoanApplication": [
        ("applicant_id", "Applicant"),
    ],
    "Repayment": [
        ("loan_id", "LoanApplication"),
    ],
}


def body_for(api: Api, entity: str, owner_id: str | None = None) -> dict[str, Any]:
    """A valid body, creating the parents it needs as `api` (an admin) owned by `owner_id`."""
    body = BODIES[entity](next(_numbers.setdefault(entity, itertools.count(1))))
    for key, parent in PARENTS[entity]:
        body[key] = make(api, parent, owner_id=owner_id)["id"]
    return body


def make(
    api: Api,
    entity: str,
    owner_id: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """Creates a row as `api` (an admin) and returns it; `owner_id` sets its owner.

    A row owned through a relation gets its owner from the parent made for it.
    """
    body = body_for(api, entity, owner_id)
    if owner_id is not None and entity in DIRECT:
        body["owner_id"] = owner_id
    body.update(overrides)
    response = api.post(PATHS[entity], json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def unknown_id() -> str:
    """An id no row has."""
    return str(uuid.uuid4())
