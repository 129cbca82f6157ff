"""API keys (admin) and who the caller is (anyone)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, Field

from app.auth import AsAdmin, AsViewer
from app.deps import StoreDep
from routing.limits import MAX_ID

router = APIRouter(tags=["access"])

KeyId = Annotated[int, Path(ge=1, le=MAX_ID, description="API key id.", examples=[1])]
Role = Literal["viewer", "planner", "admin"]


class Caller(BaseModel):
    """The caller of this request, as the service sees it."""

    name: str = Field(description="Owner name of what this caller saves.", examples=["alice"])
    role: Role
    via: Literal["key", "oidc", "local", "open"] = Field(
        description=(
            "key: an API key; oidc: an identity provider's token; local: no credentials, "
            "on this machine; open: anonymous reader."
        )
    )


class NewKey(BaseModel):
    """An API key to make."""

    name: str = Field(
        min_length=1, max_length=100, description="Whom it is for.", examples=["alice"]
    )
    role: Role = Field(description="What it may do.", examples=["planner"])


class KeyRecord(BaseModel):
    """An API key's record (never its secret)."""

    id: int
    name: str
    role: Role
    prefix: str = Field(description="The key's first characters, to recognise it.")
    created_at: str
    created_by: str
    revoked_at: str | None


class CreatedKey(KeyRecord):
    """A new key's record and its secret, shown this once."""

    key: str = Field(description="The secret: send it as Authorization: Bearer <key>.")


class KeyPage(BaseModel):
    """A page of API keys."""

    count: int
    limit: int
    offset: int
    keys: list[KeyRecord]


@router.get("/me", response_model=Caller, summary="Who the service takes you for")
def whoami(caller: AsViewer) -> dict[str, Any]:
    """Your name, role and how you were recognised."""
    return {"name": caller.name, "role": caller.role, "via": caller.via}


@router.get("/keys", response_model=KeyPage, summary="API keys (admin)")
def list_keys(
    store: StoreDep,
    _: AsAdmin,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size.", examples=[100])] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Keys to skip.", examples=[0])] = 0,
) -> dict[str, Any]:
    """Every key made, oldest first, revoked ones included."""
    return {
        "count": store.count_keys(),
        "limit": limit,
        "offset": offset,
        "keys": store.list_keys(limit, offset),
    }


@router.post("/keys", status_code=201, response_model=CreatedKey, summary="Make an API key (admin)")
def create_key(
    store: StoreDep, caller: AsAdmin, body: Annotated[NewKey, Body()], response: Response
) -> dict[str, Any]:
    """A new key; its secret is in this answer only (the service keeps its hash)."""
    made = store.create_key(body.name, body.role, created_by=caller.name)
    response.headers["Location"] = f"/keys/{made['id']}"
    response.headers["Cache-Control"] = "no-store"
    return made


@router.delete("/keys/{key_id}", response_model=KeyRecord, summary="Revoke an API key (admin)")
def revoke_key(store: StoreDep, _: AsAdmin, key_id: KeyId) -> dict[str, Any]:
    """The key stops working at once; its record stays."""
    return store.revoke_key(key_id)
