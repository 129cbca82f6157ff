"""Response models: the shapes of the JSON answers, for the OpenAPI document.

The routers return plain dicts built by the core (``routing/service.py``,
``routing/plan/serialize.py``, ``routing/plan/compare.py``...) and declare these
models with ``responses={200: {"model": ...}}`` and ``response_model=None``: the
document describes every answer, but answers carrying thousands of coordinates are
not validated a second time on the way out. ``tests/app/test_response_models.py``
checks real answers against the published schemas instead.

Conventions: ``_nm`` nautical miles, ``_kn`` knots, ``_h`` hours, ``_t`` tonnes,
``_m`` metres; coordinates are GeoJSON order (lon, lat), WGS84; times are UTC,
ISO 8601. Every model accepts fields it does not list (``extra="allow"``), so a
client built from this document keeps working when a field is added. A field typed
``X | SkipJsonSchema[None] = None`` is sometimes absent, never null.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from geojson_pydantic import (
    Feature,
    FeatureCollection,
    LineString,
    MultiLineString,
    MultiPolygon,
    Point,
    Polygon,
)
from geojson_pydantic.types import Position2D
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from routing.catalogue.model import Agreement, Source
from routing.catalogue.platforms import Domain, Platform, RangePoint
from routing.plan.request import Objective, PlanSpec
from routing.plan.scenario import ScenarioSpec
from routing.sea.passages import ClosureGroup, IceRule, PassageKind, SeaSource
from routing.vocab import Confidence, Kind, Service

OPEN = ConfigDict(extra="allow")
"""Every response model: fields not listed here are still accepted."""
OPEN_ALL_REQUIRED = ConfigDict(extra="allow", json_schema_serialization_defaults_required=True)
"""For models reused from the core whose answers always carry every field (defaults
included): the document marks every field required."""

Basis = Literal["own", "agreement", "clearance"]
"""Why a nation may use a facility: its own, by an agreement, or by diplomatic clearance."""

Coordinates = Position2D
"""A point, GeoJSON order: [longitude, latitude] in degrees."""


# -- shared pieces ---------------------------------------------------------------------------


class DataVersions(BaseModel):
    """The versions of the data an answer was computed on (for provenance)."""

    model_config = OPEN

    catalogue: str = Field(description="Content hash of the facility and agreement catalogue.")
    graph: str | None = Field(
        description="Version of the sea-route graph; null when the service runs without it."
    )


class PlaceRef(BaseModel):
    """A place: a facility, or a bare sea point (``id`` null)."""

    model_config = OPEN

    id: str | None = Field(description="Facility id; null for a sea point given as lon,lat.")
    name: str = Field(description="Facility name, or the point written out for a sea point.")
    coordinates: Coordinates = Field(description="[lon, lat] in degrees.")


class AvoidedPassage(BaseModel):
    """A passage the ship (or the group) does not fit, and why."""

    model_config = OPEN

    passage: str = Field(description="Passage id (see GET /passages).")
    reason: str = Field(description="Which limit the ship exceeds (draught, beam, air draught).")


class GrantFields(BaseModel):
    """On what basis a nation may use a facility, with how sure that is."""

    model_config = OPEN

    basis: Basis = Field(
        description="own: the nation's own facility; agreement: opened by an agreement in "
        "force; clearance: a call by diplomatic clearance, with no agreement."
    )
    agreement: str | None = Field(
        description="The first agreement that opens the facility; null for own or clearance."
    )
    agreements: list[str] = Field(
        description="Every agreement that opens it, the most certain first (empty for own)."
    )
    services: list[Service] = Field(description="Services the nation may draw there.")
    confidence: Confidence = Field(
        description="The weakest confidence of the facility and the agreement opening it."
    )
    caveats: list[str] = Field(description="Why the record is less than confirmed, if it is.")


class Link(BaseModel):
    """A link to a related page of results."""

    model_config = OPEN

    rel: str = Field(description="Relation: 'next' is the next page.")
    href: str = Field(description="Address of the page.")
    type: str = Field(description="Media type of the page.")


# -- GET /health -----------------------------------------------------------------------------


class GraphInfo(BaseModel):
    """Size and provenance of the loaded sea-route graph."""

    model_config = OPEN

    graph_version: str = Field(description="Version (cache key hash) of the graph.")
    nodes: int = Field(description="Nodes in the graph.")
    edges: int = Field(description="Edges in the graph.")
    ports: int = Field(description="Ports and naval bases the graph was built to join.")
    ports_not_connected: list[str] = Field(
        description="Facility ids the graph cannot reach by sea (e.g. the Caspian)."
    )
    build: dict[str, float] = Field(
        description="Figures from the graph's build: counts of edges repaired, dropped, "
        "straightened, and the seconds each step took."
    )


class HealthStatus(BaseModel):
    """The service is up, and which data it serves."""

    model_config = OPEN

    status: Literal["ok"] = Field(description="Always 'ok' once the data is loaded.")
    facilities: int = Field(description="Facilities in the catalogue.")
    agreements: int = Field(description="Agreements in the registry.")
    catalogue_version: str = Field(description="Content hash of the catalogue.")
    graph_version: str | None = Field(
        description="Version of the sea-route graph; null when it is not loaded."
    )
    ports_not_connected: list[str] = Field(
        description="Ports the sea graph cannot reach (empty without a graph)."
    )
    graph: GraphInfo | None = Field(description="The sea graph's figures; null when not loaded.")


# -- facilities and agreements ---------------------------------------------------------------


class FacilityProperties(BaseModel):
    """What the catalogue records of a facility (its id and position are on the Feature)."""

    model_config = OPEN

    name: str = Field(description="Facility name.")
    aliases: list[str] = Field(description="Other names it is known by.")
    country: str = Field(description="Sovereign nation, ISO 3166-1 alpha-3.")
    operated_by: list[str] = Field(
        description="Other nations (ISO3) operating it, who can also open it to others."
    )
    kind: Kind = Field(description="naval_base, port, airbase or commercial_port.")
    operator: str | None = Field(description="Who runs it, when published.")
    region: str = Field(description="Region and body of water, in words.")
    position_source: str = Field(description="Where the position comes from.")
    position_precision_m: float = Field(description="How far off the position may be, metres.")
    services: list[Service] = Field(description="Services the facility offers.")
    limits: dict[str, float] = Field(
        description="Published limits, e.g. max_draught_m, berth_length_m, runway_length_m."
    )
    icao: str | None = Field(description="ICAO code of an airbase.")
    sources: list[Source] = Field(description="Public sources of the record.")
    notes: str | None = Field(description="Notes in words.")
    confidence: Confidence = Field(
        description="How sure the record is: confirmed, assumed_date, uncertain, contested."
    )
    caveats: list[str] = Field(description="Why the record is less than confirmed, if it is.")
    distance_nm: float | SkipJsonSchema[None] = Field(
        None, description="Great-circle distance from `near`, when the query gave `near`."
    )
    access: GrantFields | SkipJsonSchema[None] = Field(
        None, description="Why `usable_by` may use it on `date`, when the query gave usable_by."
    )


class FacilityFeature(Feature[Point, FacilityProperties]):
    """A facility as a GeoJSON Feature: a Point at the harbour or the runway."""

    model_config = OPEN

    id: str = Field(description="Facility id (slug).")
    geometry: Point = Field(description="Position, [lon, lat].")
    properties: FacilityProperties


class FacilityCollection(FeatureCollection[FacilityFeature]):
    """A page of facilities as a GeoJSON FeatureCollection."""

    model_config = OPEN

    numberMatched: int = Field(description="Facilities matching the filters, on every page.")
    numberReturned: int = Field(description="Facilities on this page.")
    links: list[Link] = Field(description="The next page, when there is one.")
    date: dt.date | SkipJsonSchema[None] = Field(
        None, description="The date `usable_by` was judged on (only with usable_by)."
    )


class FacilityDetailProperties(FacilityProperties):
    """A facility's record, with the agreements that can open it to others."""

    opened_by_agreements: list[str] = Field(
        description="Agreements that can open this facility to a party other than its own."
    )


