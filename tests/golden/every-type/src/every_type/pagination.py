"""Lists: cursor pagination stable under inserts, sorting and equality filters."""

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.orm import ColumnProperty, InstrumentedAttribute

from every_type.db import Reader
from every_type.problems import invalid
from every_type.schemas.types import TEXT_RULE, refused_text
from every_type.settings import get_settings

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
RESERVED_PARAMETERS = frozenset({"limit", "cursor", "sort"})

# The shapes query values must have, as the OpenAPI document states them.
WHOLE_NUMBER = re.compile(r"[0-9]+")
INTEGER = re.compile(r"-?[0-9]+")
DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})"
)
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass(frozen=True)
class ListQuery:
    """The paging, sorting and filtering a client asked for."""

    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    sort: str = "created_at"
    filters: dict[str, str] = field(default_factory=dict)


def table_column(attribute: InstrumentedAttribute[Any]) -> sa.Column[Any]:
    """The table's column behind a mapped attribute.

    A statement of table columns is a Core statement: SQLAlchemy runs it
    without the ORM's per-statement work (a statement naming mapped
    attributes is run through the ORM even when it selects plain columns).
    """
    prop = cast(ColumnProperty[Any], attribute.property)
    return cast(sa.Column[Any], prop.columns[0])


def read_row(columns: Sequence[InstrumentedAttribute[Any]]) -> tuple[sa.Label[Any], ...]:
    """`columns` as table columns labelled by attribute: rows keyed as the mapped class is."""
    return tuple(table_column(column).label(column.key) for column in columns)


@dataclass(frozen=True)
class Column:
    """A column lists may sort or filter by, and how its query values read."""

    attribute: InstrumentedAttribute[Any]
    parse: Callable[[str], Any]

    @property
    def table(self) -> sa.Column[Any]:
        """The table's column behind `attribute`, which lists query."""
        return table_column(self.attribute)


async def list_query(request: Request) -> ListQuery:
    """Reads `limit`, `cursor`, `sort` and the filters from the query string.

    Every value is text a client sent: one holding a NUL character or an unpaired
    surrogate is refused here, once for every list (422 naming the parameter).
    """
    params = request.query_params
    refused = {name: TEXT_RULE for name, raw in params.multi_items() if refused_text(raw)}
    if refused:
        raise invalid(refused)
    raw_limit = params.get("limit")
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        if not WHOLE_NUMBER.fullmatch(raw_limit) or not 1 <= int(raw_limit) <= MAX_LIMIT:
            raise invalid({"limit": f"must be a whole number from 1 to {MAX_LIMIT}"})
        limit = int(raw_limit)
    filters = {k: v for k, v in params.items() if k not in RESERVED_PARAMETERS}
    return ListQuery(
        limit=limit,
        cursor=params.get("cursor"),
        sort=params.get("sort", "created_at"),
        filters=filters,
    )


def parse_text(raw: str) -> str:
    if refused_text(raw):
        raise ValueError(TEXT_RULE)
    return raw


def parse_integer(raw: str) -> int:
    if not INTEGER.fullmatch(raw):
        raise ValueError("must be a whole number")
    return int(raw)


def parse_decimal(raw: str) -> Decimal:
    if not DECIMAL.fullmatch(raw):
        raise ValueError("must be a decimal number, such as 12.50")
    return Decimal(raw)


def parse_boolean(raw: str) -> bool:
    if raw not in ("true", "false"):
        raise ValueError("must be true or false")
    return raw == "true"


