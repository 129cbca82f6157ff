/* console.js: the planning console. The form on the left becomes a POST /plans body;
 * the answer is drawn on the map and tabled on the right, with its difference from the
 * plan before; a what-if (date and closures) can be saved as a scenario, applied again
 * (the whole form loaded and planned), compared, ranked, and the reach shaded.
 * Everything comes from the service's API; nothing from the data is read as HTML. Ids are
 * what the console sends; names (names.js) are what it shows. */
import { api, apiKey } from "./api.js";
import { fill, h } from "./dom.js";
import * as maps from "./map.js";
import * as names from "./names.js";
import * as panels from "./panels.js";

const $ = (id) => document.getElementById(id);

const state = {
  facilities: [], // {id, name, country, kind, coordinates, text}
  byId: new Map(),
  platforms: new Map(),
  agreements: [], // every agreement, from GET /agreements
  picks: { origin: null, destination: null }, // {id?, point?, name, coordinates}
  closedFacilities: new Map(), // id -> name
  plan: null,
  body: null,
  previous: null,
  previousBody: null,
  scenarios: [],
  extras: null, // what an applied scenario holds beyond the form: {name, min_confidence, ...}
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
  const f = place && place.id ? state.byId.get(place.id) : null;
  fill(
    shown,
    place ? place.name : "not chosen",
    f ? h("span", { class: "muted" }, ` ${describeFacility(f)}`) : null,
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

function addGroupRow(member = { platform: $("platform").value, count: 1 }) {
  const select = h("select", { "aria-label": "platform" });
  platformOptions(select, $("nation").value, member.platform);
  const row = h(
    "div",
    { class: "group-row" },
    select,
    h("input", {
      type: "number",
      min: 1,
      max: 50,
      value: member.count || 1,
      "aria-label": "how many",
    }),
    h("button", { type: "button", "aria-label": "remove", onclick: () => row.remove() }, "×"),
  );
  select.addEventListener("change", showFacilities);
  $("group-rows").append(row);
}

/* The nation's agreements to drop, by name (and `keep`, ids listed whoever the parties). */
function showAgreements(keep = []) {
  const nation = $("nation").value;
  const listed = new Set(keep);
  const dropped = new Set([...checked("agreements"), ...keep]);
  fill(
    $("agreements"),
    state.agreements
      .filter((a) => a.parties.includes(nation) || listed.has(a.id))
      .map((a) =>
        checkbox(
          "agreements",
          a.id,
          [
            names.agreement(a.id),
            h(
              "span",
              { class: "muted" },
              ` with ${a.parties.filter((p) => p !== nation).join(", ")}`,
            ),
          ],
          a.name,
          dropped.has(a.id),
        ),
      ),
  );
}

// -- closures ---------------------------------------------------------------------------------

function checkbox(group, value, label, title, on = false) {
  return h(
    "label",
    { class: "check", title },
    h("input", { type: "checkbox", name: group, value, checked: on, onchange: replanIfShown }),
    " ",
    label,
  );
}

const checked = (id) => [...$(id).querySelectorAll("input:checked")].map((input) => input.value);

function setChecked(id, values) {
  const on = new Set(values);
  for (const input of $(id).querySelectorAll("input")) input.checked = on.has(input.value);
}

/* Checkboxes for `values` the list lacks (a saved scenario may close an ice region). */
function addChecks(id, values, label, title) {
  const have = new Set([...$(id).querySelectorAll("input")].map((input) => input.value));
  const missing = values.filter((v) => !have.has(v));
  $(id).prepend(...missing.map((v) => checkbox(id, v, label(v), title(v))));
}

const airspace = () =>
  $("airspace")
    .value.split(/[\s,]+/)
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);

/* What an applied scenario holds beyond the form: these a plan request takes too... */
const PLAN_EXTRAS = ["opened_airspace", "denied_countries", "min_confidence"];
/* ...and these only a scenario does (so such a plan is asked for under the scenario). */
const SCENARIO_EXTRAS = ["added_facilities", "added_agreements", "platform_overrides"];

const given = (v) =>
  v !== null && v !== undefined && (typeof v !== "object" || Object.keys(v).length > 0);

/* The applied scenario's `keys`, those it gives. */
function extras(keys) {
  const x = state.extras || {};
  return Object.fromEntries(keys.filter((k) => given(x[k])).map((k) => [k, x[k]]));
}

/* The scenario a plan is asked for under: the applied one's parts a request cannot hold. */
function under() {
  const parts = extras(SCENARIO_EXTRAS);
  return Object.keys(parts).length ? { name: state.extras.name, ...parts } : null;
}

function closures() {
  return {
    closed: checked("passages"),
    dropped_agreements: checked("agreements"),
    closed_facilities: [...state.closedFacilities.keys()],
    closed_airspace: airspace(),
    ...($("clearance").checked ? { allow_clearance: true } : {}),
    ...extras(PLAN_EXTRAS),
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

/* The plan for `body`; under a scenario (what the form cannot show), its row of /compare. */
async function ask(body, scenario) {
  if (!scenario) return api("/plans", { method: "POST", body });
  const answer = await api("/compare", {
    method: "POST",
    body: { plan: body, scenarios: [scenario], include_plans: true },
  });
  return answer.results[answer.results.length - 1].plan;
}

async function runPlan() {
  const body = planBody();
  if (!body) return null;
  const scenario = under();
  const key = JSON.stringify([body, scenario]);
  if (key === state.pending) return null; // the same question is on its way (Enter, then change)
  state.pending = key;
  const asked = ++state.asked;
  const plan = await attempt("Planning", () => ask(body, scenario));
  if (asked === state.asked) state.pending = null;
  if (!plan || asked !== state.asked) return null;
  if (state.plan) {
    state.previous = state.plan;
    state.previousBody = state.body;
  }
  state.plan = plan;
  state.body = scenario ? { ...body, scenario: scenario.name } : body;
  maps.drawPlan(view, state.previous, "previous");
  maps.drawPlan(view, plan, "current");
  showPlan();
  showTab("plan");
  say(
    plan.feasible ? "Planned." : "No feasible plan: see why on the right.",
    plan.feasible ? "ok" : "error",
  );
  return plan;
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

/* A what-if in words, by name: "date: 2027-08-01 · closed: Suez Canal; Bab-el-Mandeb". */
function scenarioSummary(s) {
  const overrides = Object.entries(s.platform_overrides || {}).map(([id, o]) =>
    o.replace_with
      ? `${names.platform(id)} → ${names.platform(o.replace_with)}`
      : `${names.platform(id)}: ${Object.entries(o)
          .map(([k, v]) => `${k.replaceAll("_", " ")} ${v}`)
          .join(", ")}`,
  );
  const parts = [
    ["date", s.date ? [s.date] : []],
    ["closed", (s.closed || []).map(names.passage)],
    ["dropped", (s.dropped_agreements || []).map(names.agreement)],
    ["facilities closed", (s.closed_facilities || []).map(names.facility)],
    ["airspace closed", s.closed_airspace],
    ["airspace opened", s.opened_airspace],
    ["clearance", s.allow_clearance ? ["allowed"] : []],
    ["clearance refused by", s.denied_countries],
    ["minimum confidence", s.min_confidence ? [s.min_confidence] : []],
    ["hypothetical facilities", (s.added_facilities || []).map((f) => names.facility(f.id))],
    ["hypothetical agreements", (s.added_agreements || []).map((a) => names.agreement(a.id))],
    ["platforms changed", overrides],
  ]
    .filter(([, xs]) => xs && xs.length)
    .map(([k, xs]) => `${k}: ${xs.map((x) => String(x).replaceAll("_", " ")).join("; ")}`);
  return parts.join(" · ") || "no closures";
}

/* A saved scenario holds the what-if (date, closures, clearance...), not the voyage it was
 * planned for (nation, platform or group, where from and to, speed, reserve): this browser
 * remembers the voyage each scenario was saved with, so Apply loads the whole of it. */
const voyageKey = (s) => `relos-voyage ${location.pathname} ${s.id} ${s.created_at}`;

function voyage() {
  const group = groupRows();
  return {
    nation: $("nation").value,
    ...(group.length ? { group } : { platform: $("platform").value }),
    origin: state.picks.origin,
    destination: state.picks.destination,
    departure: $("departure").value || null,
    speed: $("speed").value,
    reserve: $("reserve").value,
    clearance: $("clearance").checked,
  };
}

function remember(s, v) {
  try {
    localStorage.setItem(voyageKey(s), JSON.stringify(v));
  } catch {
    // storage full or off: Apply loads the what-if without the voyage
  }
}

function recall(s) {
  try {
    return JSON.parse(localStorage.getItem(voyageKey(s)) || "null");
  } catch {
    return null;
  }
}

/* A remembered voyage in words: "Vizag → Severomorsk, Talwar-class frigate (IND)". */
function voyageSummary(v) {
  const who = v.group ? v.group.map(names.member).join(" + ") : names.platform(v.platform);
  const end = (p) => (p ? p.name.split(" (")[0] : "?");
  return `${end(v.origin)} → ${end(v.destination)}, ${who} (${v.nation})`;
}

/* The catalogue's current record for a remembered place (its name may have changed). */
const fresh = (place) =>
  place && place.id && state.byId.has(place.id) ? facilityPlace(state.byId.get(place.id)) : place;

function loadVoyage(v) {
  if (v.nation) {
    if (![...$("nation").options].some((o) => o.value === v.nation)) {
      $("nation").append(h("option", { value: v.nation }, v.nation));
    }
    $("nation").value = v.nation;
  }
  platformOptions($("platform"), $("nation").value, v.platform || $("platform").value);
  fill($("group-rows"));
  $("group").open = Boolean(v.group && v.group.length);
  for (const member of v.group || []) addGroupRow(member);
  $("platform").disabled = $("group").open;
  pick("origin", fresh(v.origin) || null);
  pick("destination", fresh(v.destination) || null);
  $("speed").value = v.speed ?? "";
  $("reserve").value = v.reserve ?? 25;
  $("clearance").checked = Boolean(v.clearance);
  showFacilities();
}

/* What an applied scenario holds beyond the form, with a way to drop it. */
function showExtras() {
  const box = $("extras");
  box.hidden = !state.extras;
  fill(
    box,
    state.extras
      ? [
          h("p", {}, `Also from “${state.extras.name}”: ${scenarioSummary(state.extras)}.`),
          h(
            "button",
            {
              type: "button",
              onclick: () => {
                state.extras = null;
                showExtras();
                replanIfShown();
              },
            },
            "Drop these",
          ),
        ]
      : null,
  );
}

/* The names of a scenario's hypothetical facilities and agreements. */
function learnHypothetical(s) {
  names.learnFacilities(
    (s.added_facilities || []).map((f) => ({
      id: f.id,
      name: (f.properties && f.properties.name) || f.id,
    })),
  );
  names.learnAgreements(
    (s.added_agreements || []).map((a) => ({ id: a.id, name: a.name || a.id })),
  );
}

function setExtras(s) {
  const keys = [...PLAN_EXTRAS, ...SCENARIO_EXTRAS].filter((k) => given(s[k]));
  learnHypothetical(s);
  state.extras = keys.length
    ? { name: s.name, ...Object.fromEntries(keys.map((k) => [k, s[k]])) }
    : null;
  showExtras();
}

async function loadScenarios() {
  const answer = await api("/scenarios", { query: { limit: 1000 } });
  state.scenarios = answer.scenarios;
  for (const s of answer.scenarios) learnHypothetical(s);
  fill(
    $("scenarios"),
    answer.scenarios.length
      ? answer.scenarios.map((s) => {
          const v = recall(s);
          return h(
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
            v ? h("span", { class: "voyage" }, ` ${voyageSummary(v)}`) : null,
            " ",
            h(
              "button",
              {
                type: "button",
                class: "apply",
                title: v
                  ? "load this what-if, its voyage too, into the form and plan it"
                  : "load this what-if into the form and plan it for the voyage there",
                onclick: () => applyScenario(s),
              },
              "Apply",
            ),
          );
        })
      : h("li", { class: "muted" }, "None saved yet."),
  );
}

/* Load a saved scenario into the form, the voyage it was saved with too (if this browser
 * saved it), and plan it: the planner sees the saved what-if, not the form's leftovers. */
async function applyScenario(s) {
  const v = recall(s);
  if (v) loadVoyage(v);
  const date = s.date || (v && v.departure);
  if (date) $("departure").value = date;
  setExtras(s);
  addChecks("passages", s.closed, names.passageName, names.passageName);
  setChecked("passages", s.closed);
  showAgreements(s.dropped_agreements);
  addChecks("agreements", s.dropped_agreements, names.agreement, names.agreementName);
  setChecked("agreements", s.dropped_agreements);
  state.closedFacilities = new Map(s.closed_facilities.map((id) => [id, names.facilityName(id)]));
  showClosedFacilities();
  $("airspace").value = s.closed_airspace.join(", ");
  if (s.allow_clearance !== null && s.allow_clearance !== undefined) {
    $("clearance").checked = s.allow_clearance;
  }
  $("scenario-name").value = s.name;
  if (!state.picks.origin || !state.picks.destination) {
    say(`Loaded “${s.name}”: choose where from and to, then Plan.`, "ok");
    return;
  }
  const plan = await runPlan();
  if (!plan) return;
  const what = `Applied “${s.name}”${v ? " with the voyage it was saved with" : ""}`;
  if (plan.feasible) say(`${what}.`, "ok");
  else say(`${what}: no feasible plan, see why on the right.`, "error");
}

/* The what-if the form holds, as a scenario record (without its name). */
function whatIf() {
  const { allow_clearance, ...rest } = closures();
  return {
    ...($("departure").value ? { date: $("departure").value } : {}),
    ...rest,
    allow_clearance: Boolean(allow_clearance),
    ...extras(SCENARIO_EXTRAS),
  };
}

async function saveScenario() {
  const body = whatIf();
  const name = $("scenario-name").value.trim() || scenarioSummary(body).slice(0, 200);
  const trip = voyage();
  const saved = await attempt("Saving the scenario", async () => {
    const answer = await api("/scenarios", { method: "POST", body: { name, ...body } });
    remember(answer, trip);
    await loadScenarios();
    return answer;
  });
  if (saved) say(`Saved scenario “${saved.name}”: Apply loads it again.`, "ok");
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
    panels.compareTable(answer.results, (plan) => maps.drawPlan(view, plan, "compared")),
  );
}

async function runCritical() {
  const body = planBody();
  if (!body) return;
  const answer = await attempt("Ranking what the plan relies on", () =>
    api("/critical", { method: "POST", body }),
  );
  if (!answer) return;
  fill($("critical-out"), panels.criticalTable(answer));
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
    ...extras(["denied_countries", "min_confidence"]),
  };
  const scenario = under();
  if (scenario) body.scenario = scenario;
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
  const [facilities, platforms, passages, agreements] = await Promise.all([
    api("/facilities", { query: { limit: 1000 } }),
    api("/platforms"),
    api("/passages"),
    api("/agreements"),
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
  state.agreements = agreements.agreements;
  names.learnFacilities(state.facilities);
  names.learnPlatforms(platforms.platforms);
  names.learnPassages(passages);
  names.learnAgreements(state.agreements);
  const nations = [...new Set([...state.platforms.values()].map((p) => p.nation))].sort();
  fill(
    $("nation"),
    nations.map((n) => h("option", { value: n, selected: n === "IND" }, n)),
  );
  platformOptions($("platform"), $("nation").value, "talwar");
  fill(
    $("passages"),
    passages.closure_groups.map((g) => checkbox("passages", g.id, g.name, g.note)),
    passages.passages
      .filter((p) => p.kind !== "ice_region")
      .map((p) => checkbox("passages", p.id, p.name, p.note)),
  );
  $("departure").value = nextMonth();
  showFacilities();
  showAgreements();
  await Promise.all([loadScenarios(), showWho()]);
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
  showAgreements();
});
$("platform").addEventListener("change", showFacilities);
$("group").addEventListener("toggle", () => {
  if ($("group").open && !groupRows().length) addGroupRow();
  $("platform").disabled = $("group").open;
  showFacilities();
});
$("group-add").addEventListener("click", () => addGroupRow());
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
