"""How values are answered: as the document's patterns describe them."""

import json
from decimal import Decimal

import pytest
from pydantic import TypeAdapter

from clinic_flow.schemas.types import DecimalText

ANSWERED = TypeAdapter(DecimalText)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0E-7"), "0.0000000"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("-3.55E-28"), "-0.000000000000000000000000000355"),
        (Decimal("12.50"), "12.50"),
        (Decimal("1E+3"), "1000"),
    ],
)
def test_a_decimal_is_answered_with_its_digits_written_out(value: Decimal, text: str) -> None:
    # Python writes a decimal below one millionth as `1E-7`, which the
    # document's pattern for decimals refuses.
    assert json.loads(ANSWERED.dump_json(value)) == text