def parse_date(raw: str) -> dt.date:
    if not DATE.fullmatch(raw):
        raise ValueError("must be a date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValueError("must be a date (YYYY-MM-DD)") from None


def parse_datetime(raw: str) -> dt.datetime:
    if not DATETIME.fullmatch(raw):
        raise ValueError("must be a date and time (RFC 3339, with an offset)")
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError("must be a date and time (ISO 8601 with an offset)") from None
    if value.tzinfo is None:
        raise ValueError("must have a time zone offset")
    try:
        # PostgreSQL compares in UTC: a value that does not exist there does not fit.
        value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("is out of range") from None
    return value


def parse_uuid(raw: str) -> uuid.UUID:
    if not UUID.fullmatch(raw):
        raise ValueError("must be a UUID")
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise ValueError("must be a UUID") from None


PARSERS: dict[str, Callable[[str], Any]] = {
    "text": parse_text,
    "integer": parse_integer,
    "decimal": parse_decimal,
    "boolean": parse_boolean,
    "date": parse_date,
    "datetime": parse_datetime,
    "uuid": parse_uuid,
}


def integer_bounds(sql_type: sa.types.TypeEngine[Any]) -> tuple[int, int] | None:
    """The values an integer column holds (int16, int32 or int64), else None."""
    if isinstance(sql_type, sa.SmallInteger):
        bits = 16
    elif isinstance(sql_type, sa.BigInteger):
        bits = 64
    elif isinstance(sql_type, sa.Integer):
        bits = 32
    else:
        return None
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def _fitted(
    parse: Callable[[str], Any], sql_type: sa.types.TypeEngine[Any]
) -> Callable[[str], Any]:
    """`parse`, refusing values the column cannot hold, so PostgreSQL never sees them."""
    bounds = integer_bounds(sql_type)
    if bounds is not None:
        low, high = bounds

        def parse_in_range(raw: str) -> Any:
            value = parse(raw)
            if not low <= value <= high:
                raise ValueError(f"must be a whole number from {low} to {high}")
            return value

        return parse_in_range
    if isinstance(sql_type, sa.Numeric) and sql_type.precision is not None:
        whole_digits = sql_type.precision - (sql_type.scale or 0)
        limit = Decimal(10) ** whole_digits

        def parse_numeric(raw: str) -> Any:
            value = parse(raw)
            if abs(value) >= limit:
                raise ValueError(f"must be less than {limit:f} in absolute value")
            return value

        return parse_numeric
    return parse


def column(attribute: InstrumentedAttribute[Any], kind: str) -> Column:
    """A sortable or filterable column whose query values are of this kind.

    A value that does not fit the column (out of its range, not finite, a bad
    date, not a UUID) is a ValueError, which lists answer with 422 naming the
    field, never a database error.
    """
    return Column(attribute=attribute, parse=_fitted(PARSERS[kind], attribute.type))


def _format(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _signature(payload: bytes) -> bytes:
    key = get_settings().secret_key.encode()
    return hmac.new(key, b"cursor:" + payload, hashlib.sha256).digest()[:16]


def encode_cursor(sort: str, value: Any, row_id: uuid.UUID) -> str:
    """An opaque, signed cursor pointing after a row."""
    payload = json.dumps([sort, _format(value), str(row_id)], separators=(",", ":")).encode()
    return ".".join(
        base64.urlsafe_b64encode(part).decode().rstrip("=")
        for part in (payload, _signature(payload))
    )


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def decode_cursor(cursor: str, sort: str, parse: Callable[[str], Any]) -> tuple[Any, uuid.UUID]:
    """The sort value and id a cursor points after (422 for a cursor we did not issue)."""
    try:
        encoded_payload, encoded_signature = cursor.split(".")
        payload = _unb64(encoded_payload)
        if not hmac.compare_digest(_unb64(encoded_signature), _signature(payload)):
            raise ValueError("bad signature")
        cursor_sort, raw_value, raw_id = json.loads(payload)
        if cursor_sort != sort:
            raise ValueError("another sort")
        value = None if raw_value is None else parse(raw_value)
        return value, uuid.UUID(raw_id)
    except (ValueError, TypeError, binascii.Error):
        raise invalid({"cursor": "is not a cursor this list issued"}) from None


def paginate(
    db: Reader,
    statement: sa.Select[Any],
    *,
    id_column: InstrumentedAttribute[uuid.UUID],
    query: ListQuery,
    sortable: Mapping[str, Column],
    filters: Mapping[str, Column],
) -> tuple[Sequence[sa.Row[Any]], str | None]:
    """One page of rows and the cursor of the next page (`None` on the last).

    `statement` selects table columns labelled by attribute (`read_row`): a
    page is read as rows, keyed as the mapped class is, and no mapped object
    is built for it; it may run on a connection (`db.reading`).
    """
    errors: dict[str, str] = {}
    descending = query.sort.startswith("-")
    sort_name = query.sort.removeprefix("-")
    sort = sortable.get(sort_name)
    if sort is None:
        errors["sort"] = "must be one of: " + ", ".join(sorted(sortable))
    for name, raw in query.filters.items():
        target = filters.get(name)
        if target is None:
            errors[name] = "is not a field lists can be filtered by"
            continue
        try:
            statement = statement.where(target.table == target.parse(raw))
        except (ValueError, ArithmeticError) as error:
            errors[name] = str(error) or "is not a valid value"
    if errors or sort is None:
        raise invalid(errors)

    sort_column = sort.table
    id_table = table_column(id_column)
    if descending:
        order = [sort_column.desc().nulls_last(), id_table.desc()]
    else:
        order = [sort_column.asc().nulls_last(), id_table.asc()]
    if query.cursor is not None:
        value, last_id = decode_cursor(query.cursor, query.sort, sort.parse)
        after_id = id_table < last_id if descending else id_table > last_id
        if value is None:
            statement = statement.where(sort_column.is_(None), after_id)
        else:
            after_value = sort_column < value if descending else sort_column > value
            statement = statement.where(
                sa.or_(
                    after_value,
                    sa.and_(sort_column == value, after_id),
                    sort_column.is_(None),
                )
            )
    rows = db.execute(statement.order_by(*order).limit(query.limit + 1)).all()
    if len(rows) <= query.limit:
        return rows, None
    page = rows[: query.limit]
    last = page[-1]
    next_cursor = encode_cursor(
        query.sort,
        getattr(last, sort.attribute.key),
        getattr(last, id_column.key),
    )
    return page, next_cursor
