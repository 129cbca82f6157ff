/* relos-maps.js: helpers shared by every map the RELOS planner renders (maps/ package).
 * Needs Leaflet (and Leaflet.markercluster for facility layers). No network access:
 * the land polygons come from RELOS_LAND (maps/static/basemap/land.geojson, Natural Earth).
 */
(function () {
  "use strict";
  var R = (window.relosMaps = window.relosMaps || {});
  /* Longitude offsets of the copies of the basemap, so that lines that leave
   * [-180, 180] (routes across the antimeridian) still have land beside them. */
  var COPIES = [-360, 0, 360];

  function pane(map, name, zIndex) {
    if (!map.getPane(name)) {
      map.createPane(name).style.zIndex = String(zIndex);
      map.getPane(name).style.pointerEvents = "none";
    }
    return name;
  }

  /* Land polygons over the sea-coloured map background, one canvas for all copies. */
  R.landLayer = function (map, data, style) {
    var renderer = L.canvas({ pane: pane(map, "relosLand", 250), padding: 0.5 });
    var layers = COPIES.map(function (offset) {
      return L.geoJSON(data, {
        renderer: renderer,
        interactive: false,
        style: function () { return style; },
        coordsToLatLng: function (c) { return L.latLng(c[1], c[0] + offset); }
      });
    });
    return L.layerGroup(layers);
  };

  /* Meridians and parallels every `step` degrees. */
  R.graticule = function (map, step, style) {
    var renderer = L.canvas({ pane: pane(map, "relosGrid", 260), padding: 0.5 });
    var opts = L.extend({ renderer: renderer, interactive: false }, style);
    var lines = [];
    var west = -540, east = 540;
    for (var lon = west; lon <= east; lon += step) {
      lines.push(L.polyline([[-85, lon], [85, lon]], opts));
    }
    for (var lat = -90 + step; lat < 90; lat += step) {
      lines.push(L.polyline([[lat, west], [lat, east]], opts));
    }
    return L.layerGroup(lines);
  };

  /* A box in a corner of the map holding HTML (summary panel, legend). */
  R.box = function (map, html, position, className) {
    var control = L.control({ position: position });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "relos-box " + className);
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    return control.addTo(map);
  };

  /* Facility markers in `cluster`, filtered by the facet overlays that are ticked.
   * A facility shows when, for every facet dimension, one of its values is ticked. */
  R.facilities = function (map, cluster, records, facets, counterSelector) {
    var markers = records.map(function (d) {
      var m = L.marker([d.lat, d.lon], {
        icon: L.divIcon({
          className: "relos-fac relos-kind-" + d.kind,
          iconSize: [14, 14],
          html: ""
        }),
        title: d.name,
        alt: d.name
      });
      m.bindPopup(d.popup, { maxWidth: 380 });
      m.relosFacets = d.facets;
      m.relosId = d.id;
      return m;
    });
    function ticked() {
      var on = {};
      facets.forEach(function (f) {
        on[f.dim] = on[f.dim] || {};
        if (map.hasLayer(f.layer)) { on[f.dim][f.value] = true; }
      });
      return on;
    }
    function refresh() {
      var on = ticked();
      var shown = markers.filter(function (m) {
        return Object.keys(on).every(function (dim) {
          return m.relosFacets[dim].some(function (v) { return on[dim][v]; });
        });
      });
      cluster.clearLayers();
      cluster.addLayers(shown);
      var counter = counterSelector && document.querySelector(counterSelector);
      if (counter) { counter.textContent = shown.length + " of " + markers.length; }
    }
    map.on("overlayadd overlayremove", refresh);
    refresh();
    return { markers: markers, refresh: refresh };
  };
})();
