/* panels.js: the results beside the map, built from the API's answers as elements holding
 * text: a plan (summary, calls, warnings), its difference from the plan before, and the
 * compare, critical and reach tables. Passages, agreements, facilities and platforms are
 * named (names.js), never shown by id. */
import { fmt, h, table } from "./dom.js";
import { BAND_COLOURS } from "./map.js";
import * as names from "./names.js";

/* Names for a list of ids, or "none" (";" between: some names hold a comma). */
const named = (ids, name) => (ids && ids.length ? ids.map(name).join("; ") : "none");

/* Every agreement a plan's calls rest on. */
function agreementsOf(plan) {
  const calls = [plan.origin, plan.destination, ...(plan.waypoints || []), ...(plan.stops || [])];
  return [
    ...new Set(
      calls.flatMap((c) => (c && (c.agreements || (c.agreement ? [c.agreement] : []))) || []),
    ),
  ].sort();
}

/* Feasible or not, why, suggestions, and the totals. */
export function planSummary(plan) {
  const t = plan.totals || {};
  return [
    h(
      "h2",
      { class: plan.feasible ? "ok" : "bad", "data-feasible": String(plan.feasible) },
      plan.feasible ? "Feasible plan" : "No feasible plan",
    ),
    plan.reason ? h("p", { class: "bad" }, names.text(plan.reason)) : null,
    plan.suggestions && plan.suggestions.length
      ? h(
          "div",
          {},
          h("h3", {}, "Suggestions"),
          h(
            "ul",
            {},
            plan.suggestions.map((s) => h("li", {}, names.text(s))),
          ),
        )
      : null,
    plan.feasible
      ? h(
          "dl",
          { class: "totals" },
          [
            ["Distance", fmt.nm(t.distance_nm)],
            [
              "Time",
              `${fmt.days(t.days)} (under way ${fmt.hoursAsDays(t.sailing_h)}, waits ${fmt.hoursAsDays(t.wait_h)})`,
            ],
            ["Stops", t.stops],
            ["ETA", fmt.time(t.eta)],
            ["Usable range", `${fmt.nm(plan.usable_range_nm)}: ${plan.range_basis || ""}`],
            ["Passages", named(plan.passages, names.passage)],
            ["Agreements", named(agreementsOf(plan), names.agreement)],
          ].map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
        )
      : null,
  ];
}

/* What opens a call to the nation: "own", "RELOS" (its full name on hover)... */
function basis(c) {
  if (c.basis === "own") return "own";
  if (c.agreement) {
    return h("span", { title: names.agreementName(c.agreement) }, names.agreement(c.agreement));
  }
  return c.basis === "clearance" ? "diplomatic clearance" : c.basis;
}

/* A call's place, and under it (muted) what opens it. */
function callCell(c) {
  const by = basis(c);
  return [c.name || names.place(c.id), by ? [h("br"), h("span", { class: "muted" }, by)] : null];
}

/* The origin, each stop and the destination: who opens it, when, fuel, notice. */
export function callsTable(plan) {
  const calls = plan.feasible
    ? [
        { role: "A", ...plan.origin, arrival: plan.origin.time }, // leaves then
        ...plan.stops.map((s) => ({ role: String(s.index), id: s.facility_id, ...s })),
        {
          role: "B",
          ...plan.destination,
          arrival: plan.destination.time,
          fuel_on_arrival: plan.legs.length
            ? plan.legs[plan.legs.length - 1].fuel_on_arrival
            : undefined,
        },
      ]
    : [];
  return calls.length
    ? table(
        [
          { label: "", value: (c) => c.role },
          { label: "Call, opened by", value: callCell },
          {
            label: "When (UTC)",
            value: (c) =>
              c.arrival
                ? [h("span", { class: "t" }, fmt.date(c.arrival)), h("br"), c.arrival.slice(11, 16)]
                : "–",
          },
          {
            label: "Fuel",
            num: true,
            value: (c) => (c.fuel_on_arrival === undefined ? "–" : fmt.pct(c.fuel_on_arrival)),
          },
          {
            label: "Notice",
            value: (c) =>
              c.notice_days
                ? [
                    `${c.notice_days} d, ask by`,
                    h("br"),
                    h("span", { class: "t" }, fmt.date(c.request_by)),
                  ]
                : "–",
          },
        ],
        calls,
        "Calls",
      )
    : null;
}

