/* dom.js: elements built from data as text (never HTML from data), tables and formats. */

/* An element: `props` are attributes ("class", "data-*", ...) or `on<event>` listeners;
 * children are nodes or text (strings go in as text nodes, so data is never parsed). */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else
      el.setAttribute(name === "className" ? "class" : name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/* Replace what `el` holds by `children`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/* A table: `columns` are {label, value(row) -> text or node, num?}. */
export function table(columns, rows, caption) {
  const cell = (tag, col, content) => h(tag, { class: col.num ? "num" : null }, content);
  return h(
    "table",
    { class: "grid" },
    caption ? h("caption", {}, caption) : null,
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        columns.map((c) => cell("th", c, c.label)),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((r) =>
        h(
          "tr",
          {},
          columns.map((c) => cell("td", c, c.value(r))),
        ),
      ),
    ),
  );
}

const number = (x, digits = 0) =>
  x.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/* Formats for the API's units (nautical miles, hours, fractions, ISO times in UTC). */
export const fmt = {
  nm: (x) => (x === null || x === undefined ? "–" : `${number(x)} nm`),
  days: (x) => (x === null || x === undefined ? "–" : `${number(x, 1)} d`),
  hoursAsDays: (x) => fmt.days(x === null || x === undefined ? x : x / 24),
  pct: (x) => (x === null || x === undefined ? "–" : `${number(100 * x)} %`),
  time: (iso) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z` : "–"),
  date: (iso) => (iso ? iso.slice(0, 10) : "–"),
  signed: (x, digits = 0, unit = "") => {
    const text = `${number(Math.abs(x), digits)}${unit}`;
    return x > 0 ? `+${text}` : x < 0 ? `−${text}` : `±${text}`;
  },
  list: (xs) => (xs && xs.length ? xs.join(", ") : "none"),
};
