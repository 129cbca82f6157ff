"""The ``relos`` command line: serve the API, and query the catalogue from a shell.

Catalogue commands run in-process on the shipped data (no server needed);
``--json`` prints machine-readable output instead of a table.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from app.settings import get_settings
from app.store import Store
from routing.catalogue.access import check_nation
from routing.catalogue.load import DEFAULT_AGREEMENTS, DEFAULT_FACILITIES, load_catalogue
from routing.catalogue.model import Catalogue
from routing.catalogue.query import find_facilities
from routing.errors import RelosError
from routing.export import DEFAULT_SIMPLIFY_NM, FORMATS, check_simplify_nm, format_for_path
from routing.export import write as write_export
from routing.geo import BBox, LonLat
from routing.limits import MAX_ID
from routing.parse import parse_bbox, parse_lonlat, split_list
from routing.plan.impact import ImpactSpec
from routing.plan.reach import ReachSpec
from routing.plan.request import GroupItem, PlanSpec
from routing.plan.scenario import ScenarioSpec, to_scenario, with_ids
from routing.service import AirRouteSpec, CompareSpec, RouteSpec, Services, load_services
from routing.vocab import HIDDEN_KINDS, KINDS, SERVICES

app = typer.Typer(
    help="Facility access and deployment planning under logistics agreements.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()

EXIT_INFEASIBLE = 3
"""Exit code of ``relos plan`` when no feasible plan exists (2 is bad input)."""

FacilitiesOpt = Annotated[
    Path, typer.Option("--facilities", help="Facilities GeoJSON.", envvar="RELOS_FACILITIES_PATH")
]
AgreementsOpt = Annotated[
    Path, typer.Option("--agreements", help="Agreements JSON.", envvar="RELOS_AGREEMENTS_PATH")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _export_path(path: Path | None) -> Path | None:
    """--output: a file whose extension is an export format (checked before computing)."""
    if path is not None:
        try:
            format_for_path(path)
        except RelosError as exc:
            raise typer.BadParameter(exc.message) from exc
    return path


OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        callback=_export_path,
        help=f"Also write it to this file, in the format of its extension: {', '.join(FORMATS)}.",
    ),
]


def _simplify_nm(value: float) -> float:
    """--simplify-nm: 0 (every vertex) up to the limit; not NaN (checked before computing)."""
    try:
        return check_simplify_nm(value, field="--simplify-nm")
    except RelosError as exc:
        raise typer.BadParameter(exc.message) from exc


SimplifyOpt = Annotated[
    float,
    typer.Option(
        "--simplify-nm",
        callback=_simplify_nm,
        help="With -o: thin the waypoints to within this many nm of the track, where the "
        "straight leg stays at sea (0: every vertex).",
    ),
]


def _export(answer: dict[str, Any], path: Path, simplify_nm: float = DEFAULT_SIMPLIFY_NM) -> None:
    """Write ``answer`` to ``path`` (``--output``), saying so on standard error."""
    try:
        size = write_export(answer, path, simplify_nm=simplify_nm)
    except RelosError as exc:
        exc.field = "output"
        _fail(exc)
        return
    typer.echo(f"wrote {path} ({size:,} bytes)", err=True)


DenyOpt = Annotated[
    str | None, typer.Option(help="States refusing diplomatic clearance, comma-separated ISO3.")
]
ClosedAirspaceOpt = Annotated[
    str | None,
    typer.Option("--closed-airspace", help="Airspace to close (air), ISO3, comma-separated."),
]
CountryOpt = Annotated[str | None, typer.Option(help="ISO3 codes, comma-separated.")]
KindOpt = Annotated[str | None, typer.Option(help=f"One of: {', '.join(KINDS)}.")]
ServiceOpt = Annotated[str | None, typer.Option(help="A service the facility offers.")]
AgreementOpt = Annotated[str | None, typer.Option(help="Only facilities it opens.")]
UsableByOpt = Annotated[
    str | None, typer.Option("--usable-by", help="Nation (ISO3) that may use them.")
]
DateOpt = Annotated[
    dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Date for --usable-by.")
]
NearOpt = Annotated[str | None, typer.Option(help="lon,lat: only near it, nearest first.")]
RadiusOpt = Annotated[float | None, typer.Option("--radius-nm", help="With --near.")]
BBoxOpt = Annotated[str | None, typer.Option(help="west,south,east,north.")]
IncludeOpt = Annotated[
    str | None,
    typer.Option(
        help="Also list commercial_port (the commercial-port layer, RELOS_COMMERCIAL_PORTS)."
    ),
]


def _print_json(data: Any) -> None:
    """``data`` as indented JSON on standard output."""
    json.dump(data, sys.stdout, indent=1)
    sys.stdout.write("\n")


MIN_FLEX = 8
"""The narrowest a shortened column gets (``_show``)."""
WIDE = 110
"""A terminal this wide also shows the secondary columns (facility positions)."""
SHORT_KINDS = {
    "naval_base": "naval",
    "airbase": "air",
    "port": "port",
    "commercial_port": "comm.",
}
"""Facility kinds as a narrower terminal shows them."""


def _kind(kind: str) -> str:
    """A facility kind, shortened below ``WIDE`` columns (``naval_base`` -> ``naval``)."""
    return kind if console.width >= WIDE else SHORT_KINDS.get(kind, kind)


def _table(
    *columns: str,
    title: str | None = None,
    caption: str | None = None,
    right: tuple[str, ...] = (),
    wrap: tuple[str, ...] = (),
) -> Table:
    """A compact table whose cells keep to one line (ids and figures are never cut);
    ``right`` columns are right-aligned, ``wrap`` columns (lists) may take several lines."""
    table = Table(
        title=title,
        caption=caption,
        box=box.SIMPLE_HEAD,
        padding=(0, 1, 0, 0),
        pad_edge=False,
        show_edge=False,
    )
    for col in columns:
        table.add_column(
            col,
            justify="right" if col in right else "left",
            no_wrap=col not in wrap,
            overflow="fold" if col in wrap else "ellipsis",
        )
    return table


def _show(table: Table, *flex: str | tuple[str, int]) -> None:
    """Print ``table`` within the terminal's width (80 columns and up): the ``flex``
    columns (names, lists, reasons), in order, are narrowed until it fits, down to
    ``MIN_FLEX`` or the width given with the header, and cut short with an ellipsis;
    a ``wrap`` column (a list) wraps between its items instead, so it keeps the width
    of its longest item. The other columns keep their full width."""
    for item in flex:
        header, floor = item if isinstance(item, tuple) else (item, MIN_FLEX)
        wide = console.options.update_width(10_000)
        excess = console.measure(table, options=wide).maximum - console.width
        if excess <= 0:
            break
        col = next(c for c in table.columns if c.header == header)
        texts = [str(v) for v in (col.header, *col.cells)]
        natural = min(max(map(cell_len, texts)), col.max_width or 10_000)
        if not col.no_wrap:
            floor = max(cell_len(word) for text in texts for word in text.split() or [""])
        col.max_width = max(floor, natural - excess)
    console.print(table)


OPTION_OF = {
    "origin": "from",
    "origins": "from",
    "destination": "to",
    "waypoints": "waypoint",
    "dropped_agreements": "drop",
    "closed_facilities": "close-facility",
    "denied_countries": "deny",
    "agreements": "agreement",
}
"""Request fields whose command-line option has another name."""


def _fail(exc: RelosError) -> None:
    where = ""
    if exc.field:
        name = exc.field.removeprefix("--")
        base = name.split(".")[0]  # "waypoints.1" is the second --waypoint
        where = f"--{OPTION_OF.get(base, base).replace('_', '-')}: "
    typer.echo(f"error: {where}{exc.message}", err=True)
    raise typer.Exit(code=2)


def _layer() -> dict[str, Any]:
    """The commercial-port layer's arguments, as the settings ask for it
    (``RELOS_COMMERCIAL_PORTS``; off by default)."""
    cfg = get_settings()
    return {
        "commercial_ports": cfg.commercial_ports_path if cfg.commercial_ports else None,
        "commercial_port_countries": cfg.commercial_port_countries,
        "commercial_port_services": cfg.commercial_port_services,
    }


def _catalogue(facilities: Path, agreements: Path) -> Catalogue:
    try:
        return load_catalogue(facilities, agreements, **_layer())
    except RelosError as exc:
        _fail(exc)
        raise  # unreachable; keeps mypy happy


def _choice(value: str | None, allowed: tuple[str, ...], name: str) -> str | None:
    if value is not None and value not in allowed:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}", param_hint=name)
    return value


def _bbox(text: str) -> BBox:
    try:
        return parse_bbox(text, field="--bbox")
    except RelosError as exc:
        raise typer.BadParameter(exc.message, param_hint="--bbox") from None


def _filters(
    country: str | None,
    kind: str | None,
    service: str | None,
    agreement: str | None,
    usable_by: str | None,
    near: str | None,
    radius_nm: float | None,
    bbox: str | None,
    include: str | None = None,
) -> dict[str, Any]:
    """The catalogue filters of the command line, checked, as find_facilities arguments."""
    _choice(kind, KINDS, "--kind")
    _choice(service, SERVICES, "--service")
    _choice(include, tuple(sorted(HIDDEN_KINDS)), "--include")
    return {
        "include": [include] if include else [],
        "countries": split_list(country),
        "kind": kind,
        "service": service,
        "agreement": agreement,
        "usable_by": usable_by,
        "bbox": _bbox(bbox) if bbox else None,
        "near": _point(near, "--near") if near else None,
        "radius_nm": radius_nm,
    }


def _point(text: str, name: str) -> LonLat:
    try:
        return parse_lonlat(text, field=name)
    except RelosError as exc:
        raise typer.BadParameter(exc.message, param_hint=name) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            envvar="RELOS_WORKERS",
            help="Worker processes (each loads the catalogue and graph; one per core).",
        ),
    ] = 1,
    compute_processes: Annotated[
        int | None,
        typer.Option(
            "--compute-processes",
            min=0,
            max=64,
            help=(
                "Processes that compute routes, plans and maps apart from the server's, "
                "so cheap requests never wait on them (RELOS_COMPUTE_PROCESSES; 0: none)."
            ),
        ),
    ] = None,
    commercial_ports: Annotated[
        bool | None,
        typer.Option(
            "--commercial-ports/--no-commercial-ports",
            help=(
                "Load the commercial-port layer (RELOS_COMMERCIAL_PORTS): 2,519 ports called "
                "at by diplomatic clearance only. The first start builds a sea graph with "
                "them (a one-off of hours, then cached)."
            ),
        ),
    ] = None,
) -> None:
    """Start the HTTP API with uvicorn (``app.main:app``)."""
    import uvicorn

    if reload and workers > 1:
        raise typer.BadParameter("--reload runs one process", param_hint="--workers")
    # The app decides from the interface whether a request without credentials may
    # write (only on loopback: app/auth.py); worker processes inherit it.
    os.environ["RELOS_LISTEN_HOST"] = host
    if compute_processes is not None:
        os.environ["RELOS_COMPUTE_PROCESSES"] = str(compute_processes)
    if commercial_ports is not None:
        os.environ["RELOS_COMMERCIAL_PORTS"] = "true" if commercial_ports else "false"
    _check_settings()
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        reload=reload,
        workers=workers,
        log_config=_log_config(),
    )


def _check_settings() -> None:
    """A setting the environment gets wrong stops the start with one line a setting,
    naming its variable, not a traceback from each worker process."""
    from app.settings import Settings

    try:
        Settings()
    except ValidationError as exc:
        for err in exc.errors():
            name = "RELOS_" + "_".join(str(p) for p in err["loc"]).upper()
            typer.echo(f"error: {name}: {err['msg']} (got {err.get('input')!r})", err=True)
        raise typer.Exit(code=2) from None


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, with the service's own messages (``relos.*``: start-up, refused
    requests, stopped computations) beside its access log."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["relos"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


@app.command()
def facilities(
    country: CountryOpt = None,
    kind: KindOpt = None,
    service: ServiceOpt = None,
    agreement: AgreementOpt = None,
    usable_by: UsableByOpt = None,
    date: DateOpt = None,
    near: NearOpt = None,
    radius_nm: RadiusOpt = None,
    bbox: BBoxOpt = None,
    include: IncludeOpt = None,
    as_json: JsonOpt = False,
    facilities_path: FacilitiesOpt = DEFAULT_FACILITIES,
    agreements_path: AgreementsOpt = DEFAULT_AGREEMENTS,
) -> None:
    """List and filter facilities (a table, or GeoJSON with --json); commercial ports
    only with --kind commercial_port or --include commercial_port."""
    cat = _catalogue(facilities_path, agreements_path)
    day = date.date() if date else dt.datetime.now(dt.UTC).date()
    filters = _filters(country, kind, service, agreement, usable_by, near, radius_nm, bbox, include)
    try:
        rows = find_facilities(cat, date=day, **filters)
    except RelosError as exc:
        _fail(exc)
        return

    if as_json:
        feats = [m.feature() for m in rows]
        _print_json({"type": "FeatureCollection", "features": feats})
        return

    title = f"{len(rows)} facilities"
    if usable_by:
        title += f" usable by {check_nation(usable_by)} on {day.isoformat()}"
    where = console.width >= WIDE  # positions only where they fit beside the names
    cols = ["id", "ctry", "kind", *(["lon", "lat"] if where else [])]
    cols += [*(["basis"] if usable_by else []), *(["nm"] if near else []), "name"]
    table = _table(*cols, title=title, right=("lon", "lat", "nm"), wrap=("basis",))
    for m in rows:
        fac = m.facility
        cells = [fac.id, fac.country, _kind(fac.kind)]
        if where:
            cells += [f"{fac.lon:.4f}", f"{fac.lat:.4f}"]
        if m.grant is not None:
            cells.append("own" if m.grant.basis == "own" else ", ".join(m.grant.agreements))
        if near:
            cells.append(f"{m.distance_nm:,.0f}" if m.distance_nm is not None else "")
        table.add_row(*cells, fac.name)
    _show(table, "name", "basis")


@app.command()
def agreements(
    as_json: JsonOpt = False,
    facilities_path: FacilitiesOpt = DEFAULT_FACILITIES,
    agreements_path: AgreementsOpt = DEFAULT_AGREEMENTS,
) -> None:
    """List the agreements registry."""
    cat = _catalogue(facilities_path, agreements_path)
    if as_json:
        json.dump(
            [a.model_dump(mode="json") for a in cat.agreements.values()], sys.stdout, indent=1
        )
        sys.stdout.write("\n")
        return
    cols = ("id", "parties", "signed", "in force", "expires", "name")
    table = _table(*cols, title=f"{len(cat.agreements)} agreements")
    for a in cat.agreements.values():
        table.add_row(
            a.id,
            "-".join(a.parties),
            a.signed.isoformat(),
            a.in_force_from.isoformat(),
            a.expires.isoformat() if a.expires else ("renews" if a.auto_renews else "-"),
            a.name,
        )
    _show(table, "name")


def _validation_exit(exc: ValidationError) -> None:
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "request"
        typer.echo(f"error: {loc}: {err['msg']}", err=True)
    raise typer.Exit(code=2)


def _services(facilities: Path, agreements: Path, *, sea: bool = True) -> Services:
    """The core's use cases over these data files and the settings' other paths."""
    cfg = get_settings()
    assert cfg.platforms_path is not None
    try:
        return load_services(
            facilities=facilities,
            agreements=agreements,
            platforms=cfg.platforms_path,
            sea_dir=cfg.sea_dir,
            cache_dir=cfg.cache_dir,
            load_sea_graph=sea,
            extend_graph=cfg.extend_graph,
            numpy_hugepages=cfg.numpy_hugepages,
            kernel_threads=cfg.kernel_threads,
            **_layer(),
        )
    except RelosError as exc:
        _fail(exc)
        raise  # unreachable; keeps mypy happy


def _group_items(group: str | None) -> list[GroupItem] | None:
    """``--group talwar:3,deepak:1`` as group items; exit 2 naming the option when malformed."""
    if not group:
        return None
    members = []
    for part in group.split(","):
        pid, _, count = part.partition(":")
        try:
            members.append(GroupItem(platform=pid.strip(), count=int(count or 1)))
        except ValidationError as exc:
            _validation_exit(exc)
        except ValueError:
            typer.echo("error: --group: expected id:count pairs, e.g. talwar:3,deepak:1", err=True)
            raise typer.Exit(code=2) from None
    return members


@app.command()
def route(
    origin: Annotated[str, typer.Option("--from", help="Facility id or lon,lat.")],
    destination: Annotated[str, typer.Option("--to", help="Facility id or lon,lat.")],
    closed: Annotated[str | None, typer.Option(help="Closed passages, comma-separated.")] = None,
    date: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Voyage date (NSR season).")
    ] = None,
    speed_kn: Annotated[float, typer.Option("--speed-kn", help="Speed, knots.")] = 14.0,
    via: Annotated[list[str] | None, typer.Option(help="Passage/facility/lon,lat to pass.")] = None,
    alternatives: Annotated[int, typer.Option(min=1, max=5)] = 1,
    ice_class: Annotated[str | None, typer.Option("--ice-class")] = None,
    platform: Annotated[
        str | None, typer.Option(help="Ship class id: its ice class and dimensions apply.")
    ] = None,
    draught_m: Annotated[float | None, typer.Option("--draught-m", help="Draught, m.")] = None,
    beam_m: Annotated[float | None, typer.Option("--beam-m", help="Beam, m.")] = None,
    air_draught_m: Annotated[
        float | None, typer.Option("--air-draught-m", help="Air draught, m.")
    ] = None,
    as_json: JsonOpt = False,
    output: OutputOpt = None,
    simplify_nm: SimplifyOpt = DEFAULT_SIMPLIFY_NM,
    facilities_path: FacilitiesOpt = DEFAULT_FACILITIES,
    agreements_path: AgreementsOpt = DEFAULT_AGREEMENTS,
) -> None:
    """The shortest sea route between two facilities or sea points."""
    services = _services(facilities_path, agreements_path)
    try:
        spec = RouteSpec(
            origin=origin,
            destination=destination,
            closed=split_list(closed),
            date=date.date() if date else None,
            speed_kn=speed_kn,
            via=via or [],
            alternatives=alternatives,
            ice_class=ice_class,
            platform=platform,
            draught_m=draught_m,
            beam_m=beam_m,
            air_draught_m=air_draught_m,
        )
    except ValidationError as exc:
        _validation_exit(exc)
        return
    try:
        feature = services.route(spec)
    except RelosError as exc:
        _fail(exc)
        return
    if output is not None:
        _export(feature, output, simplify_nm)
    if as_json:
        _print_json(feature)
        return
    ends = feature["properties"]
    hours = f"h at {speed_kn:g} kn"
    table = _table(
        "route",
        "nm",
        hours,
        "days",
        "passages",
        title=f"{ends['origin']['id'] or origin} -> {ends['destination']['id'] or destination}",
        right=("route", "nm", hours, "days"),
        wrap=("passages",),
    )
    for i, feat in enumerate([feature, *feature["properties"]["alternatives"]], start=1):
        p = feat["properties"]
        table.add_row(
            str(i),
            f"{p['distance_nm']:,.0f}",
            f"{p['duration_h']:,.0f}",
            f"{p['duration_h'] / 24:.1f}",
            ", ".join(p["passages"]) or "-",
        )
    _show(table, "passages")
    for item in feature["properties"].get("avoided", []):
        console.print(f"avoided {item['passage']}: {item['reason']}")


@app.command("air-route")
def air_route(
    origin: Annotated[str, typer.Option("--from", help="Airbase id or lon,lat.")],
    destination: Annotated[str, typer.Option("--to", help="Airbase id or lon,lat.")],
    nation: Annotated[
        str | None, typer.Option(help="Whose aircraft, ISO3 (default: the origin's country).")
    ] = None,
    date: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Day of the flight.")
    ] = None,
    allow_clearance: Annotated[
        bool, typer.Option("--allow-clearance", help="Cross third states by clearance.")
    ] = False,
    deny: DenyOpt = None,
    closed_airspace: ClosedAirspaceOpt = None,
    drop: Annotated[str | None, typer.Option(help="Agreements to drop, comma-separated.")] = None,
    platform: Annotated[str | None, typer.Option(help="Aircraft id: flight time.")] = None,
    as_json: JsonOpt = False,
    facilities_path: FacilitiesOpt = DEFAULT_FACILITIES,
    agreements_path: AgreementsOpt = DEFAULT_AGREEMENTS,
) -> None:
    """The shortest flight in airspace open to the nation's military aircraft.

    Exit codes: 0 a route, 3 none (the reason names the closed airspace), 2 bad input.
    """
    services = _services(facilities_path, agreements_path)
    try:
        spec = AirRouteSpec(
            origin=origin,
            destination=destination,
            nation=nation,
            date=date.date() if date else None,
            allow_clearance=allow_clearance,
            denied_countries=split_list(deny),
            closed_airspace=split_list(closed_airspace),
            dropped_agreements=split_list(drop),
            platform=platform,
        )
    except ValidationError as exc:
        _validation_exit(exc)
        return
    try:
        feature = services.air_route(spec)
    except RelosError as exc:
        _fail(exc)
        return
    props = feature["properties"]
    if as_json:
        _print_json(feature)
    elif not props["feasible"]:
        console.print(f"no route: {props['reason']}")
    else:
        console.print(
            f"{props['origin']['name']} -> {props['destination']['name']}: "
            f"{props['distance_nm']:,.0f} nm (great circle {props['great_circle_nm']:,.0f} nm)"
        )
        console.print("overflies: " + " -> ".join(props["overflies"]))
        for c in props["clearances"]:
            when = f", ask by {c['request_by'][:10]}" if c["request_by"] else ""
            console.print(f"clearance: {c['name']} ({c['airspace']}, {c['basis']}{when})")
    if not props["feasible"]:
        raise typer.Exit(3)


@app.command()
def plan(
    nation: Annotated[str, typer.Option(help="Deploying nation, ISO3.")],
    origin: Annotated[str, typer.Option("--from", help="Facility id or lon,lat.")],
    destination: Annotated[str, typer.Option("--to", help="Facility id or lon,lat.")],
    platform: Annotated[str | None, typer.Option(help="Platform id (see /platforms).")] = None,
    group: Annotated[
        str | None, typer.Option(help="Task group, e.g. talwar:3,deepak:1 (instead of --platform).")
    ] = None,
    waypoint: Annotated[list[str] | None, typer.Option(help="Waypoint, in order (repeat).")] = None,
    departure: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"], help="Departure (UTC)."),
    ] = None,
    speed_kn: Annotated[float | None, typer.Option("--speed-kn")] = None,
    reserve: Annotated[float, typer.Option(help="Fuel fraction left on arrival.")] = 0.25,
    closed: Annotated[str | None, typer.Option(help="Closed passages, comma-separated.")] = None,
    drop: Annotated[
        str | None, typer.Option(help="Agreements to treat as dropped, comma-separated.")
    ] = None,
    close_facility: Annotated[
        str | None, typer.Option("--close-facility", help="Closed facilities, comma-separated.")
    ] = None,
    avoid: Annotated[
        list[str] | None,
        typer.Option(
            help="Passages, closure groups or facilities to keep out of, by id or name "
            "(comma-separated or repeated): a passage is closed, a facility never stopped at."
        ),
    ] = None,
    ice_class: Annotated[
        str | None,
        typer.Option("--ice-class", help="Ice class for seasonal passages, e.g. Arc4."),
    ] = None,
    dwell_h: Annotated[
        float | None,
        typer.Option("--dwell-h", help="Hours at each stop (default: 24 at sea, 3 by air)."),
    ] = None,
    max_stops: Annotated[int, typer.Option("--max-stops")] = 12,
    objective: Annotated[
        str, typer.Option(help="min_time, min_stops or min_distance.")
    ] = "min_time",
    personnel: Annotated[
        int | None, typer.Option(help="Personnel in the group (agreement limits).")
    ] = None,
    allow_clearance: Annotated[
        bool,
        typer.Option("--allow-clearance", help="Allow calls by diplomatic clearance at the ends."),
    ] = False,
    clearance_stops: Annotated[
        bool, typer.Option("--clearance-stops", help="With --allow-clearance: stops too.")
    ] = False,
    deny: DenyOpt = None,
    closed_airspace: ClosedAirspaceOpt = None,
    min_confidence: Annotated[
        str | None,
        typer.Option("--min-confidence", help="confirmed, assumed_date, uncertain or contested."),
    ] = None,
    max_wait_days: Annotated[
        int,
        typer.Option(
            "--max-wait-days",
            help="Longest the group may wait for a season to open or for notice, in days.",
        ),
    ] = 60,
    notice_from: Annotated[
        dt.datetime | None,
        typer.Option(
            "--notice-from",
            formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"],
            help="When port-call requests can first be sent (UTC; default: the departure).",
        ),
    ] = None,
    as_json: JsonOpt = False,
    output: OutputOpt = None,
    simplify_nm: SimplifyOpt = DEFAULT_SIMPLIFY_NM,
    facilities_path: FacilitiesOpt = DEFAULT_FACILITIES,
    agreements_path: AgreementsOpt = DEFAULT_AGREEMENTS,
) -> None:
    """Plan a deployment with resupply stops at facilities the nation may use.

    Exit codes: 0 a feasible plan, 3 no feasible plan (the reason is printed, or in
    the JSON), 2 bad input.
    """
    members = _group_items(group)
    try:
        spec = PlanSpec(
            nation=nation,
            platform=platform,
            group=members,
            origin=origin,
            destination=destination,
            waypoints=waypoint or [],
            departure=departure.replace(tzinfo=dt.UTC) if departure else None,
            speed_kn=speed_kn,
            reserve=reserve,
            closed=split_list(closed),
            dropped_agreements=split_list(drop),
            closed_facilities=split_list(close_facility),
            max_stops=max_stops,
            objective=objective,
            personnel=personnel,
            allow_clearance=allow_clearance,
            clearance_stops=clearance_stops,
            denied_countries=split_list(deny),
            closed_airspace=split_list(closed_airspace),
            min_confidence=min_confidence,
            max_wait_days=max_wait_days,
            notice_from=notice_from.replace(tzinfo=dt.UTC) if notice_from else None,
            avoid=[item for text in avoid or [] for item in split_list(text)],
            ice_class=ice_class,
            dwell_h=dwell_h,
        )
    except ValidationError as exc:
        _validation_exit(exc)
        return
    services = _services(facilities_path, agreements_path)
    try:
        result = services.plan_json(spec)
    except RelosError as exc:
        _fail(exc)
        return
    if as_json:
        _print_json(result)
    else:
        print_plan(result)
    if output is not None and result["feasible"]:
        _export(result, output, simplify_nm)
    elif output is not None:
        typer.echo(f"{output} not written: the plan is infeasible", err=True)
    if not result["feasible"]:
        raise typer.Exit(code=EXIT_INFEASIBLE)


@app.command()
def reach(
    nation: Annotated[str, typer.Option(help="Deploying nation, ISO3.")],
    platform: Annotated[str | None, typer.Option(help="Platform id (see /platforms).")] = None,
    group: Annotated[
        str | None, typer.Option(help="Task group, e.g. talwar:3,deepak:1 (instead of --platform).")
    ] = None,
    origin: Annotated[
        list[str] | None,
        typer.Option("--from", help="Facility to sail from (repeat); default: own naval bases."),
    ] = None,
    departure: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"], help="Departure (UTC)."),
    ] = None,
    days: Annotated[float | None, typer.Option(help="Only what is reached within this.")] = None,
    max_stops: Annotated[int, typer.Option("--max-stops", help="Resupply stops at most.")] = 3,
    speed_kn: Annotated[float | None, typer.Option("--speed-kn")] = None,
    reserve: Annotated[float, typer.Option(help="Fuel fraction kept.")] = 0.25,
    closed: Annotated[str | None, typer.Option(help="Closed passages, comma-separated.")] = None,
    drop: Annotated[
        str | None, typer.Option(help="Agreements to treat as dropped, comma-separated.")
    ] = None,
    close_facility: Annotated[
        str | None, typer.Option("--close-facility", help="Closed facilities, comma-separated.")
    ] = None,
    allow_clearance: Annotated[
        bool, typer.Option("--allow-clearance", help="Count calls by diplomatic clearance.")
    ] = False,
    clearance_stops: Annotated[
        bool, typer.Option("--clearance-stops", help="With --allow-clearance: stops too.")
    ] = False,
    deny: DenyOpt = None,
    map_file: Annotated[
        Path | None, typer.Option("--map", help="Also write the reach map (standalone HTML).")
    ] = None,
    shade: Annotated[str, typer.Option(help="Map shading: stops or days.")] = "stops",
    as_json: JsonOpt = False,
    facilities_path: FacilitiesOpt = DEFAULT_FACILITIES,
    agreements_path: AgreementsOpt = DEFAULT_AGREEMENTS,
) -> None:
    """Where the nation's ships can get to, and the facilities they may use there.

    Exit codes: 0 done, 2 bad input.
    """
    members = _group_items(group)
    try:
        spec = ReachSpec(
            nation=nation,
            platform=platform,
            group=members,
            origins=origin or [],
            departure=departure.replace(tzinfo=dt.UTC) if departure else None,
            days=days,
            max_stops=max_stops,
            speed_kn=speed_kn,
            reserve=reserve,
            closed=split_list(closed),
            dropped_agreements=split_list(drop),
            closed_facilities=split_list(close_facility),
            allow_clearance=allow_clearance,
            clearance_stops=clearance_stops,
            denied_countries=split_list(deny),
            frontier=shade if map_file is not None else "none",
        )
    except ValidationError as exc:
        _validation_exit(exc)
        return
    services = _services(facilities_path, agreements_path)
    try:
        result = services.reach(spec)
    except RelosError as exc:
        _fail(exc)
        return
    if map_file is not None:
        from maps import render_reach, save_html  # folium: for a map only

        save_html(render_reach(result), map_file)
        result.pop("frontier", None)
    if as_json:
        _print_json(result)
    else:
        print_reach(result)
    if map_file is not None and not as_json:
        console.print(f"map: {map_file}")


@app.command()
def impact(
    nation: Annotated[str, typer.Option(help="Deploying nation, ISO3.")],
    platform: Annotated[str | None, typer.Option(help="Platform id (see /platforms).")] = None,
    agreement: Annotated[
        list[str] | None,
        typer.Option("--agreement", help="Agreement to weigh (repeat); default: all in force."),
    ] = None,
    basis: Annotated[
        str, typer.Option(help="marginal (all vs all but it) or alone (it vs none).")
    ] = "marginal",
    origin: Annotated[
        list[str] | None,
        typer.Option("--from", help="Facility to sail from (repeat); default: own naval bases."),
    ] = None,
    departure: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"], help="Departure (UTC)."),
    ] = None,
    days: Annotated[float | None, typer.Option(help="Reach within this many days.")] = None,
    max_stops: Annotated[int, typer.Option("--max-stops", help="Resupply stops at most.")] = 3,
    closed: Annotated[str | None, typer.Option(help="Closed passages, comma-separated.")] = None,
    map_file: Annotated[
        Path | None, typer.Option("--map", help="Also write the impact map (standalone HTML).")
    ] = None,
    as_json: JsonOpt = False,
    facilities_path: FacilitiesOpt = DEFAULT_FACILITIES,
    agreements_path: AgreementsOpt = DEFAULT_AGREEMENTS,
) -> None:
    """What each agreement adds to the nation's reach and standard voyages, ranked.

    Exit codes: 0 done, 2 bad input.
    """
    try:
        spec = ImpactSpec(
            nation=nation,
            platform=platform,
            agreements=agreement or [],
            basis=basis,
            origins=origin or [],
            departure=departure.replace(tzinfo=dt.UTC) if departure else None,
            days=days,
            max_stops=max_stops,
            closed=split_list(closed),
            frontier="stops" if map_file is not None else "none",
        )
    except ValidationError as exc:
        _validation_exit(exc)
        return
    services = _services(facilities_path, agreements_path)
    try:
        result = services.impact(spec)
    except RelosError as exc:
        _fail(exc)
        return
    if map_file is not None:
        from maps import render_impact, save_html  # folium: for a map only

        save_html(render_impact(result), map_file)
        for row in result["agreements"]:
            row.pop("gained", None)
    if as_json:
        _print_json(result)
        return
    base = result["baseline"]
    console.print(
        f"{result['platform']} ({result['nation']}), {result['basis']}: reach "
        f"{base['area_km2'] / 1e6:,.1f} M km2, {base['facilities']} facilities"
    )
    table = _table(
        "#",
        "agreement",
        "M km2",
        "facilities",
        "voyages",
        "stops provided",
        title="What each agreement adds",
        right=("#", "M km2", "facilities", "voyages"),
        wrap=("stops provided",),
    )
    for row in result["agreements"]:
        stops = row["stops_provided"]
        table.add_row(
            str(row["rank"]),
            row["agreement"],
            f"+{row['area_km2'] / 1e6:,.1f}",
            f"+{len(row['facilities_gained'])}",
            str(row["voyages_made_feasible"]),
            ", ".join(stops[:3]) + (f" (+{len(stops) - 3})" if len(stops) > 3 else ""),
        )
    _show(table, "stops provided")
    if map_file is not None:
        console.print(f"map: {map_file}")


map_app = typer.Typer(
    help="Interactive maps as one HTML file that opens with no server and no internet.",
    no_args_is_help=True,
)
app.add_typer(map_app, name="map")

MapOutputOpt = Annotated[
    Path, typer.Option("-o", "--output", help="HTML file to write (a standalone page).")
]
OnlineTilesOpt = Annotated[
    bool, typer.Option("--online-tiles", help="Also offer OpenStreetMap tiles (needs internet).")
]
PassagesOpt = Annotated[
    Path | None,
    typer.Option("--passages", help="A GET /passages answer (JSON), to draw passage gates."),
]


@map_app.command("catalogue")
def map_catalogue(
    output: MapOutputOpt = Path("catalogue.html"),
    country: CountryOpt = None,
    kind: KindOpt = None,
    service: ServiceOpt = None,
    agreement: AgreementOpt = None,
    usable_by: UsableByOpt = None,
    date: DateOpt = None,
    near: NearOpt = None,
    radius_nm: RadiusOpt = None,
    bbox: BBoxOpt = None,
    include: IncludeOpt = None,
    online_tiles: OnlineTilesOpt = False,
    facilities_path: FacilitiesOpt = DEFAULT_FACILITIES,
    agreements_path: AgreementsOpt = DEFAULT_AGREEMENTS,
) -> None:
    """Map the facilities a catalogue query finds (the filters of `relos facilities`)."""
    cat = _catalogue(facilities_path, agreements_path)
    filters = _filters(country, kind, service, agreement, usable_by, near, radius_nm, bbox, include)
    from maps import cli_render_catalogue  # folium: for the map commands only

    try:
        size = cli_render_catalogue(
            cat,
            output=output,
            date=date.date() if date else None,
            online_tiles=online_tiles,
            **filters,
        )
    except RelosError as exc:
        _fail(exc)
        return
    typer.echo(f"wrote {output} ({size / 1024:,.0f} KiB)")


def _write_map(
    render: Callable[..., int],
    source: str,
    output: Path,
    passages: Path | None,
    online_tiles: bool,
) -> None:
    """Render a route or plan read as JSON from ``source`` into ``output``."""
    from maps import MapInputError

    try:
        size = render(source, output=output, passages=passages, online_tiles=online_tiles)
    except MapInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    typer.echo(f"wrote {output} ({size / 1024:,.0f} KiB)")


@map_app.command("route")
def map_route(
    source: Annotated[
        str,
        typer.Argument(help="A route as JSON (`relos route ... --json`): a file, or - for stdin."),
    ] = "-",
    output: MapOutputOpt = Path("route.html"),
    passages: PassagesOpt = None,
    online_tiles: OnlineTilesOpt = False,
) -> None:
    """Map a route: `relos route --from A --to B --json | relos map route - -o route.html`."""
    from maps import cli_render_route  # folium: for the map commands only

    _write_map(cli_render_route, source, output, passages, online_tiles)


@map_app.command("plan")
def map_plan(
    source: Annotated[
        str,
        typer.Argument(
            help="A plan as JSON (`relos plan ... --json`), or a list of compare "
            "entries: a file, or - for stdin."
        ),
    ] = "-",
    output: MapOutputOpt = Path("plan.html"),
    passages: PassagesOpt = None,
    online_tiles: OnlineTilesOpt = False,
) -> None:
    """Map a plan: `relos plan --nation IND ... --json | relos map plan - -o plan.html`."""
    from maps import cli_render_plan  # folium: for the map commands only

    _write_map(cli_render_plan, source, output, passages, online_tiles)


scenario_app = typer.Typer(
    help="Saved what-if scenarios (the same store as the API's /scenarios).",
    no_args_is_help=True,
)
app.add_typer(scenario_app, name="scenario")

DatabaseOpt = Annotated[
    str,
    typer.Option(
        "--database-url",
        envvar=["RELOS_DATABASE_URL", "DATABASE_URL"],
        help="SQLAlchemy URL of the store (default: the user's SQLite file).",
    ),
]


def _store(url: str) -> Store:
    return Store.open(url or None)


def _read_json(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        return json.loads(text)
    except (OSError, json.JSONDecodeError) as exc:
        typer.echo(f"error: cannot read JSON from {source}: {exc}", err=True)
        raise typer.Exit(code=2) from None


def _scenario_table(rows: list[dict[str, Any]]) -> None:
    table = _table(
        "id",
        "name",
        "date",
        "closed",
        "closed facilities",
        "dropped",
        "added",
        title=f"{len(rows)} scenarios",
        right=("id", "added"),
        wrap=("closed", "closed facilities", "dropped"),
    )
    for r in rows:
        added = len(r["added_facilities"]) + len(r["added_agreements"])
        table.add_row(
            str(r["id"]),
            r["name"],
            r["date"] or "",
            ", ".join(r["closed"]),
            ", ".join(r["closed_facilities"]),
            ", ".join(r["dropped_agreements"]),
            str(added or ""),
        )
    _show(table, ("name", 16), "closed facilities", "closed", "dropped", "name")


@scenario_app.command("create")
def scenario_create(
    name: Annotated[str | None, typer.Option(help="A unique name.")] = None,
    file: Annotated[
        str | None,
        typer.Option("--file", help="A scenario as JSON (file or -), as POST /scenarios."),
    ] = None,
    date: Annotated[str | None, typer.Option(help="Departure date to use (YYYY-MM-DD).")] = None,
    closed: Annotated[str | None, typer.Option(help="Passages to close, comma-separated.")] = None,
    close_facility: Annotated[
        str | None, typer.Option("--close-facility", help="Facilities to close, comma-separated.")
    ] = None,
    drop: Annotated[str | None, typer.Option(help="Agreements to drop, comma-separated.")] = None,
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = "",
    facilities_path: FacilitiesOpt = DEFAULT_FACILITIES,
    agreements_path: AgreementsOpt = DEFAULT_AGREEMENTS,
) -> None:
    """Save a scenario, validated exactly as POST /scenarios validates it."""
    data: dict[str, Any] = _read_json(file) if file else {}
    if name:
        data["name"] = name
    if date:
        data["date"] = date
    data.setdefault("closed", []).extend(split_list(closed))
    data.setdefault("closed_facilities", []).extend(split_list(close_facility))
    data.setdefault("dropped_agreements", []).extend(split_list(drop))
    services = _services(facilities_path, agreements_path, sea=False)
    try:
        body = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        _validation_exit(exc)
        return
    with _store(database_url) as store:
        try:
            to_scenario(body, services.catalogue, services.platforms, services.sea_data)
            body = with_ids(body, services.catalogue, services.sea_data)
            saved = store.create_scenario(body.model_dump(mode="json"))
        except RelosError as exc:
            _fail(exc)
            return
    if as_json:
        _print_json(saved)
    else:
        typer.echo(f"saved scenario {saved['id']}: {saved['name']}")


@scenario_app.command("list")
def scenario_list(as_json: JsonOpt = False, database_url: DatabaseOpt = "") -> None:
    """List saved scenarios."""
    with _store(database_url) as store:
        rows = store.list_scenarios()
    if as_json:
        _print_json(rows)
    else:
        _scenario_table(rows)


@scenario_app.command("show")
def scenario_show(
    ref: Annotated[str, typer.Argument(help="Scenario id or name.")],
    database_url: DatabaseOpt = "",
) -> None:
    """Print one saved scenario as JSON."""
    with _store(database_url) as store:
        row = _find_scenario(store, ref)
    _print_json(row)


@scenario_app.command("delete")
def scenario_delete(
    ref: Annotated[str, typer.Argument(help="Scenario id or name.")],
    database_url: DatabaseOpt = "",
) -> None:
    """Delete a saved scenario."""
    with _store(database_url) as store:
        row = _find_scenario(store, ref)
        store.delete_scenario(int(row["id"]))
    typer.echo(f"deleted scenario {row['id']}: {row['name']}")


def _find_scenario(store: Store, ref: str) -> dict[str, Any]:
    rows = store.list_scenarios()
    for row in rows:
        if str(row["id"]) == ref or row["name"] == ref:
            return row
    typer.echo(f"error: no saved scenario {ref!r}", err=True)
    raise typer.Exit(code=2)


keys_app = typer.Typer(
    help="API keys for the HTTP API (the same store; run where the database is).",
    no_args_is_help=True,
)
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="viewer, planner or admin.")],
    name: Annotated[str, typer.Option(help="Whom it is for (owner of what they save).")],
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = "",
) -> None:
    """Make an API key and print its secret (shown this once; the store keeps its hash)."""
    with _store(database_url) as store:
        try:
            made = store.create_key(name, role)
        except RelosError as exc:
            _fail(exc)
            return
    if as_json:
        _print_json(made)
        return
    typer.echo(f"API key {made['id']} for {made['name']} ({made['role']}):")
    typer.echo(made["key"])
    typer.echo("Send it as: Authorization: Bearer <key>. It is not shown again.", err=True)


@keys_app.command("list")
def keys_list(as_json: JsonOpt = False, database_url: DatabaseOpt = "") -> None:
    """List API keys (never their secrets), revoked ones included."""
    with _store(database_url) as store:
        rows = store.list_keys(limit=store.count_keys() or 1)
    if as_json:
        _print_json(rows)
        return
    table = _table(
        "id",
        "name",
        "role",
        "prefix",
        "created",
        "revoked",
        title=f"{len(rows)} API keys",
        right=("id",),
    )
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["name"],
            r["role"],
            r["prefix"] + "...",
            r["created_at"][:16].replace("T", " "),
            (r["revoked_at"] or "")[:16].replace("T", " "),
        )
    _show(table, "name")


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[
        int, typer.Argument(min=1, max=MAX_ID, help="Key id (see `relos keys list`).")
    ],
    database_url: DatabaseOpt = "",
) -> None:
    """Revoke an API key: it stops working at once."""
    with _store(database_url) as store:
        try:
            row = store.revoke_key(key_id)
        except RelosError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(code=2) from None
    typer.echo(f"revoked API key {row['id']} of {row['name']} at {row['revoked_at']}")


@app.command()
def compare(
    plan_file: Annotated[
        str, typer.Option("--plan", help="A deployment as JSON (file or -), as POST /plans takes.")
    ],
    scenario: Annotated[
        list[str],
        typer.Option(help="Saved scenario id or name, or a scenario JSON file (repeat)."),
    ],
    as_json: JsonOpt = False,
    database_url: DatabaseOpt = "",
    facilities_path: FacilitiesOpt = DEFAULT_FACILITIES,
    agreements_path: AgreementsOpt = DEFAULT_AGREEMENTS,
) -> None:
    """Run one deployment under the baseline and each scenario; a table of deltas."""
    try:
        plan_spec = PlanSpec.model_validate(_read_json(plan_file))
    except ValidationError as exc:
        _validation_exit(exc)
        return
    services = _services(facilities_path, agreements_path)
    with _store(database_url) as store:
        items: list[int | dict[str, Any]] = []
        for ref in scenario:
            if Path(ref).is_file():
                items.append(_read_json(ref))
            else:
                items.append(int(_find_scenario(store, ref)["id"]))
        try:
            spec = CompareSpec(plan=plan_spec, scenarios=items, include_plans=as_json)
            result = services.compare(spec, saved=store.get_scenario)
        except ValidationError as exc:
            _validation_exit(exc)
            return
        except RelosError as exc:
            _fail(exc)
            return
    if as_json:
        _print_json(result)
        return
    deltas = ("nm", "days", "stops", "Δ nm", "Δ days", "Δ stops")
    table = _table(
        "scenario",
        "ok",
        *deltas,
        "stops used / reason",
        title="Scenarios compared (Δ: against the baseline)",
        right=deltas,
        wrap=("scenario", "stops used / reason"),  # a scenario's name is never cut
    )
    for row in result["results"]:
        t, d = row["totals"], row["delta"]
        table.add_row(
            row["scenario"],
            "yes" if row["feasible"] else "no",
            f"{t['distance_nm']:,.0f}" if t else "",
            f"{t['days']:.1f}" if t else "",
            str(t["stops"]) if t else "",
            f"{d['distance_nm']:+,.0f}" if d else "",
            f"{d['days']:+.1f}" if d else "",
            f"{d['stops']:+d}" if d else "",
            ", ".join(row["stops_used"]) if row["feasible"] else (row["reason"] or ""),
        )
    _show(table, ("scenario", 16), "stops used / reason", "scenario")


@app.command()
def access(
    nation: Annotated[str, typer.Option(help="Nation, ISO3 or name.")],
    date: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Day (default: today).")
    ] = None,
    service: ServiceOpt = None,
    kind: KindOpt = None,
    drop: Annotated[
        str | None, typer.Option(help="Agreements to treat as lapsed, comma-separated.")
    ] = None,
    close_facility: Annotated[
        str | None, typer.Option("--close-facility", help="Closed facilities, comma-separated.")
    ] = None,
    as_json: JsonOpt = False,
    facilities_path: FacilitiesOpt = DEFAULT_FACILITIES,
    agreements_path: AgreementsOpt = DEFAULT_AGREEMENTS,
) -> None:
    """Every facility the nation may use that day, and the agreement opening each (GET /access)."""
    _choice(kind, KINDS, "--kind")
    _choice(service, SERVICES, "--service")
    services = _services(facilities_path, agreements_path, sea=False)
    day = date.date() if date else dt.datetime.now(dt.UTC).date()
    try:
        result = services.access(
            nation,
            day,
            service=service,
            kind=kind,
            dropped_agreements=split_list(drop),
            closed_facilities=split_list(close_facility),
        )
    except RelosError as exc:
        _fail(exc)
        return
    if as_json:
        _print_json(result)
        return
    console.print(
        f"{result['nation']} on {result['date']}: agreements in force: "
        f"{', '.join(result['agreements_in_force']) or 'none'}"
    )
    table = _table(
        "facility",
        "ctry",
        "kind",
        "basis",
        "name",
        title=f"{result['count']} facilities usable" + (f" for {service}" if service else ""),
        caption="basis: own, or the agreements opening it (with how certain, if not confirmed)",
        wrap=("basis",),
    )
    for f in result["facilities"]:
        basis = ", ".join(f["agreements"]) or f["basis"]
        if f["confidence"] != "confirmed":
            basis += f" ({f['confidence'].removesuffix('_date')})"
        table.add_row(f["facility_id"], f["country"], _kind(f["kind"]), basis, f["name"])
    _show(table, "name", "basis")


@app.command()
def critical(
    plan_file: Annotated[
        str, typer.Option("--plan", help="A deployment as JSON (file or -), as POST /plans takes.")
    ],
    as_json: JsonOpt = False,
    facilities_path: FacilitiesOpt = DEFAULT_FACILITIES,
    agreements_path: AgreementsOpt = DEFAULT_AGREEMENTS,
) -> None:
    """The stops, agreements and passages a deployment relies on, ranked by what losing
    each costs (POST /critical)."""
    try:
        spec = PlanSpec.model_validate(_read_json(plan_file))
    except ValidationError as exc:
        _validation_exit(exc)
        return
    services = _services(facilities_path, agreements_path)
    try:
        result = services.critical(spec)
    except RelosError as exc:
        _fail(exc)
        return
    if as_json:
        _print_json(result)
        return
    base = result["baseline"]
    if not base["feasible"]:
        console.print(f"[bold red]infeasible[/]: {base['reason']}")
        raise typer.Exit(code=EXIT_INFEASIBLE)
    t = base["totals"]
    console.print(f"baseline: {t['distance_nm']:,.0f} nm, {t['days']:.1f} days, {t['stops']} stops")
    table = _table(
        "#",
        "without",
        "kind",
        "ok",
        "+ days",
        "stops used / reason",
        title="What the deployment relies on (the costliest loss first)",
        right=("#", "+ days"),
        wrap=("stops used / reason",),
    )
    for row in result["ranking"]:
        extra = row["extra_days"]
        table.add_row(
            str(row["rank"]),
            row["id"],
            row["kind"],
            "yes" if row["feasible"] else "no",
            "" if extra is None else f"{extra:+.1f}",
            ", ".join(row["stops_used"]) if row["feasible"] else (row["reason"] or ""),
        )
    _show(table, "stops used / reason")


EXIT_STOPPED = 1
"""Exit code of ``relos sweep`` when the sweep stopped (finished chunks are kept)."""


def _spec_fail(source: Path, exc: RelosError) -> None:
    where = f"{exc.field}: " if exc.field else ""
    typer.echo(f"error: {source}: {where}{exc.message}", err=True)
    raise typer.Exit(code=2)


@app.command()
def sweep(
    spec_file: Annotated[
        Path, typer.Argument(metavar="SPEC", help="The sweep as YAML or JSON (README: Sweeps).")
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Parquet file to write, one row per case.")
    ],
    workers: Annotated[
        int,
        typer.Option(
            min=0, max=512, help="Local Dask worker processes (1 thread each); 0: a plain loop."
        ),
    ] = 2,
    scheduler: Annotated[
        str | None,
        typer.Option(help="A running Dask scheduler, e.g. tcp://host:8786 (not --workers)."),
    ] = None,
    chunk: Annotated[
        int | None,
        typer.Option(min=1, max=10_000, help="Cases per task (default: sized to the sweep)."),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option("--resume/--no-resume", help="Keep the cases an earlier run of it finished."),
    ] = True,
    facilities_path: FacilitiesOpt = DEFAULT_FACILITIES,
    agreements_path: AgreementsOpt = DEFAULT_AGREEMENTS,
) -> None:
    """Run a batch of what-ifs (plans: scenarios x platforms x pairs x dates; reach: a
    reach block) into a Parquet file.

    Exit codes: 0 written, 2 bad spec or options, 1 the sweep stopped, 130 interrupted
    (after 1 or 130, the same command resumes where it stopped).
    """
    from contextlib import ExitStack

    from distributed.scheduler import KilledWorker
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from routing import sweep as sweeps  # Dask and Arrow are loaded for this command only

    try:
        spec = sweeps.load_spec(spec_file)
    except RelosError as exc:
        _spec_fail(spec_file, exc)
        return
    if output.is_dir():
        typer.echo(f"error: --output: {output} is a folder", err=True)
        raise typer.Exit(code=2)
    services = _services(facilities_path, agreements_path)
    try:
        job = sweeps.prepare(spec, services)
    except RelosError as exc:
        _spec_fail(spec_file, exc)
        return
    cfg = get_settings()
    assert cfg.platforms_path is not None
    source = sweeps.DataSource(
        facilities=facilities_path,
        agreements=agreements_path,
        platforms=cfg.platforms_path,
        sea_dir=cfg.sea_dir,
        cache_dir=cfg.cache_dir,
        numpy_hugepages=cfg.numpy_hugepages,
        **_layer(),
    )
    console.print(job.name)
    console.print(job.describe())
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )
    tasks: list[Any] = []

    def show(done: int, total: int) -> None:
        if not tasks:  # cases from an earlier run are not counted in the speed
            tasks.append(bar.add_task("planning", total=total, completed=done))
        bar.update(tasks[0], completed=done)

    try:
        with ExitStack() as stack:
            runner: sweeps.runner.ChunkRunner
            if workers == 0 and scheduler is None:
                runner = sweeps.InProcess(services)
            else:
                console.print(
                    f"Dask scheduler {scheduler}"
                    if scheduler
                    else f"Dask: {workers} local worker processes"
                )
                client = stack.enter_context(
                    sweeps.dask_client(workers=workers, scheduler=scheduler)
                )
                runner = sweeps.OnDask(client, source)
            stack.enter_context(bar)
            report = sweeps.run_sweep(
                job,
                output,
                runner,
                versions=services.versions,
                chunk_size=chunk,
                resume=resume,
                progress=show,
            )
    except KeyboardInterrupt:
        typer.echo("interrupted: run the same command again to resume", err=True)
        raise typer.Exit(code=130) from None
    except (RelosError, KilledWorker, OSError) as exc:
        if isinstance(exc, RelosError) and exc.field == "scheduler":
            _fail(exc)
        text = exc.message if isinstance(exc, RelosError) else f"{type(exc).__name__}: {exc}"
        typer.echo(f"error: the sweep stopped: {text}", err=True)
        typer.echo("finished chunks are kept: run the same command again to resume", err=True)
        raise typer.Exit(code=EXIT_STOPPED) from None
    print_sweep_summary(report.table)
    rate = f" ({report.computed / report.seconds:,.1f} cases/s)" if report.computed else ""
    console.print(f"wrote {report.output}: {report.total:,} rows")
    console.print(
        f"{report.computed:,} computed in {report.seconds:,.1f} s{rate}, "
        f"{report.reused:,} from an earlier run"
    )


def print_sweep_summary(table: Any) -> None:
    """Per scenario and platform: cases, feasible share, errors, and the medians of the
    feasible cases (in 80 columns); then the reach cases' medians, if any."""
    from routing.sweep import summarize, summarize_reach

    print_reach_summary(summarize_reach(table))
    rows = summarize(table)
    if not rows:
        return
    out = Table(caption="days, nm, stops: medians of the feasible cases")
    out.add_column("scenario", max_width=18, overflow="ellipsis")
    out.add_column("platform", max_width=12, overflow="ellipsis")
    for col in ("cases", "feasible", "errors", "days", "nm", "stops"):
        out.add_column(col, justify="right")

    def num(value: float | None, fmt: str) -> str:
        return "" if value is None else format(value, fmt)

    for r in rows:
        out.add_row(
            r.scenario,
            r.platform,
            f"{r.cases:,}",
            f"{r.feasible_share:.0%}",
            f"{r.errors:,}" if r.errors else "",
            num(r.median_days, ".1f"),
            num(r.median_distance_nm, ",.0f"),
            num(r.median_stops, "g"),
        )
    console.print(out)