/* A list of warnings or caveats under a heading, or nothing. */
export function warningsList(warnings, title = "Warnings") {
  return warnings && warnings.length
    ? [
        h("h3", {}, `${title} (${warnings.length})`),
        h(
          "ul",
          { class: "warnings" },
          warnings.map((w) => h("li", {}, names.text(w))),
        ),
      ]
    : null;
}

/* How the console words each field of a plan request: a label and a value as text. */
const FIELDS = {
  nation: ["nation", String],
  platform: ["platform", names.platform],
  group: ["group", names.member],
  origin: ["from", names.place],
  destination: ["to", names.place],
  departure: ["departure", fmt.date, "now"],
  speed_kn: ["speed", (x) => `${x} kn`, "economical"],
  reserve: ["reserve", fmt.pct],
  closed: ["closed", names.passage],
  dropped_agreements: ["dropped", names.agreement],
  closed_facilities: ["facilities closed", names.facility],
  closed_airspace: ["airspace closed", String],
  opened_airspace: ["airspace opened", String],
  allow_clearance: ["clearance", (x) => (x ? "allowed" : "not allowed"), "not allowed"],
  denied_countries: ["clearance refused by", String],
  min_confidence: ["minimum confidence", (x) => String(x).replaceAll("_", " "), "any"],
  scenario: ["under", String, "no scenario"],
};

const field = (k) => FIELDS[k] || [k.replaceAll("_", " "), (x) => JSON.stringify(x), "none"];

/* "+added; −removed" between two lists (words via `word`), or "same". */
function listChange(before, after, word = String) {
  const was = new Set((before || []).map(word));
  const is = new Set((after || []).map(word));
  const added = [...is].filter((x) => !was.has(x));
  const removed = [...was].filter((x) => !is.has(x));
  return [...added.map((x) => `+${x}`), ...removed.map((x) => `−${x}`)].join("; ") || "same";
}

/* What differs between two plan requests, in words: "closed +Suez Canal; speed 14 kn → 16 kn". */
function requestChanges(a, b) {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .map((k) => {
      const [label, word, none] = field(k);
      if (Array.isArray(a[k]) || Array.isArray(b[k])) {
        return [label, listChange(a[k], b[k], word)];
      }
      if (JSON.stringify(a[k] ?? null) === JSON.stringify(b[k] ?? null)) return [label, "same"];
      const show = (x) => (x === undefined || x === null ? none || "none" : word(x));
      return [label, `${show(a[k])} → ${show(b[k])}`];
    })
    .filter(([, change]) => change !== "same")
    .map(([label, change]) => `${label} ${change}`);
}

/* What changed from the plan before (`was`, asked with `a`) to this one (`is`, asked with `b`). */
export function deltaPanel(was, is, a, b) {
  const asked = requestChanges(a, b);
  const stopsOf = (p) => (p.stops || []).map((s) => s.name);
  let rows;
  if (was.feasible && is.feasible) {
    const [t0, t1] = [was.totals, is.totals];
    rows = [
      ["Distance", fmt.signed(t1.distance_nm - t0.distance_nm, 0, " nm")],
      ["Time", fmt.signed(t1.days - t0.days, 1, " d")],
      ["Stops", fmt.signed(t1.stops - t0.stops)],
      ["ETA", `${fmt.time(t0.eta)} → ${fmt.time(t1.eta)}`],
    ];
  } else {
    rows = [["Feasible", `${was.feasible ? "yes" : "no"} → ${is.feasible ? "yes" : "no"}`]];
  }
  rows.push(
    ["Agreements", listChange(agreementsOf(was), agreementsOf(is), names.agreement)],
    ["Stops at", listChange(stopsOf(was), stopsOf(is))],
    ["Passages", listChange(was.passages, is.passages, names.passage)],
  );
  return h(
    "section",
    { class: "delta" },
    h("h3", {}, "Against the previous plan"),
    asked.length
      ? h(
          "ul",
          { class: "changes" },
          asked.map((change) => h("li", {}, change)),
        )
      : h("p", { class: "muted" }, "Same request."),
    h(
      "dl",
      {},
      rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
    ),
  );
}

