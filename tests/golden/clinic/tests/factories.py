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


def patient_body(n: int) -> dict[str, Any]:
    """A valid new patient, without its links."""
    return {
        "full_name": text("full_name", n, 0, 255),
        "email": f"person{n}@example.com",
        "date_of_birth": "2030-01-15",
        "phone": f"+4930{n:07d}",
        "insurance_number": text("insurance_number", n, 0, 40),
    }


def clinician_body(n: int) -> dict[str, Any]:
    """A valid new clinician, without its links."""
    return {
        "display_name": text("display_name", n, 0, 255),
        "specialty": "general",
        "accepting_patients": True,
    }


def appointment_body(n: int) -> dict[str, Any]:
    """A valid new appointment, without its links."""
    return {
        "starts_at": "2030-01-15T09:30:00Z",
        "duration_minutes": 5 + n % 236,
        "status": "requested",
        "reason": text("reason", n, 0, 1000),
    }


def visit_note_body(n: int) -> dict[str, Any]:
    """A valid new visit note, without its links."""
    return {
        "body": text("body", n, 0, 1000),
        "diagnosis_code": fill_digits("\U000f0041\x00\x00.\x00\x00\x00", n),
    }


BODIES: dict[str, Callable[[int], dict[str, Any]]] = {
    "Patient": patient_body,
    "Clinician": clinician_body,
    "Appointment": appointment_body,
    "VisitNote": visit_note_body,
}
# Values of the fields only some callers may set: the bodies above leave them out, but for
# those a create must give.
SAMPLES: dict[tuple[str, str], Callable[[int], Any]] = {
    ("Appointment", "deposit_cents"): lambda n: 0 + n % 100001,
    ("Appointment", "deposit_paid"): lambda n: True,
}
PATHS: dict[str, str] = {
    "Patient": "/patients",
    "Clinician": "/clinicians",
    "Appointment": "/appointments",
    "VisitNote": "/visit_notes",
}
OWNED: frozenset[str] = frozenset({"Patient", "Appointment", "VisitNote"})
DIRECT: frozenset[str] = frozenset({"Patient"})
PARENTS: dict[str, list[tuple[str, str]]] = {
    "Patient": [],
    "Clinician": [],
    "Appointment": [
        ("patient_id", "Patient"),
        ("clinician_id", "Clinician"),
    ],
    "VisitNote": [
        ("appointment_id", "Appointment"),
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