class FacilityDetail(Feature[Point, FacilityDetailProperties]):
    """One facility as a GeoJSON Feature."""

    model_config = OPEN

    id: str = Field(description="Facility id (slug).")
    geometry: Point = Field(description="Position, [lon, lat].")
    properties: FacilityDetailProperties


class AgreementInfo(Agreement):
    """A logistics agreement, with the number of facilities it opens."""

    model_config = OPEN_ALL_REQUIRED

    facility_count: int = Field(
        description="Facilities this agreement can open to a party other than their own."
    )


class AgreementList(BaseModel):
    """The agreements registry (filtered)."""

    model_config = OPEN

    count: int = Field(description="Agreements listed.")
    agreements: list[AgreementInfo]


class AccessEntry(GrantFields):
    """A facility the nation may use, and on what basis."""

    facility_id: str = Field(description="Facility id.")
    name: str = Field(description="Facility name.")
    country: str = Field(description="Sovereign nation, ISO3.")
    kind: Kind = Field(description="naval_base, port, airbase or commercial_port.")
    coordinates: Coordinates = Field(description="[lon, lat] in degrees.")


class AccessAnswer(BaseModel):
    """Every facility a nation may use on a date, with the agreement that opens it."""

    model_config = OPEN

    nation: str = Field(description="The deploying nation, ISO3.")
    date: dt.date = Field(description="The date access was judged on.")
    service: Service | None = Field(description="The service asked for; null for any.")
    agreements_in_force: list[str] = Field(
        description="The nation's agreements in force on the date (dropped ones left out)."
    )
    count: int = Field(description="Facilities listed.")
    facilities: list[AccessEntry]


# -- routes, matrix, passages ----------------------------------------------------------------


class RouteTransit(BaseModel):
    """A passage on the route: where along it, and (with a date) when."""

    model_config = OPEN

    passage: str = Field(description="Passage id (see GET /passages).")
    name: str = Field(description="Passage name.")
    entered_nm: float = Field(description="Distance from the start where the route enters it.")
    left_nm: float = Field(description="Distance from the start where the route leaves it.")
    entered: dt.datetime | SkipJsonSchema[None] = Field(
        None, description="When the ship enters it (only when the route has a date)."
    )
    left: dt.datetime | SkipJsonSchema[None] = Field(
        None, description="When the ship leaves it (only when the route has a date)."
    )


