/* map.js: the console's Leaflet map: offline basemap, facilities, plans, reach.
 * Leaflet (window.L), the land polygons (RELOS_LAND) and relosMaps come from the
 * service's /static assets, the same the folium maps use. Every label is an element
 * holding text, so nothing from the data is read as HTML; passages go by name. */
import { fmt, h } from "./dom.js";
import * as names from "./names.js";

const LAND = { color: "#9c9a7f", weight: 0.6, fillColor: "#efecd9", fillOpacity: 1 };
const GRID = { color: "#7d97ad", weight: 0.5, opacity: 0.5 };
const KIND_COLOURS = { naval_base: "#1f3c88", port: "#138d75", airbase: "#d35400" };
export const BAND_COLOURS = ["#08306b", "#08519c", "#2171b5", "#4292c6", "#6baed6", "#9ecae1"];
const PLAN = "#c0392b";
const COMPARED = "#8e44ad";

const latLng = ([lon, lat]) => [lat, lon];

export function createMap(element) {
  const map = L.map(element, { minZoom: 1, maxZoom: 9, zoomSnap: 0.5, worldCopyJump: false });
  map.getContainer().classList.add("relos-map");
  relosMaps.landLayer(map, RELOS_LAND, LAND).addTo(map);
  relosMaps.graticule(map, 15, GRID).addTo(map);
  map.setView([35, 60], 2);
  legend().addTo(map);
  const layers = {
    reach: L.layerGroup().addTo(map),
    facilities: L.layerGroup().addTo(map),
    previous: L.layerGroup().addTo(map),
    compared: L.layerGroup().addTo(map),
    plan: L.layerGroup().addTo(map),
    picks: L.layerGroup().addTo(map),
  };
  return { map, layers };
}

