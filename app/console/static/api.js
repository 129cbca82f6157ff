/* api.js: the service's HTTP API, with the API key kept for this browser tab only. */

const ROOT = document.documentElement.dataset.root || "";
const KEY = "relos-api-key";

/* The API key, in sessionStorage: gone when the tab closes. */
export const apiKey = {
  get: () => sessionStorage.getItem(KEY) || "",
  set: (value) => (value ? sessionStorage.setItem(KEY, value) : sessionStorage.removeItem(KEY)),
};

/* An answer other than 2xx, with the service's message (naming the field). */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/* Call the API: `api("/plans", {method: "POST", body})` -> the JSON answer. */
export async function api(path, { method = "GET", body, query } = {}) {
  const headers = { Accept: "application/json" };
  const key = apiKey.get();
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const url = ROOT + path + (query ? `?${new URLSearchParams(query)}` : "");
  const answer = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!answer.ok) throw new ApiError(answer.status, describe(answer.status, data));
  return data;
}

function describe(status, data) {
  const detail = data && typeof data === "object" ? data.detail : data;
  let text;
  if (Array.isArray(detail)) {
    text = detail
      .map((e) => {
        const where = (e.loc || []).filter((part) => part !== "body").join(".");
        return where ? `${where}: ${e.msg}` : e.msg;
      })
      .join("; ");
  } else if (detail && typeof detail === "object") {
    text = detail.message || JSON.stringify(detail);
  } else {
    text = detail ? String(detail) : "";
  }
  const hint =
    status === 401 || status === 403 ? " (enter an API key with the planner role above)" : "";
  return `${status}: ${text || "the service refused the request"}${hint}`;
}