class RouteAlternativeProperties(BaseModel):
    """A route's figures: distance, time at the speed asked for, passages and warnings."""

    model_config = OPEN

    distance_nm: float = Field(description="Length of the route.")
    duration_h: float = Field(description="Time under way at `speed_kn`.")
    speed_kn: float = Field(description="The speed the duration is computed at.")
    date: dt.date | None = Field(description="Voyage date (sailing at midnight UTC), if given.")
    origin: PlaceRef = Field(description="Where the route starts.")
    destination: PlaceRef = Field(description="Where the route ends.")
    passages: list[str] = Field(description="Passages traversed, in order.")
    closed: list[str] = Field(
        description="Passages closed for this route: those asked for, those out of season or "
        "shut to the ship's ice class, and (for an alternative) those closed to find it."
    )
    avoided: list[AvoidedPassage] = Field(description="Passages the ship does not fit.")
    transits: list[RouteTransit] = Field(description="Each passage, where and when it is met.")
    warnings: list[str] = Field(
        description="Ice rules met on the way, and passages routed around out of season."
    )


class RouteAlternative(Feature[LineString, RouteAlternativeProperties]):
    """A distinct alternative route as a GeoJSON Feature (a LineString, continuous across
    the antimeridian: longitudes may run past ±180)."""

    model_config = OPEN

    geometry: LineString = Field(description="The track, [lon, lat] points.")
    properties: RouteAlternativeProperties


class RouteProperties(RouteAlternativeProperties):
    """The best route's figures, with the distinct alternatives asked for."""

    season_closed: list[str] = Field(
        description="Passages the route keeps out of because the ship would be in them out "
        "of season on the date given."
    )
    alternatives: list[RouteAlternative] = Field(
        description="The other distinct routes (alternatives - 1 at most), shortest first."
    )


class RouteFeature(Feature[LineString, RouteProperties]):
    """The shortest sea route as a GeoJSON Feature (a LineString, continuous across the
    antimeridian: longitudes may run past ±180)."""

    model_config = OPEN

    geometry: LineString = Field(description="The track, [lon, lat] points.")
    properties: RouteProperties


class AirStretch(BaseModel):
    """A stretch of a flight in one state's airspace (or international airspace)."""

    model_config = OPEN

    airspace: str | None = Field(description="The state (ISO3); null over international waters.")
    name: str = Field(description="The state's or territory's name.")
    basis: Literal["own", "agreement", "visit", "clearance", "international"] = Field(
        description="Why the flight may be there: own airspace, an agreement covering airspace "
        "(RELOS), the state it takes off from or lands in (visit), a diplomatic clearance, or "
        "international airspace."
    )
    nm: float = Field(description="Nautical miles flown in it.")


class AirClearance(BaseModel):
    """A state whose airspace the flight needs permission for."""

    model_config = OPEN

    airspace: str = Field(description="The state (ISO3).")
    name: str = Field(description="Its name.")
    basis: Literal["clearance", "visit"] = Field(
        description="clearance: overflight by diplomatic clearance; visit: entered to call there "
        "(arranged with the call)."
    )
    legs: list[int] = Field(description="The legs that enter it.")
    nm: float = Field(description="Nautical miles flown in it.")
    notice_days: int | None = Field(description="Lead time of the clearance request, days.")
    request_by: dt.datetime | None = Field(description="When to ask, at the latest.")


class AirClosed(BaseModel):
    """Airspace closed to the nation's aircraft whatever the flight."""

    model_config = OPEN

    airspace: str = Field(description="The state (ISO3).")
    unit: str = Field(description="The Natural Earth unit (a state or a territory).")
    name: str = Field(description="Its name.")
    reason: str = Field(description="Why, with the date (standing closure) or 'requested'.")
    closure: str | None = Field(description="The rule id in data/air/rules.json, if standing.")


class AirspaceRules(BaseModel):
    """The airspace rules the answer was found under."""

    model_config = OPEN

    nation: str = Field(description="Whose aircraft.")
    date: dt.date = Field(description="The day the rules are those of.")
    allow_clearance: bool = Field(description="Whether third states may be crossed by clearance.")
    clearance_notice_days: int = Field(description="Lead time assumed for a clearance, days.")
    closed: list[AirClosed] = Field(description="Standing and requested closures.")
    needing_clearance: int = Field(
        description="Units of airspace closed only because clearance is not allowed."
    )
    closed_units: list[dict[str, str]] = Field(
        description="Every unit closed to the flights ({unit, kind: closure | no_clearance}), "
        "before a leg opens the states it calls in; the maps shade them."
    )
    caveats: list[str] = Field(description="What the airspace model leaves out.")


class AirRouteProperties(BaseModel):
    """A flight's figures."""

    model_config = OPEN

    origin: PlaceRef
    destination: PlaceRef
    nation: str = Field(description="Whose aircraft.")
    date: dt.date = Field(description="Day of the flight.")
    feasible: bool = Field(description="Whether a flight in open airspace exists.")
    reason: str | None = Field(description="Why not, naming the airspace in the way.")
    distance_nm: float | None = Field(description="Length of the flight (null if infeasible).")
    great_circle_nm: float = Field(description="The great-circle distance, for comparison.")
    overflies: list[str] = Field(description="States flown over, in order (ISO3).")
    stretches: list[AirStretch] = Field(description="The airspace along the flight, in order.")
    clearances: list[AirClearance] = Field(description="Permissions the flight needs.")
    airspace: AirspaceRules


class AirRouteFeature(BaseModel):
    """The shortest flight in open airspace as a GeoJSON Feature (a LineString through
    great-circle segments, continuous across the antimeridian; null when infeasible)."""

    model_config = OPEN

    type: Literal["Feature"]
    geometry: LineString | None = Field(description="The track, [lon, lat] points.")
    properties: AirRouteProperties


