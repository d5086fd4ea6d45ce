"""Filters: a value that does not fit its field is 422 naming the field, never a database error.

Every filterable field of every entity, against PostgreSQL: values out of the
column's range, not finite, bad dates and times, not UUIDs, NUL characters.
"""

from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa

from team_tasks import models
from team_tasks.db import get_sessionmaker
from team_tasks.pagination import Column, ListQuery, integer_bounds, paginate
from team_tasks.problems import Problem
from team_tasks.services import (
    labels,
    projects,
    tasks,
)

SERVICES: dict[str, tuple[Any, ModuleType]] = {
    "Project": (models.Project, projects),
    "Task": (models.Task, tasks),
    "Label": (models.Label, labels),
}


def misfits(target: Column) -> list[str]:
    """Query values of the column's kind that it cannot hold."""
    sql_type = target.attribute.type
    bounds = integer_bounds(sql_type)
    if bounds is not None:
        low, high = bounds
        return [str(high + 1), str(low - 1), "99999999999999999999", "1.5", "x"]
    if isinstance(sql_type, sa.Numeric):
        whole = (sql_type.precision or 1000) - (sql_type.scale or 0)
        return ["NaN", "Infinity", "-Infinity", f"1e{whole}", "1e1000000", "x"]
    if isinstance(sql_type, sa.Boolean):
        return ["yes", "1"]
    if isinstance(sql_type, sa.DateTime):
        return ["2024-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "2024-02-30T00:00:00Z", "x"]
    if isinstance(sql_type, sa.Date):
        return ["2024-02-30", "2024-13-01", "x"]
    if isinstance(sql_type, sa.Uuid):
        return ["not-a-uuid", "1234"]
    return ["a\x00b"]


def fits(target: Column) -> list[str]:
    """Extreme values the column does hold."""
    bounds = integer_bounds(target.attribute.type)
    if bounds is not None:
        return [str(bounds[0]), str(bounds[1])]
    return []


def cases(values: Any) -> list[Any]:
    return [
        pytest.param(entity, name, value, id=f"{entity}.{name}={value!r}")
        for entity, (_, service) in SERVICES.items()
        for name, target in service.FILTERS.items()
        for value in values(target)
    ]


def page(entity: str, name: str, value: str) -> None:
    model, service = SERVICES[entity]
    with get_sessionmaker()() as db:
        paginate(
            db,
            sa.select(model.__table__),
            id_column=model.id,
            query=ListQuery(filters={name: value}),
            sortable=service.SORTABLE,
            filters=service.FILTERS,
        )


def test_every_entity_is_covered() -> None:
    assert SERVICES


@pytest.mark.parametrize(("entity", "name", "value"), cases(misfits))
def test_a_value_that_does_not_fit_is_422_naming_the_field(
    entity: str, name: str, value: str
) -> None:
    with pytest.raises(Problem) as raised:
        page(entity, name, value)
    assert raised.value.status == 422
    assert raised.value.errors is not None
    assert name in raised.value.errors


def test_the_extremes_of_each_column_are_queried() -> None:
    for entity, (_, service) in SERVICES.items():
        for name, target in service.FILTERS.items():
            for value in fits(target):
                page(entity, name, value)
