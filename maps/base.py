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
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
)

LatLng = tuple[float, float]
#: Left padding when fitting the view, so the panel (top left) hides little of the drawing.
PANEL_ROOM_PX = 330


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
    """A box of HTML in a corner of the map: the summary panel or the legend."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = relosMaps.box(
                {{ this._parent.get_name() }}, {{ this.html|tojson }},
                {{ this.position|tojson }}, {{ this.css_class|tojson }}
            );
        {% endmacro %}
        """
    )

    def __init__(self, body: Markup, *, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "Box"
        self.html = body
        self.position = position
        self.css_class = css_class


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
    )
    root = m.get_root()
    header = root.header  # type: ignore[attr-defined]
    header.add_child(PageTitle(title), name="relos_title")
    header.add_child(Element('<link rel="icon" href="data:,">'), name="relos_favicon")
    root.script.add_child(  # type: ignore[attr-defined]
        Element(f"document.getElementById({json.dumps(m.get_name())}).classList.add('relos-map');"),
        name="relos_map_class",
    )
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


def finish(m: folium.Map, *, bounds: Sequence[LatLng]) -> folium.Map:
    """Add the layer control (last, as folium needs) and fit the view to ``bounds``."""
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    if bounds:
        south = min(p[0] for p in bounds)
        north = max(p[0] for p in bounds)
        west = min(p[1] for p in bounds)
        east = max(p[1] for p in bounds)
        # Leave room on the left for the summary panel.
        m.fit_bounds(
            [[south, west], [north, east]],
            padding_top_left=(PANEL_ROOM_PX, 60),
            padding_bottom_right=(30, 30),
        )
    return m


def colour(index: int) -> str:
    """The ``index``-th colour of the palette (cycling)."""
    return PALETTE[index % len(PALETTE)]