class DistanceMatrix(BaseModel):
    """Sea distances between facilities."""

    model_config = OPEN

    facilities: list[str] = Field(description="Facility ids, in the order of the rows.")
    closed: list[str] = Field(
        description="Every passage closed while measuring: those asked for, and those out of "
        "season on the date or shut to the ice class."
    )
    distance_nm: list[list[float | None]] = Field(
        description="distance_nm[i][j] from facilities[i] to facilities[j]; null where no "
        "sea route joins them."
    )


class PassageInfo(BaseModel):
    """A named passage that can be closed: a gate (lines across it) or a region."""

    model_config = OPEN

    id: str = Field(description="Passage id, used in `closed`.")
    name: str = Field(description="Passage name.")
    kind: PassageKind = Field(description="canal, strait, cape, seasonal_route or ice_region.")
    seasonal: bool = Field(description="Whether it is open only in season.")
    season_rule: str | None = Field(description="The season rule and its source, in words.")
    note: str = Field(description="Where the gate or region is drawn.")
    limits: dict[str, float] = Field(
        description="Published transit limits: max_draught_m, max_beam_m, max_air_draught_m, "
        "max_length_m."
    )
    ice_rules: list[IceRule] = Field(
        description="Winter navigation rules of an ice region (from/to are [month, day])."
    )
    sources: list[SeaSource] = Field(description="Public sources.")
    geometry: MultiLineString | Polygon = Field(
        description="The gate lines (MultiLineString) or the region (Polygon), [lon, lat]."
    )


class PassageList(BaseModel):
    """Every passage, and the groups that close several at once."""

    model_config = OPEN

    count: int = Field(description="Passages listed.")
    passages: list[PassageInfo]
    closure_groups: list[ClosureGroup] = Field(
        description="Passages that together are every way through a barrier."
    )


# -- scenarios -------------------------------------------------------------------------------


class StoredScenario(ScenarioSpec):
    """A saved scenario: its body plus id, version and timestamps (UTC)."""

    model_config = OPEN_ALL_REQUIRED

    id: int = Field(description="Stable id, never reused.")
    owner: str = Field(description="Who saved it: only they or an admin may change it.")
    version: int = Field(description="1 when created, +1 at each PUT.")
    created_at: dt.datetime
    updated_at: dt.datetime


class ScenarioPage(BaseModel):
    """A page of saved scenarios, oldest first."""

    model_config = OPEN

    count: int = Field(description="Scenarios saved in all.")
    limit: int = Field(description="Page size asked for.")
    offset: int = Field(description="Scenarios skipped.")
    scenarios: list[StoredScenario]


# -- plans -----------------------------------------------------------------------------------


class PlanMember(BaseModel):
    """Ships (or aircraft) of one type in the group."""

    model_config = OPEN

    id: str = Field(description="Platform id ('custom' for an inline platform).")
    name: str = Field(description="Platform name.")
    count: int = Field(description="How many of it.")


class PlanPlatform(BaseModel):
    """The platform or task group planned for."""

    model_config = OPEN

    label: str = Field(description="The group in words, e.g. '2 x Talwar + Deepak'.")
    members: list[PlanMember]
    domain: Domain = Field(description="sea (ships) or air (aircraft).")


class PlanCall(PlaceRef):
    """The origin, a waypoint or the destination, and the basis of the call there.

    ``basis`` is null at a bare sea point and when the plan is infeasible; an
    infeasible plan's ends carry only the place and the basis fields."""

    basis: Basis | None = Field(
        description="own, agreement or clearance; null at a sea point or in an infeasible plan."
    )
    agreement: str | None = Field(description="The first agreement that opens it, if any.")
    agreements: list[str] = Field(description="Every agreement that opens it.")
    services: list[Service] | SkipJsonSchema[None] = Field(
        None, description="Services the nation may draw there (only where there is a call)."
    )
    confidence: Confidence | SkipJsonSchema[None] = Field(
        None, description="How sure the basis is (only where there is a call)."
    )
    caveats: list[str] | SkipJsonSchema[None] = Field(
        None, description="Why it is less than confirmed (only where there is a call)."
    )
    time: dt.datetime | SkipJsonSchema[None] = Field(
        None, description="When the group is there (feasible plans only)."
    )
    notice_days: int | None = Field(
        None, description="Notice the call needs, days; null when none (feasible plans only)."
    )
    request_by: dt.datetime | None = Field(
        None, description="When the call must be requested; null when no notice is needed."
    )


class PlanTransit(BaseModel):
    """A passage on a leg, and when the group is in it."""

    model_config = OPEN

    passage: str = Field(description="Passage id.")
    name: str = Field(description="Passage name.")
    entered: dt.datetime = Field(description="When the group enters it.")
    left: dt.datetime = Field(description="When the group leaves it.")


