"""Interactive maps over HTTP: the catalogue, a route and a plan as HTML pages.

Each map endpoint takes exactly the parameters of its JSON twin, because it uses
that endpoint's function as a dependency: ``GET /maps/catalogue`` answers what
``GET /facilities`` answers, ``GET /maps/route`` what ``GET /routes`` answers,
``POST /maps/plan`` what ``POST /plans`` answers and ``POST /maps/compare`` what
``POST /compare`` answers, drawn by :mod:`maps`. Errors are
the same JSON errors. The pages load their scripts from ``/static`` (see
:func:`mount_static`), so they work with no internet unless ``tiles=osm`` is asked.

Every map has a Save button for its standalone file (``download=true``): a GET map's
is a link to its own address; a map answered to a POST carries the body it was
posted (:func:`maps.with_request`), which the button posts again.

The :mod:`maps` package (folium, and pandas under it) is imported by the first map or
asset asked for, not when the server starts: most servers answer JSON only.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.answers import JSONAnswer
from app.compute import Compute
from app.deps import CatalogueDep, ComputeDep, StoreDep
from app.routers import catalogue as catalogue_api
from app.routers import compare as compare_api
from app.routers import plans as plans_api
from app.routers import reach as reach_api
from app.routers import routes as routes_api
from routing.catalogue.query import opened_by
from routing.errors import InvalidInputError
from routing.plan.impact import ImpactSpec

router = APIRouter(tags=["maps"])

STATIC_PREFIX = "/static"

TilesQ = Annotated[
    Literal["offline", "osm"],
    Query(
        description=(
            "Base layer: `offline` land and sea (no internet needed), or `osm` to also "
            "offer OpenStreetMap tiles (the browser then fetches them from the internet)."
        ),
        examples=["offline"],
    ),
]

HTML_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}, "description": "An interactive map (HTML page)."}
}


def _static_url(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/") + STATIC_PREFIX


DownloadQ = Annotated[
    bool,
    Query(
        description=(
            "Return the map as one self-contained file to keep or send (scripts, styles and "
            "the offline base map inlined), with a Content-Disposition filename."
        ),
        examples=[True],
    ),
]


def _page(request: Request, m: Any, *, download: bool = False, name: str = "map") -> HTMLResponse:
    """The map as a page that loads its assets from ``/static``, or, with ``download``, as
    a standalone file that needs no server."""
    from maps import to_html

    if not download:
        return _html(to_html(m, standalone=False, static_url=_static_url(request)))
    return _html(to_html(m, standalone=True), download=True, name=name)


def _html(page: str, *, download: bool = False, name: str = "map") -> HTMLResponse:
    """A page as an answer; with ``download``, as a file named after ``name``."""
    if not download:
        return HTMLResponse(page)
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80] or "map"
    return HTMLResponse(
        page, headers={"Content-Disposition": f'attachment; filename="relos-{stem}.html"'}
    )


#: Query parameters a map's Save does not send again: ``save`` (the plan was saved once,
#: with the page) and ``download`` (always ``true`` for the file).
NOT_REPEATED = frozenset({"save", "download"})


async def posted_body(request: Request) -> bytes:
    """The body of this request as it came (read once by FastAPI, kept by Starlette)."""
    return await request.body()


PostedBody = Annotated[bytes, Depends(posted_body)]


def _save_query(request: Request) -> str:
    """The query to post a map's body again with for its standalone file: the page's
    own, without what must not happen twice (:data:`NOT_REPEATED`), and ``download=true``."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in NOT_REPEATED]
    return urlencode([*kept, ("download", "true")])


def _computed_page(
    request: Request,
    compute: Compute,
    kind: str,
    answer: Any,
    *,
    tiles: str,
    download: bool,
    name: str,
    title: str = "",
    posted: bytes | None = None,
) -> HTMLResponse:
    """A route, plan or comparison map, drawn where heavy work runs (app/compute.py).

    ``posted``: the body of the POST the map answers; the page (not the standalone
    file, which is already the one to keep) carries it for its Save button.
    """
    page = compute.map_page(
        kind,
        answer,
        online_tiles=tiles == "osm",
        standalone=download,
        static_url=_static_url(request),
        title=title,
    )
    if posted is not None and not download:
        try:
            text = posted.decode("utf-8")
        except UnicodeDecodeError:
            text = None  # not the JSON the handler took: no Save rather than a wrong one
        if text is not None:
            from maps import with_request

            page = with_request(page, query=_save_query(request), body=text)
    return _html(page, download=download, name=name)


