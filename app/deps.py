"""Typed dependencies: the read-only state built in the app's lifespan."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.settings import Settings, get_settings
from routing.catalogue import Catalogue


def get_catalogue(request: Request) -> Catalogue:
    """The catalogue loaded at start-up (read-only)."""
    catalogue: Catalogue = request.app.state.catalogue
    return catalogue


CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