def print_reach_summary(rows: list[Any]) -> None:
    """Per scenario, nation and platform of the reach cases: cases, errors, and the
    median area, lane share and facilities reached (in 80 columns)."""
    if not rows:
        return
    out = Table(caption="reach: medians of the cases answered; area in million km2")
    out.add_column("scenario", max_width=18, overflow="ellipsis")
    out.add_column("nation")
    out.add_column("platform", max_width=12, overflow="ellipsis")
    for col in ("cases", "errors", "area", "lanes", "facilities"):
        out.add_column(col, justify="right")
    for r in rows:
        answered = r.median_area_km2 is not None
        out.add_row(
            r.scenario,
            r.nation,
            r.platform,
            f"{r.cases:,}",
            f"{r.errors:,}" if r.errors else "",
            f"{r.median_area_km2 / 1e6:.1f}" if answered else "",
            f"{r.median_lane_share:.0%}" if answered else "",
            f"{r.median_facilities:g}" if answered else "",
        )
    console.print(out)


def _when(text: str | None, *, short: bool = False) -> str:
    """An ISO time as ``2026-08-06 10:37`` (UTC, to the minute; ``short``: ``08-06 10:37``)."""
    if not text:
        return ""
    when = dt.datetime.fromisoformat(text).astimezone(dt.UTC)
    return when.strftime("%m-%d %H:%M" if short else "%Y-%m-%d %H:%M")


