/* console.js: the planning console. The form on the left becomes a POST /plans body;
 * the answer is drawn on the map and tabled on the right, with its difference from the
 * plan before; closures can be saved as scenarios, compared, ranked, and the reach shaded.
 * Everything comes from the service's API; nothing from the data is read as HTML. */
import { api, apiKey } from "./api.js";
import { fill, h } from "./dom.js";
import * as maps from "./map.js";
import * as panels from "./panels.js";

const $ = (id) => document.getElementById(id);

const state = {
  facilities: [], // {id, name, country, kind, coordinates, text}
  byId: new Map(),
  platforms: new Map(),
  names: new Map(), // passage, group and agreement ids -> names
  picks: { origin: null, destination: null }, // {id?, point?, name, coordinates}
  closedFacilities: new Map(), // id -> name
  plan: null,
  body: null,
  previous: null,
  previousBody: null,
  scenarios: [],
  asked: 0, // the latest plan request; older answers are dropped
  pending: null, // the body of the plan request on its way
};

const view = maps.createMap($("map"));

// -- status line ------------------------------------------------------------------------------

function say(text, kind = "info") {
  const status = $("status");
  status.textContent = text;
  status.className = kind;
}

async function attempt(what, work) {
  say(`${what}…`, "busy");
  try {
    const out = await work();
    if ($("status").className === "busy") say("");
    return out;
  } catch (error) {
    say(`${what} failed: ${error.message}`, "error");
    return undefined;
  }
}

// -- catalogue search and picks ---------------------------------------------------------------

const plain = (text) =>
  text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();

function domain() {
  const rows = groupRows();
  const ids = rows.length ? rows.map((r) => r.platform) : [$("platform").value];
  const p = state.platforms.get(ids[0]);
  return p ? p.domain : "sea";
}

function suits(f) {
  return domain() === "air" ? f.kind === "airbase" : f.kind !== "airbase";
}

function search(query) {
  const q = plain(query.trim());
  if (q.length < 2) return [];
  const found = state.facilities.filter((f) => f.text.includes(q));
  // Names with a word starting with the query first, then names holding it, then aliases
  // and ids; facilities the chosen platform can use before the others.
  const rank = (f) => {
    const name = plain(f.name);
    const inName = name.split(/[^a-z0-9]+/).some((w) => w.startsWith(q))
      ? 0
      : name.includes(q)
        ? 1
        : 2;
    return inName + (suits(f) ? 0 : 3);
  };
  return found.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name)).slice(0, 8);
}

/* A facility's name without its parenthesis ("Port of Djibouti"), or the id if unknown. */
const shortName = (id) => (state.byId.has(id) ? state.byId.get(id).name.split(" (")[0] : id);

const describeFacility = (f) => `${f.country} · ${f.kind.replace("_", " ")}`;

function picker(root, onPick) {
  const input = root.querySelector("input");
  const hits = root.querySelector(".hits");
  const choose = (f) => {
    input.value = "";
    fill(hits);
    onPick(f);
  };
  input.addEventListener("input", () =>
    fill(
      hits,
      search(input.value).map((f) =>
        h(
          "li",
          {},
          h(
            "button",
            { type: "button", "data-id": f.id, onclick: () => choose(f) },
            f.name,
            h("span", { class: "muted" }, ` ${describeFacility(f)}`),
          ),
        ),
      ),
    ),
  );
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      const first = search(input.value)[0];
      if (first) choose(first);
    } else if (e.key === "Escape") {
      input.value = "";
      fill(hits);
    }
  });
}

function pick(role, place) {
  state.picks[role] = place;
  const shown = $(role).querySelector(".chosen");
  shown.classList.toggle("muted", !place);
  fill(
    shown,
    place ? place.name : "not chosen",
    place && place.id ? h("span", { class: "muted" }, ` (${place.id})`) : null,
  );
  maps.drawPicks(view, state.picks);
}

const facilityPlace = (f) => ({ id: f.id, name: f.name, coordinates: f.coordinates });

function closeFacility(f) {
  state.closedFacilities.set(f.id, f.name);
  showClosedFacilities();
  replanIfShown();
}

function showClosedFacilities() {
  fill(
    $("closed-facilities"),
    [...state.closedFacilities].map(([id, name]) =>
      h(
        "li",
        {},
        name,
        " ",
        h(
          "button",
          {
            type: "button",
            "aria-label": `reopen ${name}`,
            onclick: () => {
              state.closedFacilities.delete(id);
              showClosedFacilities();
              replanIfShown();
            },
          },
          "×",
        ),
      ),
    ),
  );
}

function popup(latlng, title, detail, actions) {
  const p = L.popup({ maxWidth: 320 });
  p.setLatLng(latlng)
    .setContent(maps.actionsPopup(title, detail, actions, () => view.map.closePopup(p)))
    .openOn(view.map);
}