/* A row per scenario, baseline first; `show(plan)` draws a row's plan. */
export function compareTable(rows, show) {
  return table(
    [
      {
        label: "Scenario (show)",
        value: (r) =>
          r.plan
            ? h(
                "button",
                {
                  type: "button",
                  class: "link",
                  title: "show on the map",
                  onclick: () => show(r.plan),
                },
                r.scenario,
              )
            : r.scenario,
      },
      {
        label: "Distance",
        num: true,
        value: (r) => (r.feasible ? fmt.nm(r.totals.distance_nm) : "–"),
      },
      {
        label: "Days (Δ)",
        num: true,
        value: (r) =>
          r.feasible
            ? [
                fmt.days(r.totals.days),
                r.delta ? [h("br"), `(${fmt.signed(r.delta.days, 1)})`] : null,
              ]
            : "–",
      },
      { label: "Stops", num: true, value: (r) => (r.feasible ? r.totals.stops : "–") },
      {
        label: "Stops used, or why none",
        value: (r) =>
          r.feasible
            ? named(r.stops_used, names.facility)
            : h("span", { class: "bad" }, names.text(r.reason)),
      },
    ],
    rows,
    "Baseline and scenarios",
  );
}

/* What a plan relies on, ranked: facilities, agreements and passages by name. */
export function criticalTable(answer) {
  const name = { facility: names.facility, agreement: names.agreement, passage: names.passage };
  return [
    answer.baseline.feasible
      ? null
      : h(
          "p",
          { class: "bad" },
          `The plan itself is infeasible: ${names.text(answer.baseline.reason)}`,
        ),
    table(
      [
        { label: "#", num: true, value: (r) => r.rank },
        {
          label: "Losing",
          value: (r) => `${r.kind}: ${(name[r.kind] || String)(r.id)}`,
        },
        { label: "Then", value: (r) => (r.feasible ? "feasible" : "no plan") },
        {
          label: "Extra",
          num: true,
          value: (r) => (r.feasible ? fmt.signed(r.extra_days, 1, " d") : "–"),
        },
        {
          label: "Why / stops instead",
          value: (r) => (r.feasible ? named(r.stops_used, names.facility) : names.text(r.reason)),
        },
      ],
      answer.ranking,
      "What the plan relies on",
    ),
  ];
}

/* The reach in numbers: area, lanes and facilities by stop count, and its caveats. */
export function reachPanel(answer) {
  const swatch = (stops) => {
    const s = h("span", { class: "swatch" });
    s.style.background = BAND_COLOURS[Math.min(stops, BAND_COLOURS.length - 1)];
    return s;
  };
  return [
    h(
      "p",
      {},
      `${answer.platform}: ${Math.round(answer.area_km2 / 1e6)} M km² of sea, ${fmt.pct(answer.lane_share)} of the sea lanes, ${answer.facilities.length} facilities.`,
    ),
    table(
      [
        { label: "Stops", value: (b) => [swatch(b.stops), ` ${b.stops}`] },
        { label: "Sea area", num: true, value: (b) => `${(b.area_km2 / 1e6).toFixed(1)} M km²` },
        { label: "Lanes", num: true, value: (b) => fmt.pct(b.lane_share) },
        { label: "Facilities", num: true, value: (b) => b.facilities },
      ],
      answer.by_stops,
      "Within reach, by stops",
    ),
    warningsList(answer.caveats, "Caveats"),
  ];
}
