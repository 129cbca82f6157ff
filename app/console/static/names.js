/* names.js: what the console calls things. The API answers with ids (passages, closure
 * groups, agreements, facilities, platforms); a planner reads names. The console learns
 * the names once (GET /passages, /agreements, /facilities, /platforms) and every panel
 * shows them; the ids stay the values sent to the API. */

const known = {
  passage: new Map(), // passage and closure-group ids -> {name, short}
  agreement: new Map(),
  facility: new Map(),
  platform: new Map(),
};
let pattern = null; // the ids that may turn up in the service's sentences, once learnt

/* A name without its parenthesis: "Great Belt (Storebælt)" -> "Great Belt". */
const trim = (name) => name.split(" (")[0] || name;

function learn(kind, id, name, short = trim(name)) {
  known[kind].set(id, { name, short });
  pattern = null;
}

/* From GET /passages: passages and closure groups. */
export function learnPassages(answer) {
  for (const g of answer.closure_groups) learn("passage", g.id, g.name);
  for (const p of answer.passages) learn("passage", p.id, p.name);
}

/* Agreements as /agreements gives them. Planners call an agreement by its acronym
 * (RELOS, LEMOA) where its name spells one out; otherwise by its name, less an aside in
 * parentheses at its end ("(logistics-sharing agreement)"; "(India - Vietnam)" stays). */
export function learnAgreements(agreements) {
  const acronym = (a) => {
    const m = a.name.match(/\(([A-Z][A-Z0-9]+(?: ?\/ ?[A-Z][A-Z0-9]+)*)\)/);
    return m ? m[1] : null;
  };
  const all = [...agreements, ...[...known.agreement].map(([id, v]) => ({ id, name: v.name }))];
  const uses = new Map();
  for (const a of all) uses.set(acronym(a), (uses.get(acronym(a)) || new Set()).add(a.id));
  for (const a of agreements) {
    const short = acronym(a);
    const unique = short && uses.get(short).size === 1;
    learn("agreement", a.id, a.name, unique ? short : a.name.replace(/ \([a-z][^()]*\)$/, ""));
  }
}

/* Facilities: [{id, name}]. */
export function learnFacilities(facilities) {
  for (const f of facilities) learn("facility", f.id, f.name);
}

/* Platforms: [{id, name}]. */
export function learnPlatforms(platforms) {
  for (const p of platforms) learn("platform", p.id, p.name);
}

const lookup = (kind, full) => (id) => {
  const found = known[kind].get(id);
  return found ? (full ? found.name : found.short) : String(id);
};

/* Short names, for lists and tables ("Suez Canal", "RELOS", "Port of Djibouti"). */
export const passage = lookup("passage", false);
export const agreement = lookup("agreement", false);
export const facility = lookup("facility", false);
export const platform = lookup("platform", false);

/* Full names, for checklists and tooltips. */
export const passageName = lookup("passage", true);
export const agreementName = lookup("agreement", true);
export const facilityName = lookup("facility", true);
export const platformName = lookup("platform", true);

/* Whether an id is a known passage or closure group (a checkbox may be missing). */
export const isPassage = (id) => known.passage.has(id);

/* Where a plan starts or ends, as asked: a facility id or "lon,lat". */
export function place(ref) {
  if (known.facility.has(ref)) return facility(ref);
  const m = /^(-?[\d.]+),\s*(-?[\d.]+)$/.exec(String(ref));
  return m ? `${Number(m[2]).toFixed(2)}°, ${Number(m[1]).toFixed(2)}° (at sea)` : String(ref);
}

/* A task-group member as the request has it: "2× Talwar-class frigate". */
export const member = (m) =>
  m && typeof m === "object" ? `${m.count || 1}× ${platform(m.platform)}` : String(m);

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function build() {
  const ids = ["passage", "agreement", "facility"].flatMap((kind) =>
    [...known[kind]].map(([id, v]) => [id, kind, v]),
  );
  const by = new Map(ids.map(([id, kind, v]) => [id, { kind, ...v }]));
  const alternatives = ids
    .map(([id]) => id)
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join("|");
  // An id standing alone (not inside another id), then perhaps "(its name)" after it.
  const re = alternatives
    ? new RegExp(
        `(?<![\\w-])(${alternatives})(?![\\w-])( \\(((?:[^()]|\\([^()]*\\))*)\\))?`,
        "g",
      )
    : null;
  return { by, re };
}

/* A sentence from the service with the ids it names turned into names: "opened to IND
 * only by relos" -> "... only by RELOS"; "reopen suez" -> "reopen Suez Canal"; "restore
 * relos (Reciprocal Exchange ...)" -> "restore RELOS" (the name once). */
export function text(sentence) {
  if (typeof sentence !== "string") return sentence;
  pattern = pattern || build();
  if (!pattern.re) return sentence;
  return sentence.replace(pattern.re, (whole, id, paren, inside) => {
    const found = pattern.by.get(id);
    if (!found) return whole;
    if (paren && (inside === found.name || inside === found.short)) return found.short;
    return found.short + (paren || "");
  });
}
