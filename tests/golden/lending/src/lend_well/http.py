"""Request helpers shared by the routers."""

from typing import Annotated

from fastapi import Depends, Request


async def raw_body(request: Request) -> bytes:
    """The request body, validated by the service after the access checks."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]