class _LegFields(BaseModel):
    """One leg between consecutive places of the plan."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    index: int = Field(description="1 for the first leg.")
    from_: str | None = Field(
        alias="from", description="Facility id it starts from; null at a sea point."
    )
    to: str | None = Field(description="Facility id it ends at; null at a sea point.")
    from_name: str = Field(description="Name of where it starts.")
    to_name: str = Field(description="Name of where it ends.")
    distance_nm: float = Field(description="Length of the leg.")
    duration_h: float = Field(description="Time under way.")
    passages: list[str] = Field(description="Passages traversed, in order.")
    fuel_on_arrival: float = Field(
        description="Lowest fuel left on arrival of any member, fraction of capacity (0-1)."
    )
    fuel: dict[str, float] | None = Field(
        description="Fuel left on arrival per member platform id, fraction of capacity."
    )
    cargo_t: float | None = Field(
        description="Tanker cargo fuel left for the others on arrival; null without a tanker."
    )
    depart: dt.datetime | None = Field(description="When the leg begins.")
    arrive: dt.datetime | None = Field(description="When the leg ends.")
    wait_h: float = Field(description="Hours waited before sailing, for a season.")
    wait_reason: str | None = Field(description="Why it waited, in words.")
    transits: list[PlanTransit] = Field(description="Passages met, with the times.")


class PlanLeg(_LegFields):
    """One leg between consecutive places of the plan, with its track."""

    geometry: LineString = Field(description="The track, [lon, lat] points.")


class PlanStop(GrantFields):
    """A resupply stop: the facility, the agreement that opens it and the times there."""

    index: int = Field(description="1 for the first stop.")
    facility_id: str = Field(description="Facility id.")
    name: str = Field(description="Facility name.")
    country: str | None = Field(description="Sovereign nation, ISO3.")
    coordinates: Coordinates = Field(description="[lon, lat] in degrees.")
    arrival: dt.datetime = Field(description="When the group arrives.")
    departure: dt.datetime = Field(description="When it sails again.")
    fuel_on_arrival: float = Field(
        description="Lowest fuel left on arrival of any member, fraction of capacity (0-1)."
    )
    fuel: dict[str, float] | None = Field(
        description="Fuel left on arrival per member platform id, fraction of capacity."
    )
    cargo_t: float | None = Field(
        description="Tanker cargo fuel left for the others on arrival; null without a tanker."
    )
    notice_days: int | None = Field(description="Notice the call needs, days.")
    request_by: dt.datetime | None = Field(description="When the call must be requested.")
    wait_h: float = Field(description="Hours waited in port before the call could begin.")
    wait_reason: str | None = Field(description="Why it waited, in words.")


class PlanTotals(BaseModel):
    """A feasible plan's totals."""

    model_config = OPEN

    distance_nm: float = Field(description="Distance sailed or flown.")
    duration_h: float = Field(description="Departure to arrival: sailing + dwell + waits.")
    sailing_h: float = Field(description="Hours under way.")
    dwell_h: float = Field(description="Hours alongside at resupply stops.")
    wait_h: float = Field(description="Hours waited for seasons and notice periods.")
    days: float = Field(description="duration_h in days.")
    stops: int = Field(description="Resupply stops.")
    eta: dt.datetime = Field(description="Arrival at the destination.")


class LegProperties(_LegFields):
    """A leg's figures on the map."""

    role: Literal["leg"]


class StopProperties(PlanStop):
    """A stop's figures on the map."""

    role: Literal["stop"]


class EndProperties(PlaceRef):
    """The origin or the destination on the map."""

    role: Literal["origin", "destination"]


class LegFeature(Feature[LineString, LegProperties]):
    """A leg on the map."""

    model_config = OPEN

    geometry: LineString
    properties: LegProperties


class StopFeature(Feature[Point, StopProperties]):
    """A resupply stop on the map."""

    model_config = OPEN

    geometry: Point
    properties: StopProperties


class EndFeature(Feature[Point, EndProperties]):
    """The origin or the destination on the map."""

    model_config = OPEN

    geometry: Point
    properties: EndProperties


class PlanMap(BaseModel):
    """The plan as a GeoJSON FeatureCollection: legs, stops, origin and destination
    (``properties.role`` says which)."""

    model_config = OPEN

    type: Literal["FeatureCollection"]
    features: list[LegFeature | StopFeature | EndFeature]


class _PlanFields(BaseModel):
    """A deployment plan, or why there is none."""

    model_config = OPEN

    scenario: str = Field(description="Scenario name ('baseline' without one).")
    feasible: bool = Field(description="Whether a plan was found.")
    reason: str | None = Field(description="Why there is no plan; null when feasible.")
    suggestions: list[str] = Field(
        description="What would make an infeasible plan feasible, with its cost."
    )
    warnings: list[str] = Field(description="Caveats of the plan, in words.")
    nation: str = Field(description="Deploying nation, ISO3.")
    platform: PlanPlatform
    objective: Objective = Field(description="What the plan minimises.")
    speed_kn: float = Field(description="Planned speed.")
    reserve: float = Field(description="Fuel fraction kept on arrival.")
    usable_range_nm: float = Field(
        description="Longest stretch between resupplies at speed_kn with the reserve."
    )
    range_basis: str = Field(description="What sets the usable range, in words.")
    departure: dt.datetime = Field(description="Departure time.")
    closed: list[str] = Field(description="Passages closed by the request.")
    season_closed: list[str] = Field(
        description="Passages the plan keeps out of because the group would be in them out "
        "of season."
    )
    origin: PlanCall
    destination: PlanCall
    waypoints: list[PlanCall] = Field(description="The waypoints, in order.")
    legs: list[PlanLeg] = Field(description="Legs in order (empty when infeasible).")
    stops: list[PlanStop] = Field(description="Resupply stops in order (empty when infeasible).")
    totals: PlanTotals | None = Field(description="Totals; null when infeasible.")
    passages: list[str] = Field(description="Passages traversed, in order, each once.")
    avoided_passages: list[AvoidedPassage] = Field(
        description="Passages the group does not fit (draught, beam, air draught)."
    )
    geojson: PlanMap
    overflies: list[str] | SkipJsonSchema[None] = Field(
        None, description="Air plans: the states flown over, in order (ISO3)."
    )
    clearances: list[AirClearance] | SkipJsonSchema[None] = Field(
        None, description="Air plans: the permissions the flights need."
    )
    airspace: AirspaceRules | SkipJsonSchema[None] = Field(
        None, description="Air plans: the airspace rules the plan was found under."
    )