function onFacilityClick(f, latlng) {
  popup(latlng, f.name, describeFacility(f), [
    { label: "From here", onClick: () => pick("origin", facilityPlace(f)) },
    { label: "To here", onClick: () => pick("destination", facilityPlace(f)) },
    { label: "Close it", onClick: () => closeFacility(f) },
  ]);
}

function onMapClick(e) {
  const lon = L.Util.wrapNum(e.latlng.lng, [-180, 180], true);
  const lat = e.latlng.lat;
  const point = `${lon.toFixed(3)},${lat.toFixed(3)}`;
  const place = {
    point,
    name: `${lat.toFixed(2)}°, ${lon.toFixed(2)}° (at sea)`,
    coordinates: [lon, lat],
  };
  popup(e.latlng, "A point at sea", point, [
    { label: "From here", onClick: () => pick("origin", place) },
    { label: "To here", onClick: () => pick("destination", place) },
  ]);
}

function showFacilities() {
  maps.drawFacilities(view, state.facilities.filter(suits), onFacilityClick);
}

// -- who plans with what ----------------------------------------------------------------------

function platformOptions(select, nation, chosen) {
  const all = [...state.platforms.values()];
  const label = (p) => `${p.name} (${p.nation})`;
  const own = all.filter((p) => p.nation === nation);
  const others = all.filter((p) => p.nation !== nation);
  fill(
    select,
    [
      [`${nation}'s`, own],
      ["Others", others],
    ]
      .filter(([, list]) => list.length)
      .map(([name, list]) =>
        h(
          "optgroup",
          { label: name },
          list.map((p) => h("option", { value: p.id, selected: p.id === chosen }, label(p))),
        ),
      ),
  );
  if (!chosen || !state.platforms.has(chosen)) select.selectedIndex = 0;
}

function groupRows() {
  if (!$("group").open) return [];
  return [...$("group-rows").querySelectorAll(".group-row")].map((row) => ({
    platform: row.querySelector("select").value,
    count: Number(row.querySelector("input").value) || 1,
  }));
}

function addGroupRow() {
  const select = h("select", { "aria-label": "platform" });
  platformOptions(select, $("nation").value, $("platform").value);
  const row = h(
    "div",
    { class: "group-row" },
    select,
    h("input", { type: "number", min: 1, max: 50, value: 1, "aria-label": "how many" }),
    h("button", { type: "button", "aria-label": "remove", onclick: () => row.remove() }, "×"),
  );
  select.addEventListener("change", showFacilities);
  $("group-rows").append(row);
}

async function loadAgreements() {
  const nation = $("nation").value;
  const answer = await api("/agreements", { query: { party: nation } });
  const dropped = new Set(checked("agreements"));
  fill(
    $("agreements"),
    answer.agreements.map((a) => {
      state.names.set(a.id, a.name);
      return checkbox("agreements", a.id, a.id, a.name, dropped.has(a.id));
    }),
  );
}

// -- closures ---------------------------------------------------------------------------------

function checkbox(group, value, label, title, on = false) {
  return h(
    "label",
    { class: "check", title },
    h("input", { type: "checkbox", name: group, value, checked: on, onchange: replanIfShown }),
    ` ${label}`,
  );
}

const checked = (id) => [...$(id).querySelectorAll("input:checked")].map((input) => input.value);

function setChecked(id, values) {
  const on = new Set(values);
  for (const input of $(id).querySelectorAll("input")) input.checked = on.has(input.value);
}

const airspace = () =>
  $("airspace")
    .value.split(/[\s,]+/)
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);

function closures() {
  return {
    closed: checked("passages"),
    dropped_agreements: checked("agreements"),
    closed_facilities: [...state.closedFacilities.keys()],
    closed_airspace: airspace(),
    ...($("clearance").checked ? { allow_clearance: true } : {}),
  };
}

// -- planning ---------------------------------------------------------------------------------

const placeRef = (place) => place.id || place.point;

function planBody() {
  const { origin, destination } = state.picks;
  if (!origin || !destination) {
    say("Choose where from and where to first (search, or click the map).", "error");
    return null;
  }
  const body = {
    nation: $("nation").value,
    origin: placeRef(origin),
    destination: placeRef(destination),
    reserve: Number($("reserve").value || 25) / 100,
    ...closures(),
  };
  if ($("departure").value) body.departure = `${$("departure").value}T00:00:00Z`;
  if ($("speed").value) body.speed_kn = Number($("speed").value);
  const group = groupRows();
  if (group.length) body.group = group;
  else body.platform = $("platform").value;
  return body;
}

