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

  /* A box in a corner of the map holding HTML (summary panel, legend), with a button
   * that folds it down to its `label` and back. */
  R.box = function (map, html, position, className, label) {
    var control = L.control({ position: position });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "relos-box " + className);
      var head = L.DomUtil.create("div", "relos-box-head", div);
      var name = L.DomUtil.create("span", "relos-box-label", head);
      name.textContent = label;
      var button = L.DomUtil.create("button", "relos-fold", head);
      button.type = "button";
      var body = L.DomUtil.create("div", "relos-box-body", div);
      body.innerHTML = html;
      function show(open) {
        L.DomUtil[open ? "removeClass" : "addClass"](div, "relos-folded");
        button.textContent = open ? "\u2212" : "+";
        button.title = (open ? "Hide " : "Show ") + label.toLowerCase();
        button.setAttribute("aria-label", button.title);
        button.setAttribute("aria-expanded", open ? "true" : "false");
      }
      L.DomEvent.on(button, "click", function () {
        show(L.DomUtil.hasClass(div, "relos-folded"));
      });
      div.relosFold = function () { show(false); };
      show(true);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    return control.addTo(map);
  };

  /* The rectangle of an element in the map container's pixels. */
  function rectIn(map, el) {
    var m = map.getContainer().getBoundingClientRect();
    var r = el.getBoundingClientRect();
    return { l: r.left - m.left, t: r.top - m.top, r: r.right - m.left, b: r.bottom - m.top };
  }

  function overlaps(a, b) {
    return a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b;
  }

  /* The boxes (panel, legend) and the other controls a popup must not go under. */
  function obstacles(map) {
    var corner = map.getContainer().querySelectorAll(
      ".relos-box, .leaflet-control-layers, .leaflet-control-zoom, .relos-export");
    return Array.prototype.map.call(corner, function (el) {
      return { el: el, rect: rectIn(map, el) };
    });
  }

  /* Pan the map so that an opening popup is inside the map and clear of every box and
   * control, by the least shift; when there is no such place, fold the open boxes in the
   * way (the summary first) and try again. (Instead of Leaflet's autoPan, which knows
   * nothing of the boxes.) */
  var GAP = 8;
  function keepClear(map, popup) {
    var el = popup.getElement();
    if (!el) { return; }
    var size = map.getSize();
    var p0 = rectIn(map, el);
    function at(dx, dy) {
      return { l: p0.l - dx, t: p0.t - dy, r: p0.r - dx, b: p0.b - dy };
    }
    function inside(q) {
      return q.l >= GAP - 0.5 && q.t >= GAP - 0.5 &&
        q.r <= size.x - GAP + 0.5 && q.b <= size.y - GAP + 0.5;
    }
    /* Leaflet's own rule as the start: into the map, top left first. */
    var dx0 = 0, dy0 = 0;
    if (p0.r + GAP > size.x) { dx0 = p0.r + GAP - size.x; }
    if (p0.l - dx0 < GAP) { dx0 = p0.l - GAP; }
    if (p0.b + GAP > size.y) { dy0 = p0.b + GAP - size.y; }
    if (p0.t - dy0 < GAP) { dy0 = p0.t - GAP; }
    for (var round = 0; round < 3; round += 1) {
      var all = obstacles(map);
      var xs = [dx0], ys = [dy0];
      all.forEach(function (o) {
        xs.push(p0.l - o.rect.r - GAP, p0.r - o.rect.l + GAP);
        ys.push(p0.t - o.rect.b - GAP, p0.b - o.rect.t + GAP);
      });
      var best = null, cost = Infinity;
      xs.forEach(function (dx) {
        ys.forEach(function (dy) {
          var q = at(dx, dy);
          var c = Math.abs(dx - dx0) + Math.abs(dy - dy0);
          if (c >= cost || !inside(q)) { return; }
          if (all.some(function (o) { return overlaps(q, o.rect); })) { return; }
          best = [dx, dy];
          cost = c;
        });
      });
      if (best) {
        if (best[0] || best[1]) { map.panBy(best, { animate: false }); }
        return;
      }
      var q0 = at(dx0, dy0);
      var fold = all.filter(function (o) {
        return o.el.relosFold && !L.DomUtil.hasClass(o.el, "relos-folded") &&
          overlaps(q0, o.rect);
      })[0] || all.filter(function (o) {
        return o.el.relosFold && !L.DomUtil.hasClass(o.el, "relos-folded");
      })[0];
      if (!fold) { break; }
      fold.el.relosFold();
    }
    if (dx0 || dy0) { map.panBy([dx0, dy0], { animate: false }); }
  }

  L.Popup.mergeOptions({ autoPan: false });
  L.Map.addInitHook(function () {
    this.on("popupopen", function (e) { keepClear(this, e.popup); }, this);
  });

  /* Fit the view to `bounds`, leaving room on the left for the summary panel and at the
   * bottom for the legend when the map is big enough for them; else they start folded. */
  R.fit = function (map, bounds) {
    var size = map.getSize();
    var container = map.getContainer();
    function open(selector) {
      var box = container.querySelector(selector);
      return box && !L.DomUtil.hasClass(box, "relos-folded") ? box : null;
    }
    var left = 30, bottom = 30;
    var panel = open(".relos-panel");
    if (panel) {
      var right = rectIn(map, panel).r;
      if (size.x - right >= Math.max(360, 0.55 * size.x)) {
        left = right + 20;
      } else if (panel.relosFold) {
        panel.relosFold();
      }
    }
    var legend = open(".relos-legend");
    if (legend) {
      var top = rectIn(map, legend).t;
      if (top >= 0.6 * size.y) {
        bottom = size.y - top + 10;
      } else if (legend.relosFold) {
        legend.relosFold();
        bottom = size.y - rectIn(map, legend).t + 10;
      }
    }
    /* and on the right for the layer switcher and the print and save buttons */
    var rightPad = 30;
    var corner = container.querySelector(".leaflet-top.leaflet-right");
    if (corner && corner.children.length) {
      rightPad = Math.max(rightPad, size.x - rectIn(map, corner).l + 10);
      rightPad = Math.min(rightPad, 0.25 * size.x);
    }
    map.fitBounds(bounds, {
      paddingTopLeft: [left, 40], paddingBottomRight: [rightPad, bottom], maxZoom: 7,
      animate: false
    });
  };

  /* The request a map answered to a POST carries (maps/export.py `with_request`): a JSON
   * data block with the body it was posted and the query to post it again with for the
   * standalone file. Null on a page fetched with GET, and on a standalone file. */
  function postedRequest() {
    var block = document.getElementById("relos-request");
    if (!block) { return null; }
    try {
      var data = JSON.parse(block.textContent);
      return data && typeof data.body === "string" && typeof data.query === "string" ? data : null;
    } catch (err) {
      return null;
    }
  }

  /* The file name of a Content-Disposition header (`attachment; filename="..."`). */
  function fileName(disposition) {
    var m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition || "");
    var name = m ? m[1] : "";
    try { name = decodeURIComponent(name); } catch (err) { /* keep it as it came */ }
    return name.replace(/[\\/]/g, "-").trim() || "relos-map.html";
  }

  /* What the service said was wrong, from its JSON error (`detail`: text or a list). */
  function errorDetail(text) {
    try {
      var detail = JSON.parse(text).detail;
      if (typeof detail === "string") { return detail; }
      if (Array.isArray(detail)) {
        return detail.map(function (d) { return d && d.msg ? d.msg : String(d); }).join("; ");
      }
    } catch (err) { /* not JSON: say nothing more */ }
    return "";
  }

  /* Why saving failed, as a sentence for the user. */
  function saveFailure(status, detail) {
    if (status === 401) {
      return "Could not save the map: the service asks for an API key (HTTP 401), and a " +
        "page cannot send again the key it was asked for with. Ask for the file itself: " +
        "the same request with download=true and your key.";
    }
    if (status === 429) {
      return "Could not save the map: too many requests (HTTP 429). Try again in a moment.";
    }
    return "Could not save the map (HTTP " + status + ")" + (detail ? ": " + detail : ".");
  }

  /* Hand `blob` to the browser as a download named `name`. */
  function download(blob, name) {
    var href = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = href;
    a.download = name;
    a.style.display = "none";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () {
      URL.revokeObjectURL(href);
      a.remove();
    }, 30000);
  }

  /* Print and save buttons. Printing is the browser's. Saving gets the standalone file
   * (download=true) of this very map: on a page fetched with GET from a server
   * (`byQuery`) a link to its own address with download=true; on a page answered to a
   * POST, the body it was posted (see postedRequest) is posted again to its own address,
   * and the file answered is saved (with the name the service gives it), or what went
   * wrong is said beside the button. A standalone file has nothing to ask: no Save. */
  R.exportControl = function (map, byQuery) {
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "leaflet-bar relos-export");
      var print = L.DomUtil.create("a", "relos-print", div);
      print.href = "#";
      print.setAttribute("role", "button");
      print.title = "Print the map";
      print.setAttribute("aria-label", print.title);
      print.textContent = "Print";
      L.DomEvent.on(print, "click", function (e) {
        L.DomEvent.preventDefault(e);
        window.print();
      });
      var http = /^https?:$/.test(window.location.protocol);
      var posted = http && !byQuery ? postedRequest() : null;
      var save = null;
      if (byQuery && http) {
        var url = new URL(window.location.href);
        url.searchParams.set("download", "true");
        save = L.DomUtil.create("a", "relos-save", div);
        save.href = url.toString();
        save.setAttribute("download", "");
      } else if (posted) {
        save = L.DomUtil.create("a", "relos-save", div);
        save.href = "#";
        save.setAttribute("role", "button");
        L.DomEvent.on(save, "click", function (e) {
          L.DomEvent.preventDefault(e);
          savePosted(div, save, posted);
        });
      }
      if (save) {
        save.title = "Save the map as one HTML file (opens with no server)";
        save.setAttribute("aria-label", save.title);
        save.textContent = "Save HTML";
      }
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    return control.addTo(map);
  };

  /* Post `posted.body` again to this page's address with `posted.query` and save the
   * file answered; on failure, a note under the buttons says why (a click dismisses it). */
  function savePosted(div, button, posted) {
    if (button.getAttribute("aria-busy") === "true") { return; }
    var old = div.querySelector(".relos-save-note");
    if (old) { old.remove(); }
    function note(text) {
      var p = L.DomUtil.create("div", "relos-save-note", div);
      p.setAttribute("role", "alert");
      p.title = "Click to dismiss";
      p.textContent = text;
      L.DomEvent.on(p, "click", function () { p.remove(); });
    }
    button.setAttribute("aria-busy", "true");
    button.textContent = "Saving…";
    function done() {
      button.removeAttribute("aria-busy");
      button.textContent = "Save HTML";
    }
    var url = new URL(window.location.href);
    url.search = posted.query;
    url.hash = "";
    fetch(url.toString(), {
      method: posted.method || "POST",
      headers: { "Content-Type": "application/json", "Accept": "text/html" },
      body: posted.body,
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (resp) {
      if (!resp.ok) {
        return resp.text().then(function (text) {
          note(saveFailure(resp.status, errorDetail(text)));
        });
      }
      var name = fileName(resp.headers.get("Content-Disposition"));
      return resp.blob().then(function (blob) { download(blob, name); });
    }).catch(function () {
      note("Could not save the map: the service did not answer. Is it still running?");
    }).then(done, done);
  }

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