class SavedPlanRef(BaseModel):
    """Where a plan saved with ``save=true`` is kept."""

    model_config = OPEN

    id: int = Field(description="Saved plan id.")
    href: str = Field(description="Its address: GET it later.")


class PlanResult(_PlanFields):
    """The ``POST /plans`` answer: the optimal plan, or ``feasible: false`` with the
    reason and what would fix it."""

    versions: DataVersions
    saved: SavedPlanRef | SkipJsonSchema[None] = Field(
        None, description="With save=true: the saved plan's id and address."
    )


class SavedPlanSummary(BaseModel):
    """A saved plan's summary."""

    model_config = OPEN

    id: int = Field(description="Saved plan id.")
    created_at: dt.datetime = Field(description="When it was saved.")
    owner: str = Field(description="Who saved it.")
    scenario_id: int | None = Field(description="The saved scenario it was planned under, if any.")
    catalogue_version: str = Field(description="Catalogue version it was computed on.")
    graph_version: str | None = Field(description="Sea-graph version it was computed on.")
    nation: str | None = Field(description="Deploying nation, ISO3.")
    origin: str | None = Field(description="Origin as asked (facility id or lon,lat).")
    destination: str | None = Field(description="Destination as asked.")
    feasible: bool | None = Field(description="Whether a plan was found.")
    totals: PlanTotals | None = Field(description="The plan's totals; null when infeasible.")


class SavedPlanPage(BaseModel):
    """A page of saved plans, newest first."""

    model_config = OPEN

    count: int = Field(description="Plans saved in all.")
    limit: int = Field(description="Page size asked for.")
    offset: int = Field(description="Plans skipped.")
    plans: list[SavedPlanSummary]


class SavedPlanRequest(PlanSpec):
    """The ``POST /plans`` body as it was saved, every field filled in."""

    model_config = OPEN_ALL_REQUIRED


class SavedPlan(SavedPlanSummary):
    """A saved plan: its summary, the request and the answer."""

    request: SavedPlanRequest
    result: PlanResult


# -- platforms -------------------------------------------------------------------------------


class PlatformProfile(Platform):
    """A ship class or aircraft type with its endurance, speeds, size and sources."""

    model_config = OPEN_ALL_REQUIRED


class PlatformList(BaseModel):
    """Every platform profile."""

    model_config = OPEN

    count: int = Field(description="Profiles listed.")
    platforms: list[PlatformProfile]


class FuelPoint(BaseModel):
    """The range and fuel burn at one speed."""

    model_config = OPEN

    speed_kn: float = Field(description="Speed.")
    range_nm: float = Field(description="Range at that speed with empty tanks on arrival.")
    burn_t_per_nm: float | None = Field(
        description="Fuel burnt per nautical mile, tonnes; null without a fuel capacity."
    )


class FuelModel(BaseModel):
    """The fuel curve as planners read it."""

    model_config = OPEN

    published: list[RangePoint] = Field(description="Published ranges, slowest first.")
    economical_speed_kn: float = Field(description="Speed of the longest range.")
    max_speed_kn: float = Field(description="Top speed.")
    range_nm_at: list[FuelPoint] = Field(description="Range and burn across the speed envelope.")
    fuel_capacity_t: float | None = Field(description="Fuel carried for its own use, tonnes.")
    stand_in: list[str] = Field(description="What rests on estimates, not published figures.")
    model: str = Field(description="How the curve is drawn between and beyond the points.")


class PlatformDetail(PlatformProfile):
    """One profile, with its usable range and its fuel curve.

    The curve is the field ``fuel_model`` in JSON (``fuel_curve`` here: ``Platform``
    has a method of that name)."""

    model_config = ConfigDict(
        extra="allow", json_schema_serialization_defaults_required=True, populate_by_name=True
    )

    usable_range_nm: float = Field(
        description="Usable range at at_speed_kn with the default 25% reserve."
    )
    fuel_curve: FuelModel = Field(
        alias="fuel_model",
        description="The fuel curve: published points, the range and burn at speeds across "
        "the envelope, and which figures are estimates.",
    )


# -- what-if ---------------------------------------------------------------------------------


class ComparisonTotals(BaseModel):
    """A feasible plan's totals, in short."""

    model_config = OPEN

    distance_nm: float = Field(description="Distance sailed or flown.")
    duration_h: float = Field(description="Departure to arrival.")
    days: float = Field(description="duration_h in days.")
    stops: int = Field(description="Resupply stops.")


class ComparedPlan(_PlanFields):
    """A plan under one scenario, in the same form as the ``POST /plans`` answer."""

    versions: dict[str, str | None] = Field(
        description="Empty here: a comparison does not record the data versions per plan."
    )


