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


def gadget_body(n: int) -> dict[str, Any]:
    """A valid new gadget, without its links."""
    return {
        "opt_string": text("opt_string", n, 0, 255),
        "req_string": text("req_string", n, 0, 255),
        "opt_text": text("opt_text", n, 0, 1000),
        "req_text": text("req_text", n, 0, 1000),
        "opt_integer": 0 + n % 1000001,
        "req_integer": 0 + n % 1000001,
        "opt_bigint": 0 + n % 1000001,
        "req_bigint": 0 + n % 1000001,
        "opt_decimal": "1.00",
        "req_decimal": "1.00",
        "opt_boolean": True,
        "req_boolean": True,
        "opt_date": "2030-01-15",
        "req_date": "2030-01-15",
        "opt_datetime": "2030-01-15T09:30:00Z",
        "req_datetime": "2030-01-15T09:30:00Z",
        "opt_uuid": str(uuid.uuid4()),
        "req_uuid": str(uuid.uuid4()),
        "opt_email": f"person{n}@example.com",
        "req_email": f"person{n}@example.com",
        "opt_url": f"https://example.com/{n}",
        "req_url": f"https://example.com/{n}",
        "opt_phone": f"+4930{n:07d}",
        "req_phone": f"+4930{n:07d}",
        "opt_json": {"n": n},
        "req_json": {"n": n},
        "kind": "small",
        "code": fill_digits("\x00\x00\x00-\x00\x00\x00", n),
        "mark": 'say"hi"',
    }


def part_body(n: int) -> dict[str, Any]:
    """A valid new part, without its links."""
    return {
        "name": text("name", n, 2, 30),
        "weight": "1.000",
        "count": -5 + n % 11,
        "secret_text": text("secret_text", n, 0, 1000),
        "secret_count": 0 + n % 1000001,
        "secret_amount": "1.00",
        "secret_flag": True,
        "secret_on": "2030-01-15",
        "secret_at": "2030-01-15T09:30:00Z",
        "secret_ref": str(uuid.uuid4()),
        "secret_data": {"n": n},
        "secret_code": text("secret_code", n, 0, 20),
    }


BODIES: dict[str, Callable[[int], dict[str, Any]]] = {
    "Gadget": gadget_body,
    "Part": part_body,
}
SAMPLES: dict[tuple[str, str], Callable[[int], Any]] = {}
PATHS: dict[str, str] = {
    "Gadget": "/gadgets",
    "Part": "/parts",
}
OWNED: frozenset[str] = frozenset({"Gadget", "Part"})
DIRECT: frozenset[str] = frozenset({"Gadget"})
PARENTS: dict[str, list[tuple[str, str]]] = {
    "Gadget": [],
    "Part": [
        ("gadget_this_part_is_fitted_to_id", "Gadget"),
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