def _end_id(end: Any) -> str:
    """A plan's or route's end as a short name for a file: its facility id."""
    if isinstance(end, dict):
        return str(end.get("facility_id") or end.get("id") or "point")
    return str(end or "")


@router.get(
    "/maps/catalogue",
    response_class=HTMLResponse,
    responses=HTML_RESPONSES,
    summary="The facilities of a catalogue query on an interactive map",
)
def catalogue_map(
    request: Request,
    catalogue: CatalogueDep,
    listed: Annotated[JSONAnswer, Depends(catalogue_api.list_facilities)],
    tiles: TilesQ = "offline",
    download: DownloadQ = False,
) -> HTMLResponse:
    """The `GET /facilities` answer (same filters) as clustered markers, with layers by
    country, kind and agreement; popups give services, limits, sources and, with
    `usable_by`, the agreement that opens each facility."""
    answer = listed.data
    features = answer["features"]
    for feature in features:
        fac = catalogue.facilities.get(str(feature.get("id")))
        if fac is not None:
            feature["properties"]["opened_by_agreements"] = sorted(
                a.id for a in catalogue.agreements.values() if opened_by(a, fac)
            )
    usable_by = request.query_params.get("usable_by")
    nation = usable_by.strip().upper() if usable_by else None
    title = f"{answer['numberMatched']} facilities"
    if nation:
        title += f" usable by {nation} on {answer.get('date')}"
    if answer["numberReturned"] < answer["numberMatched"]:
        title += f" (showing {answer['numberReturned']})"
    from maps import render_catalogue

    m = render_catalogue(
        features,
        title=title,
        online_tiles=tiles == "osm",
        usable_by=nation,
        date=answer.get("date"),
        agreement_names={a.id: a.name for a in catalogue.agreements.values()},
    )
    return _page(request, m, download=download, name=f"catalogue {nation or ''}")


@router.get(
    "/maps/route",
    response_class=HTMLResponse,
    responses=HTML_RESPONSES,
    summary="A sea route on an interactive map",
)
def route_map(
    request: Request,
    routed: Annotated[JSONAnswer, Depends(routes_api.get_route)],
    compute: ComputeDep,
    tiles: TilesQ = "offline",
    download: DownloadQ = False,
) -> HTMLResponse:
    """The `GET /routes` answer (same parameters): the track, its alternatives, the
    passages it goes through and those closed."""
    route = routed.data
    ends = route.get("properties") or {}
    name = f"route {_end_id(ends.get('origin'))} {_end_id(ends.get('destination'))}"
    return _computed_page(
        request, compute, "route", route, tiles=tiles, download=download, name=name
    )


@router.get(
    "/maps/air-route",
    response_class=HTMLResponse,
    responses=HTML_RESPONSES,
    summary="An air route on an interactive map",
)
def air_route_map(
    request: Request,
    routed: Annotated[JSONAnswer, Depends(routes_api.get_air_route)],
    compute: ComputeDep,
    tiles: TilesQ = "offline",
    download: DownloadQ = False,
) -> HTMLResponse:
    """The `GET /air-routes` answer (same parameters): the flight, the closed airspace
    around it shaded, the states overflown and the clearances needed."""
    route = routed.data
    ends = route.get("properties") or {}
    name = f"air route {_end_id(ends.get('origin'))} {_end_id(ends.get('destination'))}"
    return _computed_page(
        request, compute, "air-route", route, tiles=tiles, download=download, name=name
    )


@router.post(
    "/maps/reach",
    response_class=HTMLResponse,
    responses=HTML_RESPONSES,
    summary="Reach on an interactive map",
)
def reach_map(
    request: Request,
    reached: Annotated[JSONAnswer, Depends(reach_api.post_reach)],
    compute: ComputeDep,
    posted: PostedBody,
    tiles: TilesQ = "offline",
    download: DownloadQ = False,
) -> HTMLResponse:
    """The `POST /reach` answer (same body): the area within reach shaded by stops (or
    by days with `"frontier": "days"`), the facilities within reach with their stops and
    days, those that refuse the call, and the figures."""
    answer = reached.data
    if "frontier" not in answer:
        raise InvalidInputError("a reach map needs a frontier: 'stops' or 'days'", field="frontier")
    name = f"reach {answer.get('nation', '')} {answer.get('platform', '')}"
    return _computed_page(
        request,
        compute,
        "reach",
        answer,
        tiles=tiles,
        download=download,
        name=name,
        posted=posted,
    )


