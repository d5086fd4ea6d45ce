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


def category_body(n: int) -> dict[str, Any]:
    """A valid new category, without its links."""
    return {
        "name": text("name", n, 0, 80),
        "order": 0 + n % 1000001,
        "type": "physical",
    }


def product_body(n: int) -> dict[str, Any]:
    """A valid new product, without its links."""
    return {
        "title": text("title", n, 0, 120),
        "class": text("class", n, 0, 20),
        "sku": fill_digits("\U000f0041\U000f0041\U000f0041-\x00\x00\x00\x00", n),
        "price": "1.00",
        "stock": 0 + n % 1000001,
        "homepage": f"https://example.com/{n}",
        "support_phone": f"+4930{n:07d}",
        "released_at": "2030-01-15T09:30:00Z",
        "available": True,
        "external_ref": str(uuid.uuid4()),
        "attributes": {"n": n},
    }


def wish_list_body(n: int) -> dict[str, Any]:
    """A valid new wish list, without its links."""
    return {
        "label": text("label", n, 0, 60),
        "notes": text("notes", n, 0, 1000),
        "gift_email": f"person{n}@example.com",
    }


def review_body(n: int) -> dict[str, Any]:
    """A valid new review, without its links."""
    return {
        "rating": 1 + n % 5,
        "body": text("body", n, 0, 2000),
        "visited_on": "2030-01-15",
    }


def promotion_body(n: int) -> dict[str, Any]:
    """A valid new promotion, without its links."""
    return {
        "headline": text("headline", n, 0, 80),
    }


BODIES: dict[str, Callable[[int], dict[str, Any]]] = {
    "Category": category_body,
    "Product": product_body,
    "WishList": wish_list_body,
    "Review": review_body,
    "Promotion": promotion_body,
}
# Values of the fields only some callers may set: the bodies above leave them out, but for
# those a create must give.
SAMPLES: dict[tuple[str, str], Callable[[int], Any]] = {
    ("WishList", "label"): lambda n: text("label", n, 0, 60),
}
PATHS: dict[str, str] = {
    "Category": "/categories",
    "Product": "/products",
    "WishList": "/wish_lists",
    "Review": "/reviews",
    "Promotion": "/promotions",
}
OWNED: frozenset[str] = frozenset({"Product", "WishList", "Review", "Promotion"})
DIRECT: frozenset[str] = frozenset({"Product", "WishList", "Review"})
PARENTS: dict[str, list[tuple[str, str]]] = {
    "Category": [],
    "Product": [
        ("category_id", "Category"),
    ],
    "WishList": [],
    "Review": [
        ("product_id", "Product"),
    ],
    "Promotion": [
        ("product_id", "Product"),
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