def _hours(start: str | None, end: str | None) -> float | None:
    """Hours from one ISO time to another, to a tenth."""
    if not start or not end:
        return None
    delta = dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)
    return round(delta.total_seconds() / 3600, 1)


def print_legs(legs: list[dict[str, Any]]) -> None:
    """A plan's legs: from, to, distance, days under way (hours when every leg is
    shorter than a day: flights), fuel left on arrival (the group's lowest), waits and
    the passages on the way."""
    waits = any(leg.get("wait_h") for leg in legs)
    hours = all(leg["duration_h"] < 24 for leg in legs)
    time = "h" if hours else "days"
    table = _table(
        "#",
        "from",
        "to",
        "nm",
        time,
        *(["wait d"] if waits else []),
        "fuel",
        "passages",
        title="Legs (fuel: the lowest left on arrival)",
        right=("#", "nm", time, "wait d", "fuel"),
        wrap=("passages",),
    )
    for leg in legs:
        row = [
            str(leg["index"]),
            str(leg["from"]),
            str(leg["to"]),
            f"{leg['distance_nm']:,.0f}",
            f"{leg['duration_h']:.1f}" if hours else f"{leg['duration_h'] / 24:.1f}",
        ]
        if waits:
            row.append(f"{leg['wait_h'] / 24:.1f}" if leg.get("wait_h") else "")
        row += [f"{leg['fuel_on_arrival']:.0%}", ", ".join(leg["passages"]) or "-"]
        table.add_row(*row)
    _show(table, ("from", 16), ("to", 16), "passages", ("from", 12), ("to", 12), "from", "to")


