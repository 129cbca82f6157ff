"""The offline map every rendering starts from, and the folium elements it is made of.

:func:`new_map` gives a folium map whose scripts and stylesheets are offline assets
(:mod:`maps.assets`), with Natural Earth land on a sea-coloured background and a
graticule; online tiles only when asked for. The elements here use plain Leaflet
(divIcon markers, ``bindPopup`` with an HTML string), so no map needs jQuery,
Bootstrap or an icon font. The HTML they show is :class:`~markupsafe.Markup` from the
templates of :mod:`maps.templates`; names in the layer control, which Leaflet inserts
as HTML, are escaped by :func:`layer_name`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import folium
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import MarkerCluster
from folium.template import Template
from markupsafe import Markup

from maps import assets
from maps.templates import layer_name, render

SEA = "#c9dff0"
LAND_STYLE = {"color": "#9c9a7f", "weight": 0.6, "fillColor": "#efecd9", "fillOpacity": 1.0}
GRID_STYLE = {"color": "#7d97ad", "weight": 0.5, "opacity": 0.5}
GRID_STEP_DEG = 15
#: Deepest zoom offered with the offline basemap (1:50m land holds up to about here).
MAX_OFFLINE_ZOOM = 9
#: Colours of tracks (a route, its alternatives, the scenarios of a comparison): no red,
#: which means "closed" on every map, and no green or dark orange, the origin's and the
#: waypoints' marks.
PALETTE = (
    "#1f77b4",
    "#e377c2",
    "#17becf",
    "#8c564b",
    "#bcbd22",
    "#34495e",
    "#9467bd",
    "#7f7f7f",
)

LatLng = tuple[float, float]
#: The Leaflet pane of shaded areas and rings (reach, airspace, range rings, passage
#: regions): under the lines and markers (``overlayPane``, 400), so a leg's tooltip can be
#: reached wherever an area lies over it, and above the basemap and graticule.
AREA_PANE = "relosAreas"
AREA_PANE_Z = 350
#: Farthest latitude a view is fitted to: Web Mercator ends at 85.05 degrees, and a bound
#: at the pole would zoom out to the whole world.
FIT_MAX_LAT = 84.0


class OfflineMap(folium.Map):
    """A folium map that loads Leaflet and the RELOS helpers from offline assets only."""

    default_js = [assets.LEAFLET_JS, assets.RELOS_JS]  # noqa: RUF012
    default_css = [assets.LEAFLET_CSS, assets.RELOS_CSS]  # noqa: RUF012


class OfflineMarkerCluster(MarkerCluster):
    """Leaflet.markercluster from its offline asset."""

    default_js = [assets.CLUSTER_JS]  # noqa: RUF012
    default_css = assets.CLUSTER_CSS


class LandLayer(JSCSSMixin, folium.map.Layer):
    """Natural Earth land drawn over the map's sea-coloured background (a base layer)."""

    default_js = [assets.LAND_JS]  # noqa: RUF012
    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = relosMaps.landLayer(
                {{ this._parent.get_name() }}, RELOS_LAND, {{ this.style|tojson }}
            );
        {% endmacro %}
        """
    )

    def __init__(self, *, name: str = "Land and sea (offline)", show: bool = True) -> None:
        super().__init__(name=layer_name(name), overlay=False, control=True, show=show)
        self._name = "LandLayer"
        self.style = LAND_STYLE


class Graticule(folium.map.Layer):
    """Meridians and parallels every ``step`` degrees (an overlay)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = relosMaps.graticule(
                {{ this._parent.get_name() }}, {{ this.step }}, {{ this.style|tojson }}
            );
        {% endmacro %}
        """
    )

    def __init__(self, *, step: int = GRID_STEP_DEG, name: str = "Graticule") -> None:
        label = layer_name(f"{name} ({step}°)")
        super().__init__(name=label, overlay=True, control=True, show=True)
        self._name = "Graticule"
        self.step = step
        self.style = GRID_STYLE


class PageTitle(Element):
    """The page's ``<title>``: text, escaped (and never read as a template, as an Element's is)."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self._name = "PageTitle"
        self.title = title

    def render(self, **kwargs: Any) -> str:
        """The ``<title>`` element."""
        return str(render("title", title=self.title))


class Box(MacroElement):
    """A box of HTML in a corner of the map: the summary panel or the legend.

    A button folds it down to ``label``; a popup that opens under it moves the map
    until it is clear of it, or folds it (see ``relosMaps.box`` in ``static/``).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = relosMaps.box(
                {{ this._parent.get_name() }}, {{ this.html|tojson }},
                {{ this.position|tojson }}, {{ this.css_class|tojson }}, {{ this.label|tojson }}
            );
        {% endmacro %}
        """
    )

    def __init__(self, body: Markup, *, position: str, css_class: str, label: str) -> None:
        super().__init__()
        self._name = "Box"
        self.html = body
        self.position = position
        self.css_class = css_class
        self.label = label


class ExportControl(MacroElement):
    """Buttons to print the map and to save it as one standalone HTML file.

    Printing is the browser's (the boxes unfold, the map's controls are left out). Saving
    asks the service for the page's standalone file (``download=true``): a page fetched
    with GET (``by_query``) links to its own address with it; a page answered to a POST
    carries its request (:func:`maps.export.with_request`), which the button posts again
    to the page's own address, saving the file answered (or saying why it could not).
    A page served with neither, or a standalone file, is already the file to keep: no
    Save.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = relosMaps.exportControl(
                {{ this._parent.get_name() }}, {{ this.by_query|tojson }}
            );
        {% endmacro %}
        """
    )

    def __init__(self, *, by_query: bool) -> None:
        super().__init__()
        self._name = "ExportControl"
        self.by_query = by_query


