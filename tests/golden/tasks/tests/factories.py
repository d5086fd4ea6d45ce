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


def project_body(n: int) -> dict[str, Any]:
    """A valid new project, without its links."""
    return {
        "name": text("name", n, 0, 120),
        "summary": text("summary", n, 0, 1000),
        "archived": True,
    }


def task_body(n: int) -> dict[str, Any]:
    """A valid new task, without its links."""
    return {
        "title": text("title", n, 0, 200),
        "details": text("details", n, 0, 1000),
        "priority": "low",
        "due_on": "2030-01-15",
        "estimate_hours": "1.00",
        "done": True,
    }


def label_body(n: int) -> dict[str, Any]:
    """A valid new label, without its links."""
    return {
        "name": text("name", n, 0, 40),
        "color": fill_digits("#\x00\x00\x00\x00\x00\x00", n),
    }


BODIES: dict[str, Callable[[int], dict[str, Any]]] = {
    "Project": project_body,
    "Task": task_body,
    "Label": label_body,
}
SAMPLES: dict[tuple[str, str], Callable[[int], Any]] = {}
PATHS: dict[str, str] = {
    "Project": "/projects",
    "Task": "/tasks",
    "Label": "/labels",
}
OWNED: frozenset[str] = frozenset({"Project", "Task"})
DIRECT: frozenset[str] = frozenset({"Project", "Task"})
PARENTS: dict[str, list[tuple[str, str]]] = {
    "Project": [],
    "Task": [
        ("project_id", "Project"),
    ],
    "Label": [],
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