class PlanComparisonRow(BaseModel):
    """A deployment under one scenario, against the baseline."""

    model_config = OPEN

    scenario: str = Field(description="Scenario name ('baseline' first).")
    feasible: bool = Field(description="Whether a plan was found.")
    reason: str | None = Field(description="Why there is no plan; null when feasible.")
    suggestions: list[str] = Field(description="What would make it feasible.")
    totals: ComparisonTotals | None = Field(description="Totals; null when infeasible.")
    delta: ComparisonTotals | None = Field(
        description="This scenario minus the baseline; null unless both are feasible."
    )
    stops_used: list[str] = Field(description="Stop facility ids, in order.")
    stops_added: list[str] = Field(description="Stops the baseline does not use.")
    stops_removed: list[str] = Field(description="Baseline stops this plan does not use.")
    agreements_used: list[str] = Field(description="Agreements the plan relies on.")
    passages: list[str] = Field(description="Passages traversed, in order.")
    plan: ComparedPlan | SkipJsonSchema[None] = Field(
        None, description="The full plan (unless include_plans is false)."
    )


class RouteTotals(BaseModel):
    """A route's totals under one scenario."""

    model_config = OPEN

    distance_nm: float = Field(description="Length of the route.")
    duration_h: float = Field(description="Time under way at the route's speed_kn.")
    stops: int = Field(description="Always 0: a route has no resupply stops.")


class ComparedRouteProperties(BaseModel):
    """A route's raw figures (unrounded distance; ends as given)."""

    model_config = OPEN

    distance_nm: float = Field(description="Length of the route (not rounded).")
    passages: list[str] = Field(description="Passages traversed, in order.")
    origin: str = Field(description="Origin as given: a facility id or 'lon,lat'.")
    destination: str = Field(description="Destination as given.")
    closed: list[str] = Field(description="Passages closed for this route.")
    avoided: list[AvoidedPassage] = Field(description="Passages the ship does not fit.")


class ComparedRoute(Feature[LineString, ComparedRouteProperties]):
    """A route under one scenario, as a GeoJSON Feature."""

    model_config = OPEN

    geometry: LineString = Field(description="The track, [lon, lat] points.")
    properties: ComparedRouteProperties


class RouteComparisonRow(BaseModel):
    """A route under one scenario, against the baseline."""

    model_config = OPEN

    scenario: str = Field(description="Scenario name ('baseline' first).")
    feasible: bool = Field(description="Whether a sea route exists.")
    reason: str | None = Field(description="Why there is none; null when feasible.")
    totals: RouteTotals | None = Field(description="Totals; null when there is no route.")
    passages: list[str] = Field(description="Passages traversed (empty without a route).")
    delta: RouteTotals | None = Field(
        description="This scenario minus the baseline; null unless both have a route."
    )
    route: ComparedRoute | SkipJsonSchema[None] = Field(
        None, description="The route (only when there is one)."
    )
    closures: list[str] | SkipJsonSchema[None] = Field(
        None, description="The closures that cut the route off (only when there is none)."
    )


class Comparison(BaseModel):
    """One deployment (or route) under the baseline and each scenario."""

    model_config = OPEN

    baseline: PlanComparisonRow | RouteComparisonRow = Field(
        description="The baseline row (the first of results)."
    )
    results: list[PlanComparisonRow | RouteComparisonRow] = Field(
        description="A row per scenario, baseline first; plan rows for a `plan`, route rows "
        "for a `route`."
    )


class CriticalBaseline(BaseModel):
    """The deployment as asked."""

    model_config = OPEN

    feasible: bool = Field(description="Whether a plan was found.")
    reason: str | None = Field(description="Why there is none; null when feasible.")
    totals: ComparisonTotals | None = Field(description="Totals; null when infeasible.")


class CriticalItem(BaseModel):
    """What losing one stop, agreement or passage costs the deployment."""

    model_config = OPEN

    rank: int = Field(description="1 for the most critical.")
    kind: Literal["facility", "agreement", "passage"] = Field(
        description="facility (closed), agreement (dropped) or passage (closed)."
    )
    id: str = Field(description="Its id.")
    feasible: bool = Field(description="Whether the deployment is still feasible without it.")
    extra_h: float | None = Field(description="Hours its loss adds; null when infeasible.")
    extra_days: float | None = Field(description="extra_h in days; null when infeasible.")
    reason: str | None = Field(description="Why it is infeasible without it.")
    stops_used: list[str] = Field(description="The stops the plan uses without it.")


class Criticality(BaseModel):
    """What the deployment relies on, ranked: infeasible first, then by extra time."""

    model_config = OPEN

    baseline: CriticalBaseline
    ranking: list[CriticalItem] = Field(description="Empty when the baseline is infeasible.")


__all__ = [
    "AccessAnswer",
    "AgreementInfo",
    "AgreementList",
    "Comparison",
    "Criticality",
    "DistanceMatrix",
    "FacilityCollection",
    "FacilityDetail",
    "HealthStatus",
    "PassageList",
    "PlanResult",
    "PlatformDetail",
    "PlatformList",
    "RouteFeature",
    "SavedPlan",
    "SavedPlanPage",
    "ScenarioPage",
    "StoredScenario",
]


# -- reach ------------------------------------------------------------------------------------


class ReachBand(BaseModel):
    """What is within reach with at most ``stops`` resupply stops."""

    model_config = OPEN

    stops: int = Field(description="Resupply stops at most.")
    area_km2: float = Field(description="Sea area within reach.")
    lane_nm: float = Field(description="Length of the sea-lane backbone within reach.")
    lane_share: float = Field(description="lane_nm as a share of the whole backbone (0-1).")
    facilities: int = Field(description="Facilities within reach where a call may be made.")


