"""The HTML of the maps (panels, legends, popups, tooltips), from Jinja2 templates.

Every value is passed to a template as it is (plain text from the data: facility,
scenario and agreement names, reasons, notes) and the environment autoescapes it,
so it shows as text, never as markup. :func:`render` gives back
:class:`~markupsafe.Markup`, the only HTML the elements of :mod:`maps.base` accept.

Table cells are text, escaped when rendered, or :class:`~markupsafe.Markup` for a
styled cell made by :func:`styled` or :func:`code`, which escape their text.

In the template sources below, each line is stripped of its indentation and joined
to the next with nothing between them: a line break is not a space in the output,
so a space that ends a line is written ``{{ " " }}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from textwrap import dedent
from typing import Any, Literal

from jinja2 import DictLoader, Environment, StrictUndefined
from markupsafe import Markup, escape

#: A table cell: text (escaped by the template) or Markup (kept as it is).
Cell = str | Markup
Rows = list[tuple[str, Cell]]
#: The confidence of a record that needs no caveat (see ``routing.vocab.CONFIDENCE_LEVELS``).
CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Key:
    """A legend key, and its label: a line (solid, dashed or dotted, as drawn), a dot
    (round, square or diamond), or an area (``patch``: shaded, its outline solid, dashed or
    dotted). On one map, no two keys of different meaning share colour and mark."""

    colour: str
    label: str
    mark: Literal[
        "line",
        "dashed",
        "dotted",
        "dot",
        "square",
        "diamond",
        "patch",
        "patch-dashed",
        "patch-dotted",
    ] = "line"


_SOURCES: Mapping[str, str] = {
    "macros": """
        {% macro table(rows) %}
            <table>
            {% for label, value in rows %}
                <tr><th>{{ label }}</th><td>{{ value }}</td></tr>
            {% endfor %}
            </table>
        {% endmacro %}

        {% macro caveats(items) %}
            {% if items %}
                <div class="relos-caveats">Caveats:<ul>
                {% for item in items %}<li>{{ item }}</li>{% endfor %}
                </ul></div>
            {% endif %}
        {% endmacro %}

        {% macro key(k) %}
            {% if k.mark in ("dot", "square", "diamond") %}
                {% set corner = {
                    "square": ";border-radius:0",
                    "diamond": ";border-radius:0;transform:rotate(45deg) scale(0.8)",
                }.get(k.mark, "") %}
                <span class="relos-dot" style="background:{{ k.colour }}{{ corner }}"></span>
            {% elif k.mark.startswith("patch") %}
                <span class="relos-patch {{ k.mark.removeprefix("patch-") }}"{{ " " }}
                style="color:{{ k.colour }}"></span>
            {% else %}
                {% set css = {"dashed": "relos-swatch dashed", "dotted": "relos-swatch dotted"
                }.get(k.mark, "relos-swatch") %}
                <span class="{{ css }}" style="color:{{ k.colour }}"></span>
            {% endif %}
            {{ k.label }}
        {% endmacro %}
    """,
    "title": "<title>{{ title }}</title>",
    "legend": """
        {% from "macros" import key %}
        {% for k in keys %}{% if not loop.first %}<br>{% endif %}{{ key(k) }}{% endfor %}
    """,
    "panel": """
        {% from "macros" import table %}
        <h3>{{ title }}</h3>
        {{ table(rows) }}
    """,
    "route_panel": """
        {% from "macros" import key, table %}
        <h3>{{ title }}</h3>
        {{ table(rows) }}
        {% if alternatives %}
            <h3>Alternatives</h3>
            <table>
            <tr><th></th><th>distance</th><th>time</th><th>via</th></tr>
            {% for alt in alternatives %}
                <tr>
                <td>{{ key(alt.key) }}</td>
                <td class="num">{{ alt.distance }}</td>
                <td class="num">{{ alt.duration }}</td>
                <td>{{ alt.via }}</td>
                </tr>
            {% endfor %}
            </table>
        {% endif %}
    """,
    "layers_panel": """
        {% from "macros" import key %}
        <h3>{{ title }}</h3>
        <table>
        <tr><th></th><th>distance</th><th>days</th><th>stops</th><th>ETA</th></tr>
        {% for row in rows %}
            <tr>
            <td>{{ key(row.key) }}</td>
            {% if row.reason is not none %}
                <td colspan="4" class="relos-infeasible">{{ row.reason }}</td>
            {% else %}
                <td class="num">{{ row.distance }}</td>
                <td class="num">{{ row.days }}</td>
                <td class="num">{{ row.stops }}</td>
                {% if row.eta is not none %}
                    <td class="nowrap">{{ row.eta }}</td>
                {% else %}
                    <td>–</td>
                {% endif %}
            {% endif %}
            </tr>
        {% endfor %}
        </table>
    """,
    "catalogue_panel": """
        <h3>{{ title }}</h3>
        <table>
        <tr><th>shown</th><td><span class="relos-shown">{{ count }} of {{ count }}</span></td></tr>
        {% if usable_by %}<tr><th>usable by</th><td>{{ usable_by }}</td></tr>{% endif %}
        {% if date %}<tr><th>on</th><td>{{ date }}</td></tr>{% endif %}
        <tr><th>kinds</th><td>
        {% for kind, label in kinds %}
            {% if not loop.first %}<br>{% endif %}
            <span class="relos-dot relos-kind-{{ kind }}"></span>{{ label }}
        {% endfor %}
        </td></tr>
        </table>
        <div class="muted">Tick layers (top right) to filter by country, kind and agreement.</div>
    """,
    "facility_popup": """
        {% from "macros" import caveats as caveat_list, table %}
        <div class="relos-popup">
        <h4>{{ name }}</h4>
        <div class="muted">{{ kind }} · {{ country_name }} ({{ country }}) ·{{ " " }}
        <code>{{ id }}</code></div>
        {% if own_by %}
            <p><b>{{ own_by }}'s own facility</b></p>
        {% elif open_to %}
            <p>Open to <b>{{ open_to }}</b> under{{ " " }}
            {% for agreement, agreement_name in agreements %}
                {% if not loop.first %}, {% endif %}
                <b>{{ agreement }}</b>{% if agreement_name %} ({{ agreement_name }}){% endif %}
            {% endfor %}
            </p>
        {% elif opened_by %}
            <p>Can be opened by: {{ opened_by|join(", ") }}</p>
        {% endif %}
        {{ table(rows) }}
        {{ caveat_list(caveats) }}
        {% if sources %}
            <div>Sources:<ul>
            {% for url, title in sources %}
                <li>
                {% if url %}
                    <a href="{{ url }}" target="_blank" rel="noopener noreferrer">{{ title }}</a>
                {% else %}
                    {{ title }}
                {% endif %}
                </li>
            {% endfor %}
            </ul></div>
        {% endif %}
        </div>
    """,
    "end_popup": """
        {% from "macros" import caveats as caveat_list, table %}
        <div class="relos-popup">
        <h4>{{ label }}</h4>
        {% if facility_id %}<div class="muted"><code>{{ facility_id }}</code></div>{% endif %}
        {% if rows %}{{ table(rows) }}{% endif %}
        {{ caveat_list(caveats) }}
        </div>
    """,
    "waypoint_icon": '<div class="relos-wp"></div>',
    "stop_icon": '<div class="relos-num" style="background:{{ colour }}">{{ index }}</div>',
    "stop_tooltip": """
        <b>{{ index }}. {{ name }}</b>
        <br>arrive {{ arrival }}
        <br>fuel on arrival {{ fuel }}
        {% if confidence %}<br><span class="relos-caveat">{{ confidence }}</span>{% endif %}
    """,
    "stop_popup": """
        {% from "macros" import caveats as caveat_list, table %}
        <div class="relos-popup">
        <h4>Stop {{ index }}: {{ name }}</h4>
        {{ table(rows) }}
        {{ caveat_list(caveats) }}
        </div>
    """,
    "track_tooltip": """
        <b>{{ title }}</b>
        {% if route %}<br>{{ route }}{% endif %}
        {% if wait %}<br>waits {{ wait }} first{% endif %}
        <br>{{ distance }}, {{ duration }}
        {% if fuel is not none %}<br>fuel on arrival {{ fuel }}{% endif %}
        {% if passages %}<br>via {{ passages|join(", ") }}{% endif %}
    """,
    "gate_tooltip": """
        <b>{{ name }}</b> ({{ kind }}) —{{ " " }}
        {% if closed %}<b>closed</b>{% else %}traversed{% endif %}
    """,
}


def _compact(source: str) -> str:
    """A template source without its line breaks and indentation (see the module doc)."""
    return "".join(line.strip() for line in dedent(source).splitlines())


_ENV = Environment(
    loader=DictLoader({name: _compact(source) for name, source in _SOURCES.items()}),
    autoescape=True,
    undefined=StrictUndefined,
)


def render(template: str, /, **context: Any) -> Markup:
    """The HTML of ``template`` with ``context``, every value escaped unless Markup."""
    return Markup(_ENV.get_template(template).render(**context))


def styled(text: object, css_class: str) -> Markup:
    """``text`` (escaped) in a ``<span>`` of ``css_class``."""
    return Markup('<span class="{}">{}</span>').format(css_class, text)


def confidence_label(level: object) -> str | None:
    """How sure a record is, as words (``assumed date``); ``None`` when it is confirmed
    or not given, so that only what is less than confirmed is shown."""
    if not level or level == CONFIRMED:
        return None
    return str(level).replace("_", " ")


def code(text: object) -> Markup:
    """``text`` (escaped) as ``<code>``."""
    return Markup("<code>{}</code>").format(text)


def layer_name(text: str) -> str:
    """``text`` as a name for the layer control, which Leaflet inserts as HTML."""
    return str(escape(text))