def print_plan(result: dict[str, Any]) -> None:
    """A plan as a readable summary, its legs and its stops."""
    head = f"{result['platform']['label']} ({result['nation']}): "
    head += f"{result['origin']['name']} -> {result['destination']['name']}"
    console.print(head)
    if not result["feasible"]:
        console.print(f"[bold red]infeasible[/]: {result['reason']}")
        for s in result["suggestions"]:
            console.print(f"  - {s}")
        return
    t = result["totals"]
    console.print(
        f"{t['distance_nm']:,.0f} nm, {t['days']:.1f} days, {t['stops']} stops, ETA {t['eta']}, "
        f"usable range {result['usable_range_nm']:,.0f} nm at {result['speed_kn']:g} kn; "
        f"passages: {', '.join(result['passages']) or 'none'}"
    )
    if result.get("range_basis"):
        console.print(f"range: {result['range_basis']}")
    print_legs(result["legs"])
    cargo = any(s.get("cargo_t") is not None for s in result["stops"])
    cols = ["#", "stop", "basis", "arrive", "stay", "fuel", "notice"]
    table = _table(
        *cols,
        *(["cargo"] if cargo else []),
        title="Stops (times UTC)",
        right=("#", "stay", "fuel", "notice", "cargo"),
        wrap=("basis",),
    )
    for s in result["stops"]:
        stay = _hours(s["arrival"], s["departure"])
        row = [
            str(s["index"]),
            s["facility_id"],
            s["agreement"] or s["basis"],
            _when(s["arrival"], short=True),
            f"{stay:g} h" if stay is not None else "",
            f"{s['fuel_on_arrival']:.0%}",
            f"{s['notice_days']} d" if s["notice_days"] else "",
        ]
        if cargo:
            row.append("" if s.get("cargo_t") is None else f"{s['cargo_t']:,.0f} t")
        table.add_row(*row)
    if result["stops"]:
        _show(table, "basis")
    else:
        console.print("no resupply stops")
    dest = result["destination"]
    if dest.get("basis"):
        basis = dest["agreement"] or dest["basis"]
        notice = f", {dest['notice_days']} days' notice" if dest.get("notice_days") else ""
        console.print(f"destination call: {basis} ({dest.get('confidence', 'confirmed')}{notice})")
    for w in result["warnings"]:
        console.print(f"[yellow]warning[/]: {w}")