class ReachFacility(BaseModel):
    """A facility within reach where the nation may call on arrival."""

    model_config = OPEN

    id: str = Field(description="Facility id.")
    name: str
    country: str = Field(description="Sovereign nation, ISO3.")
    kind: Kind
    coordinates: Coordinates
    stops: int = Field(description="Fewest resupply stops to get there.")
    days: float = Field(description="Earliest arrival, days after departure.")
    via: list[str] = Field(description="Origin and stops of the earliest arrival, in order.")
    basis: Basis = Field(description="Why the call may be made.")
    agreements: list[str] = Field(description="Agreements that open it (basis agreement).")
    resupply: bool = Field(description="Whether fuel may also be taken there.")


class ReachRefusal(BaseModel):
    """A facility within reach where the nation may not call, and why."""

    model_config = OPEN

    id: str
    reason: str


class ReachFrontierProperties(BaseModel):
    """One band of the frontier: the area first reached at this stop count or day band."""

    model_config = OPEN

    stops: int | SkipJsonSchema[None] = Field(None, description="With frontier=stops.")
    days: float | SkipJsonSchema[None] = Field(None, description="With frontier=days.")
    area_km2: float = Field(description="Area of this band.")
    cumulative_area_km2: float = Field(description="Area of this band and those before it.")


class ReachFrontier(FeatureCollection[Feature[MultiPolygon, ReachFrontierProperties]]):
    """The reached area as non-overlapping MultiPolygons, one per band."""

    model_config = OPEN


class ReachResult(BaseModel):
    """Where a nation's group can get to, and the facilities it may use there."""

    model_config = OPEN

    nation: str
    platform: str = Field(description="The platform or group, as people write it.")
    scenario: str
    departure: dt.datetime
    origins: list[PlaceRef] = Field(description="Where the group sails from.")
    limits: dict[str, float | int | None] = Field(description="days and max_stops asked for.")
    range_nm: float = Field(description="Usable range between resupplies (reserve kept).")
    speed_kn: float
    dwell_h: float = Field(description="Hours at each resupply stop.")
    window_days: float = Field(description="The days seasons were judged over.")
    area_km2: float = Field(description="The sea area within reach (all stops).")
    lane_nm: float
    lane_share: float
    by_stops: list[ReachBand]
    facilities: list[ReachFacility]
    refused: list[ReachRefusal]
    agreements_used: list[str]
    closed: list[str] = Field(description="Passages closed for the whole window.")
    caveats: list[str]
    frontier: ReachFrontier | SkipJsonSchema[None] = Field(
        None, description="Absent with frontier=none."
    )


class ImpactVoyage(BaseModel):
    """A standard voyage with and without the agreement."""

    model_config = OPEN

    id: str
    name: str
    feasible_with: bool
    feasible_without: bool
    becomes_feasible: bool = Field(description="Feasible only with the agreement.")
    days_with: float | None
    days_without: float | None
    days_saved: float | None = Field(description="Null unless feasible both ways.")
    stops_provided: list[str] = Field(description="Stops of the plan opened by the agreement.")
    reason_without: str | None


class ImpactRow(BaseModel):
    """What one agreement adds."""

    model_config = OPEN

    rank: int
    agreement: str
    name: str
    area_km2: float = Field(description="Sea area within reach only with it.")
    area_share: float = Field(description="area_km2 as a share of the reach with it.")
    lane_share: float = Field(description="Share of the sea lanes gained.")
    by_stops: list[dict[str, float]] = Field(description="Area gained by stop count.")
    facilities_gained: list[dict[str, object]]
    days_saved: list[dict[str, object]] = Field(
        description="Facilities reached either way, sooner with it (most saved first)."
    )
    voyages: list[ImpactVoyage]
    voyages_made_feasible: int
    stops_provided: list[str]
    reach_with: dict[str, float]
    reach_without: dict[str, float]


class ImpactResult(BaseModel):
    """Agreements ranked by what each adds to a nation's reach and voyages."""

    model_config = OPEN

    nation: str
    platform: str
    departure: dt.datetime
    basis: Literal["marginal", "alone"]
    limits: dict[str, float | int | None]
    baseline: dict[str, object]
    agreements: list[ImpactRow]
    caveats: list[str]


# -- sweeps -----------------------------------------------------------------------------------


class SweepJob(BaseModel):
    """A sweep run over HTTP."""

    model_config = OPEN

    id: int
    name: str
    owner: str = Field(description="Who started it.")
    status: Literal["queued", "running", "done", "failed", "interrupted"]
    total: int = Field(description="Cases in the sweep.")
    done: int = Field(description="Cases finished.")
    progress: float = Field(description="done / total.")
    error: str | None
    versions: dict[str, str | None]
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    href: str
    spec: dict[str, object] | SkipJsonSchema[None] = Field(None, description="The spec as sent.")
    summary: dict[str, object] | None = Field(
        None,
        description=(
            "When done: `rows`, one per scenario and platform of the plan cases; `reach`, "
            "one per scenario, nation and platform of the reach cases; the seconds taken."
        ),
    )


class SweepJobPage(BaseModel):
    """A page of sweep jobs, newest first."""

    model_config = OPEN

    count: int
    limit: int
    offset: int
    sweeps: list[SweepJob]