class FitView(MacroElement):
    """Fit the view to a box, leaving room for the summary panel (``relosMaps.fit``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            relosMaps.fit({{ this._parent.get_name() }}, {{ this.bounds|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "FitView"
        self.bounds = bounds


class HtmlPopup(MacroElement):
    """A popup of HTML bound to its parent layer (no jQuery, unlike ``folium.Popup``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindPopup(
                {{ this.html|tojson }}, {maxWidth: {{ this.max_width }}}
            );
        {% endmacro %}
        """
    )

    def __init__(self, body: Markup, *, max_width: int = 360) -> None:
        super().__init__()
        self._name = "HtmlPopup"
        self.html = body
        self.max_width = max_width


class HtmlTooltip(MacroElement):
    """A tooltip of HTML bound to its parent layer (text passed as JSON, not a template)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindTooltip(
                {{ this.html|tojson }}, {sticky: {{ this.sticky|tojson }}}
            );
        {% endmacro %}
        """
    )

    def __init__(self, body: Markup, *, sticky: bool = True) -> None:
        super().__init__()
        self._name = "HtmlTooltip"
        self.html = body
        self.sticky = sticky


def new_map(*, title: str, online_tiles: bool = False, world_copy_jump: bool = False) -> folium.Map:
    """An empty offline map: land and sea, graticule, and OpenStreetMap only if asked.

    Parameters
    ----------
    title
        The page title.
    online_tiles
        Also offer OpenStreetMap tiles (fetched from the internet) as the shown base layer.
    world_copy_jump
        Bring markers along when the view is panned into the next copy of the world
        (for point layers; lines drawn in one frame should not jump).
    """
    m = OfflineMap(
        location=(20.0, 80.0),
        zoom_start=3,
        tiles=None,
        # Map options (folium gives min_zoom/max_zoom to its tile layer only).
        minZoom=1,
        maxZoom=18 if online_tiles else MAX_OFFLINE_ZOOM,
        control_scale=True,
        prefer_canvas=False,
        world_copy_jump=world_copy_jump,
        # Fit views closely (a quarter zoom step), not a whole step out.
        zoomSnap=0.25,
    )
    root = m.get_root()
    header = root.header  # type: ignore[attr-defined]
    header.add_child(PageTitle(title), name="relos_title")
    header.add_child(Element('<link rel="icon" href="data:,">'), name="relos_favicon")
    root.script.add_child(  # type: ignore[attr-defined]
        Element(f"document.getElementById({json.dumps(m.get_name())}).classList.add('relos-map');"),
        name="relos_map_class",
    )
    folium.map.CustomPane(AREA_PANE, z_index=AREA_PANE_Z, pointer_events=True).add_to(m)
    LandLayer(show=not online_tiles).add_to(m)
    if online_tiles:
        online = layer_name("OpenStreetMap (online)")
        folium.TileLayer("OpenStreetMap", name=online, show=True).add_to(m)
    Graticule().add_to(m)
    return m


def overlay(m: folium.Map, name: str, *, show: bool = True) -> folium.FeatureGroup:
    """A new toggleable feature group on ``m``, listed in the layer control as ``name`` (text)."""
    group = folium.FeatureGroup(name=layer_name(name), overlay=True, control=True, show=show)
    group.add_to(m)
    return group


def in_area_pane(layer: Any) -> Any:
    """``layer`` (a folium path or GeoJson) drawn in the pane of areas, under the lines."""
    layer.options["pane"] = AREA_PANE
    return layer


def fit_box(bounds: Sequence[LatLng]) -> list[list[float]] | None:
    """The [[south, west], [north, east]] box of ``bounds`` (longitudes as drawn, in the
    map's frame), latitudes kept within :data:`FIT_MAX_LAT`; ``None`` when empty."""
    if not bounds:
        return None
    lats = [max(-FIT_MAX_LAT, min(FIT_MAX_LAT, p[0])) for p in bounds]
    lons = [p[1] for p in bounds]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def finish(m: folium.Map, *, bounds: Sequence[LatLng], by_query: bool = False) -> folium.Map:
    """Add the print and save buttons, the layer control (last, as folium needs) and fit
    the view to ``bounds`` (what was drawn: tracks, stops, ends; never a whole region).

    ``by_query``: the page's address with ``download=true`` gives its standalone file
    (the GET maps: catalogue, route, air route). The maps answered to a POST get their
    Save from the request the app puts in the page (:func:`maps.export.with_request`).
    """
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    ExportControl(by_query=by_query).add_to(m)
    box = fit_box(bounds)
    if box is not None:
        FitView(box).add_to(m)
    return m


def colour(index: int) -> str:
    """The ``index``-th track colour: the palette's, then as many more as needed, each
    its own hue (golden-angle steps), none red (red means closed)."""
    if index < len(PALETTE):
        return PALETTE[index]
    turn = (200.0 + 137.508 * index) % 360.0 / 360.0
    return f"hsl({25.0 + 310.0 * turn:.1f}, 60%, 40%)"