function legend() {
  const control = L.control({ position: "bottomleft" });
  const line = (colour, dashed, text) => {
    const swatch = h("span", { class: dashed ? "line dashed" : "line" });
    swatch.style.borderColor = colour;
    return h("div", {}, swatch, text);
  };
  const dot = (kind, text) => {
    const swatch = h("span", { class: "dot" });
    swatch.style.background = KIND_COLOURS[kind];
    return [swatch, text];
  };
  control.onAdd = () => {
    const box = h(
      "div",
      { class: "legend" },
      line(PLAN, false, "plan"),
      line("#555", true, "previous plan"),
      line(COMPARED, false, "compared plan"),
      h("div", {}, dot("naval_base", "naval base"), dot("port", "port"), dot("airbase", "airbase")),
    );
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  return control;
}

/* A popup holding `title` and a row of buttons: [{label, onClick}]. */
export function actionsPopup(title, detail, actions, close) {
  return h(
    "div",
    { class: "popup" },
    h("h4", {}, title),
    detail ? h("p", { class: "muted" }, detail) : null,
    h(
      "p",
      { class: "actions" },
      actions.map((a) =>
        h(
          "button",
          {
            type: "button",
            onclick: () => {
              close();
              a.onClick();
            },
          },
          a.label,
        ),
      ),
    ),
  );
}

/* One circle per facility; `onClick(facility, latlng)` when one is clicked. */
export function drawFacilities({ map, layers }, facilities, onClick) {
  layers.facilities.clearLayers();
  for (const f of facilities) {
    const marker = L.circleMarker(latLng(f.coordinates), {
      radius: 5,
      weight: 1.5,
      color: "#fff",
      fillColor: KIND_COLOURS[f.kind] || "#555",
      fillOpacity: 0.95,
      className: "facility",
    });
    marker.bindTooltip(h("span", {}, f.name), { direction: "top" });
    marker.on("click", (e) => {
      L.DomEvent.stopPropagation(e);
      onClick(f, e.latlng);
    });
    marker.addTo(layers.facilities);
    const el = marker.getElement();
    if (el) {
      el.setAttribute("data-facility", f.id);
      el.setAttribute("aria-label", f.name);
    }
  }
}

/* Where the voyage is chosen to start and end, before it is planned. */
export function drawPicks({ layers }, picks) {
  layers.picks.clearLayers();
  for (const [role, place] of Object.entries(picks)) {
    if (!place) continue;
    L.marker(latLng(place.coordinates), {
      icon: L.divIcon({ className: `pick pick-${role}`, iconSize: [14, 14] }),
      interactive: false,
      keyboard: false,
    }).addTo(layers.picks);
  }
}

function legTooltip(leg) {
  const passages =
    leg.passages && leg.passages.length
      ? `through ${leg.passages.map(names.passage).join("; ")}`
      : "";
  const from = leg.from_name || names.place(leg.from);
  const to = leg.to_name || names.place(leg.to);
  return h(
    "div",
    {},
    h("strong", {}, `Leg ${leg.index}: ${from} → ${to}`),
    h("br"),
    `${fmt.nm(leg.distance_nm)}, ${fmt.hoursAsDays(leg.duration_h)}; fuel on arrival ${fmt.pct(leg.fuel_on_arrival)}`,
    passages ? [h("br"), passages] : null,
    leg.wait_h
      ? [h("br"), `waits ${fmt.hoursAsDays(leg.wait_h)}: ${names.text(leg.wait_reason || "")}`]
      : null,
  );
}

function stopMarker(text, colour) {
  const icon = h("div", { class: "stop-number" }, text);
  icon.style.background = colour;
  return L.divIcon({ html: icon, className: "stop-icon", iconSize: [22, 22] });
}

/* The plan: legs with tooltips, numbered stops and the ends, with their names.
 * `style`: "current", "previous" (faint, dashed, no labels) or "compared". */
/* Each leg's track, shifted by whole turns of longitude to start where the one before
 * ended, so a voyage across the antimeridian is drawn as one line. */
function unwrap(legs) {
  let last = null;
  return legs.map((leg) => {
    let coords = (leg.geometry && leg.geometry.coordinates) || [];
    if (!coords.length) return coords;
    if (last !== null) {
      const shift = Math.round((last - coords[0][0]) / 360) * 360;
      if (shift) coords = coords.map(([lon, lat]) => [lon + shift, lat]);
    }
    last = coords[coords.length - 1][0];
    return coords;
  });
}

/* `coordinates` moved by whole turns to lie nearest the longitude `ref`. */
function near([lon, lat], ref) {
  const shift = ref === undefined ? 0 : Math.round((ref - lon) / 360) * 360;
  return [lat, lon + shift];
}

/* The plan: legs with tooltips, numbered stops and the ends, with their names.
 * `style`: "current", "previous" (faint, dashed, no labels) or "compared". */
export function drawPlan({ map, layers }, plan, style = "current") {
  const layer = layers[style === "current" ? "plan" : style];
  layer.clearLayers();
  if (!plan) return;
  const colour = style === "compared" ? COMPARED : style === "previous" ? "#555" : PLAN;
  const legs = plan.legs || [];
  const tracks = unwrap(legs);
  const bounds = L.latLngBounds([]);
  legs.forEach((leg, i) => {
    if (!tracks[i].length) return;
    const line = L.polyline(tracks[i].map(latLng), {
      color: colour,
      weight: style === "previous" ? 2.5 : 3.5,
      opacity: style === "previous" ? 0.55 : 0.9,
      dashArray: style === "previous" ? "6 6" : null,
      interactive: style !== "previous",
      className: `leg leg-${style}`,
    });
    if (style !== "previous") line.bindTooltip(legTooltip(leg), { sticky: true });
    line.addTo(layer);
    bounds.extend(line.getBounds());
  });
  if (style === "previous") return;
  const startOf = (i) => (tracks[i] && tracks[i].length ? tracks[i][0][0] : undefined);
  const endOf = (i) =>
    tracks[i] && tracks[i].length ? tracks[i][tracks[i].length - 1][0] : undefined;
  const place = (coordinates, ref, text, name) => {
    const m = L.marker(near(coordinates, ref), {
      icon: stopMarker(text, text === "A" ? "#1e8449" : text === "B" ? "#222" : colour),
      title: name,
    }).addTo(layer);
    m.bindTooltip(h("span", {}, name), {
      permanent: true,
      direction: "right",
      offset: [12, 0],
      className: "stop-label",
    });
    bounds.extend(m.getLatLng());
  };
  for (const stop of plan.stops || [])
    place(stop.coordinates, endOf(stop.index - 1), String(stop.index), stop.name);
  if (plan.origin && plan.origin.coordinates) {
    place(plan.origin.coordinates, startOf(0), "A", plan.origin.name || plan.origin.id || "origin");
  }
  if (plan.destination && plan.destination.coordinates) {
    const name = plan.destination.name || plan.destination.id || "destination";
    place(plan.destination.coordinates, endOf(legs.length - 1), "B", name);
  }
  if (style === "current" && bounds.isValid()) {
    const padding = { paddingTopLeft: [30, 30], paddingBottomRight: [160, 30] };
    map.fitBounds(bounds, { ...padding, animate: false });
  }
}

/* The reach frontier: one shade per stop count. */
export function drawReach({ map, layers }, frontier) {
  layers.reach.clearLayers();
  if (!frontier) return;
  const layer = L.geoJSON(frontier, {
    interactive: false,
    className: "reach",
    style: (feature) => {
      const band = feature.properties.stops ?? 0;
      return {
        color: BAND_COLOURS[Math.min(band, BAND_COLOURS.length - 1)],
        weight: 0.5,
        fillOpacity: 0.35,
      };
    },
  }).addTo(layers.reach);
  if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { animate: false });
}