async function runPlan() {
  const body = planBody();
  if (!body) return;
  const key = JSON.stringify(body);
  if (key === state.pending) return; // the same question is on its way (Enter, then change)
  state.pending = key;
  const asked = ++state.asked;
  const plan = await attempt("Planning", () => api("/plans", { method: "POST", body }));
  if (asked === state.asked) state.pending = null;
  if (!plan || asked !== state.asked) return;
  if (state.plan) {
    state.previous = state.plan;
    state.previousBody = state.body;
  }
  state.plan = plan;
  state.body = body;
  maps.drawPlan(view, state.previous, "previous");
  maps.drawPlan(view, plan, "current");
  showPlan();
  showTab("plan");
  say(
    plan.feasible ? "Planned." : "No feasible plan: see why on the right.",
    plan.feasible ? "ok" : "error",
  );
}

function replanIfShown() {
  if (state.plan) runPlan();
}

function showPlan() {
  const plan = state.plan;
  fill($("summary"), panels.planSummary(plan));
  fill(
    $("delta"),
    state.previous ? panels.deltaPanel(state.previous, plan, state.previousBody, state.body) : null,
  );
  fill($("stops"), panels.callsTable(plan));
  fill($("warnings"), panels.warningsList(plan.warnings));
}

// -- scenarios --------------------------------------------------------------------------------

function scenarioSummary(s) {
  const parts = [
    ["closed", s.closed],
    ["dropped", s.dropped_agreements],
    ["facilities closed", s.closed_facilities],
    ["airspace closed", s.closed_airspace],
    ["clearance allowed", s.allow_clearance ? ["yes"] : []],
  ]
    .filter(([, xs]) => xs && xs.length)
    .map(([k, xs]) => `${k}: ${xs.join(", ")}`);
  return parts.join("; ") || "no closures";
}

async function loadScenarios() {
  const answer = await api("/scenarios", { query: { limit: 1000 } });
  state.scenarios = answer.scenarios;
  fill(
    $("scenarios"),
    answer.scenarios.length
      ? answer.scenarios.map((s) =>
          h(
            "li",
            { "data-id": s.id },
            h(
              "label",
              {},
              h("input", { type: "checkbox", value: s.id, "aria-label": `compare ${s.name}` }),
              " ",
              h("strong", {}, s.name),
            ),
            h("span", { class: "muted" }, ` ${scenarioSummary(s)} · ${s.owner}`),
            " ",
            h("button", { type: "button", onclick: () => applyScenario(s) }, "Apply"),
          ),
        )
      : h("li", { class: "muted" }, "None saved yet."),
  );
}

function applyScenario(s) {
  setChecked("passages", s.closed);
  setChecked("agreements", s.dropped_agreements);
  state.closedFacilities = new Map(
    s.closed_facilities.map((id) => [id, (state.byId.get(id) || { name: id }).name]),
  );
  showClosedFacilities();
  $("airspace").value = s.closed_airspace.join(", ");
  $("clearance").checked = Boolean(s.allow_clearance);
  $("scenario-name").value = s.name;
  if (state.picks.origin && state.picks.destination) runPlan();
}

async function saveScenario() {
  const body = { ...closures() };
  const name = $("scenario-name").value.trim() || scenarioSummary(body);
  const saved = await attempt("Saving the scenario", async () => {
    const answer = await api("/scenarios", { method: "POST", body: { name, ...body } });
    await loadScenarios();
    return answer;
  });
  if (saved) say(`Saved scenario “${saved.name}” (#${saved.id}).`, "ok");
}

// -- compare, critical, reach -----------------------------------------------------------------

async function runCompare() {
  const plan = planBody();
  if (!plan) return;
  const ticked = [...$("scenarios").querySelectorAll("input:checked")].map((i) => Number(i.value));
  const scenarios = (ticked.length ? ticked : state.scenarios.map((s) => s.id)).slice(0, 20);
  if (!scenarios.length) {
    say("Save a scenario first: compare runs the plan under saved scenarios.", "error");
    return;
  }
  const answer = await attempt("Comparing", () =>
    api("/compare", { method: "POST", body: { plan, scenarios, include_plans: true } }),
  );
  if (!answer) return;
  fill(
    $("compare-out"),
    panels.compareTable(answer.results, shortName, (plan) => maps.drawPlan(view, plan, "compared")),
  );
}

async function runCritical() {
  const body = planBody();
  if (!body) return;
  const answer = await attempt("Ranking what the plan relies on", () =>
    api("/critical", { method: "POST", body }),
  );
  if (!answer) return;
  const name = (r) => (r.kind === "passage" ? state.names.get(r.id) || r.id : r.id);
  fill($("critical-out"), panels.criticalTable(answer, shortName, name));
}

