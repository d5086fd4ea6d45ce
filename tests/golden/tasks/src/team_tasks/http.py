"""Request and answer helpers shared by the routers."""

from typing import Annotated

from fastapi import Depends, Request, Response
from pydantic import BaseModel


async def raw_body(request: Request) -> bytes:
    """The request body as sent: what the typed bodies of the entity routes are read
    from, once the access checks have passed, and what an `Idempotency-Key` and a
    webhook's signature are bound to."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]


def answer(item: BaseModel, status_code: int = 200) -> Response:
    """The item as the JSON answer, written in the endpoint's own thread.

    The services build every answer through its model, so the item is valid
    already. Returned as a model, FastAPI would validate a sync endpoint's
    answer against the route's `response_model` once more, in a second trip
    through the thread pool. The fields left unset (those the caller may not
    read) are left out, as `response_model_exclude_unset=True` would.
    """
    return Response(
        item.model_dump_json(by_alias=True, exclude_unset=True),
        status_code=status_code,
        media_type="application/json",
    )