@router.post(
    "/maps/impact",
    response_class=HTMLResponse,
    responses=HTML_RESPONSES,
    summary="What each agreement adds, on an interactive map",
)
def impact_map(
    request: Request,
    compute: ComputeDep,
    store: StoreDep,
    body: Annotated[ImpactSpec, Body()],
    posted: PostedBody,
    tiles: TilesQ = "offline",
    download: DownloadQ = False,
) -> HTMLResponse:
    """The `POST /impact` answer (same body; the area each agreement adds is drawn
    whatever `frontier` says): for each agreement a layer with the sea area and the
    facilities within reach only with it, and the ranking in the panel."""
    # the same body as `POST /impact`, but not its dependency: the map always needs the
    # gained areas, which the JSON answer leaves out unless asked
    drawn = body.model_copy(update={"frontier": "stops"})
    answer = compute.impact(drawn, saved=store.get_scenario).data
    name = f"impact {answer.get('nation', '')} {answer.get('basis', '')}"
    return _computed_page(
        request,
        compute,
        "impact",
        answer,
        tiles=tiles,
        download=download,
        name=name,
        posted=posted,
    )


@router.post(
    "/maps/plan",
    response_class=HTMLResponse,
    responses=HTML_RESPONSES,
    summary="A deployment plan on an interactive map",
)
def plan_map(
    request: Request,
    planned: Annotated[JSONAnswer, Depends(plans_api.create_plan)],
    compute: ComputeDep,
    posted: PostedBody,
    tiles: TilesQ = "offline",
    download: DownloadQ = False,
) -> HTMLResponse:
    """The `POST /plans` answer (same body): legs, numbered stops with arrival and fuel,
    usable range rings, and a summary panel (the reason, when infeasible). Its Save
    button asks for the same plan again as a file, never saving it again (`save=true`
    is not repeated)."""
    plan = planned.data
    name = f"plan {_end_id(plan.get('origin'))} {_end_id(plan.get('destination'))}"
    return _computed_page(
        request,
        compute,
        "plan",
        plan,
        tiles=tiles,
        download=download,
        name=name,
        posted=posted,
    )


@router.post(
    "/maps/compare",
    response_class=HTMLResponse,
    responses=HTML_RESPONSES,
    summary="A deployment or route under several scenarios, side by side",
)
def compare_map(
    request: Request,
    compared: Annotated[JSONAnswer, Depends(compare_api.post_compare)],
    compute: ComputeDep,
    posted: PostedBody,
    tiles: TilesQ = "offline",
    download: DownloadQ = False,
) -> HTMLResponse:
    """The `POST /compare` answer (same body): one toggleable layer per scenario, baseline
    first, with each one's figures (or its reason, when infeasible) in the panel."""
    answer = compared.data
    items: list[tuple[str, dict[str, Any]]] = []
    for row in answer["results"]:
        shape = row.get("plan") or row.get("route")
        if shape is None:
            if "route" in row or row.get("totals") is None:
                continue  # a route cut off by the scenario's closures: nothing to draw
            raise InvalidInputError(
                "maps need the plans: leave include_plans true", field="include_plans"
            )
        items.append((row["scenario"], shape))
    return _computed_page(
        request,
        compute,
        "layers",
        items,
        tiles=tiles,
        download=download,
        name="compare",
        title="Scenarios compared",
        posted=posted,
    )


def mount_static(app: FastAPI) -> None:
    """Serve the maps' offline assets (Leaflet, markercluster, basemap) under ``/static``.

    Only the files :func:`maps.assets.load_asset` knows are served. Calling it twice
    does nothing more.
    """
    # (a look at the routes' names: url_path_for would make FastAPI set up every route
    # now, a tenth of a second of the server's start, not on its first request)
    if any(getattr(route, "name", None) == "maps_static_asset" for route in app.router.routes):
        return

    def maps_static_asset(asset_path: str) -> Response:
        from maps.assets import load_asset

        asset = load_asset(asset_path)
        if asset is None:
            return Response("not found", status_code=404, media_type="text/plain")
        return Response(
            asset.content,
            media_type=asset.media_type,
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.add_api_route(
        f"{STATIC_PREFIX}/{{asset_path:path}}",
        maps_static_asset,
        methods=["GET"],
        include_in_schema=False,
    )