async function runReach() {
  const body = {
    nation: $("nation").value,
    reserve: Number($("reserve").value || 25) / 100,
    max_stops: Number($("reach-stops").value || 2),
    frontier: "stops",
    closed: checked("passages"),
    dropped_agreements: checked("agreements"),
    closed_facilities: [...state.closedFacilities.keys()],
    allow_clearance: $("clearance").checked,
  };
  if ($("departure").value) body.departure = `${$("departure").value}T00:00:00Z`;
  if ($("speed").value) body.speed_kn = Number($("speed").value);
  if ($("reach-days").value) body.days = Number($("reach-days").value);
  const group = groupRows();
  if (group.length) body.group = group;
  else body.platform = $("platform").value;
  const answer = await attempt("Working out the reach", () =>
    api("/reach", { method: "POST", body }),
  );
  if (!answer) return;
  maps.drawReach(view, answer.frontier);
  fill($("reach-out"), panels.reachPanel(answer));
}

// -- tabs, key, start -------------------------------------------------------------------------

function showTab(name) {
  for (const button of document.querySelectorAll(".tabs button")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === name));
  }
  for (const tab of document.querySelectorAll(".tab")) tab.hidden = tab.id !== `tab-${name}`;
}

async function showWho() {
  const me = await api("/me").catch((e) => ({ error: e.message }));
  $("who").textContent = me.error ? me.error : `as ${me.name} (${me.role})`;
  $("key").value = apiKey.get();
}

function nextMonth() {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
}

async function start() {
  const [facilities, platforms, passages] = await Promise.all([
    api("/facilities", { query: { limit: 1000 } }),
    api("/platforms"),
    api("/passages"),
  ]);
  state.facilities = facilities.features.map((f) => ({
    id: f.id,
    name: f.properties.name,
    country: f.properties.country,
    kind: f.properties.kind,
    coordinates: f.geometry.coordinates,
    text: plain([f.id, f.properties.name, ...(f.properties.aliases || [])].join(" | ")),
  }));
  state.byId = new Map(state.facilities.map((f) => [f.id, f]));
  for (const p of platforms.platforms) state.platforms.set(p.id, p);
  const nations = [...new Set([...state.platforms.values()].map((p) => p.nation))].sort();
  fill(
    $("nation"),
    nations.map((n) => h("option", { value: n, selected: n === "IND" }, n)),
  );
  platformOptions($("platform"), $("nation").value, "talwar");
  for (const g of passages.closure_groups) state.names.set(g.id, g.name);
  for (const p of passages.passages) state.names.set(p.id, p.name);
  fill(
    $("passages"),
    passages.closure_groups.map((g) => checkbox("passages", g.id, g.name, g.note)),
    passages.passages
      .filter((p) => p.kind !== "ice_region")
      .map((p) => checkbox("passages", p.id, p.name, p.note)),
  );
  $("departure").value = nextMonth();
  showFacilities();
  await Promise.all([loadAgreements(), loadScenarios(), showWho()]);
}

picker($("origin"), (f) => pick("origin", facilityPlace(f)));
picker($("destination"), (f) => pick("destination", facilityPlace(f)));
picker($("closed-facility"), closeFacility);
view.map.on("click", onMapClick);
$("plan-form").addEventListener("submit", (e) => {
  e.preventDefault();
  runPlan();
});
$("nation").addEventListener("change", () => {
  platformOptions($("platform"), $("nation").value, $("platform").value);
  attempt("Loading agreements", loadAgreements);
});
$("platform").addEventListener("change", showFacilities);
$("group").addEventListener("toggle", () => {
  if ($("group").open && !groupRows().length) addGroupRow();
  $("platform").disabled = $("group").open;
  showFacilities();
});
$("group-add").addEventListener("click", addGroupRow);
$("airspace").addEventListener("change", replanIfShown);
$("clearance").addEventListener("change", replanIfShown);
$("save").addEventListener("click", saveScenario);
$("compare-run").addEventListener("click", runCompare);
$("critical-run").addEventListener("click", runCritical);
$("reach-run").addEventListener("click", runReach);
$("reach-clear").addEventListener("click", () => {
  maps.drawReach(view, null);
  fill($("reach-out"));
});
for (const button of document.querySelectorAll(".tabs button")) {
  button.addEventListener("click", () => showTab(button.dataset.tab));
}
$("key-form").addEventListener("submit", (e) => {
  e.preventDefault();
  apiKey.set($("key").value.trim());
  attempt("Checking the key", showWho).then(() => attempt("Listing scenarios", loadScenarios));
});
$("key-forget").addEventListener("click", () => {
  apiKey.set("");
  attempt("Checking", showWho);
});

/* For tests and the curious: the map and the state, once everything is loaded. */
window.relosConsole = { map: view.map, state, ready: false };
attempt("Loading the catalogue", start).then(() => {
  window.relosConsole.ready = true;
});