if __name__ == "__main__":  # pragma: no cover
    app()


def print_reach(result: dict[str, Any]) -> None:
    """Reach as a summary, a table by stops and the facilities within reach."""
    limits = result["limits"]
    console.print(
        f"{result['platform']} ({result['nation']}) from "
        f"{', '.join(o['id'] for o in result['origins'])}: {limits['max_stops']} stops"
        + (f", {limits['days']:g} days" if limits.get("days") else "")
        + f"; range {result['range_nm']:,.0f} nm at {result['speed_kn']:g} kn"
    )
    cols = ("stops", "sea area (M km2)", "sea lanes", "facilities")
    bands = _table(*cols, title="Within reach", right=cols)
    for b in result["by_stops"]:
        bands.add_row(
            str(b["stops"]),
            f"{b['area_km2'] / 1e6:,.1f}",
            f"{b['lane_share']:.0%}",
            str(b["facilities"]),
        )
    _show(bands)
    table = _table(
        "facility",
        "stops",
        "days",
        "basis",
        title="Facilities within reach",
        right=("stops", "days"),
        wrap=("basis",),
    )
    for f in result["facilities"]:
        basis = ", ".join(f["agreements"]) or f["basis"]
        table.add_row(f["id"], str(f["stops"]), f"{f['days']:.1f}", basis)
    _show(table, "basis")
    for c in result["closed"]:
        console.print(f"closed: {c}")
