"""The sea room: the land raster, passages and seasons (from ``data/sea``), the graph's
build and cache, and the router's search."""

from routing.sea.graph import PortSite, SeaGraph
from routing.sea.passages import Passage, SeaData, load_sea_data
from routing.sea.router import Route, SeaRouter, load_sea_router

__all__ = [
    "Passage",
    "PortSite",
    "Route",
    "SeaData",
    "SeaGraph",
    "SeaRouter",
    "load_sea_data",
    "load_sea_router",
]
