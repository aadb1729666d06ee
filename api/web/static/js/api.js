// The API from the browser: JSON in and out, the signed-in account's tokens kept in localStorage
// and refreshed once when the access token has expired. Every page uses this and nothing else.

const KEY = "homegames.session";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `the server answered ${status}`);
    this.status = status;
    this.code = body && body.code;
  }
}

export function session() {
  try {
    return JSON.parse(localStorage.getItem(KEY));
  } catch {
    return null;
  }
}

export function setSession(s) {
  if (s) localStorage.setItem(KEY, JSON.stringify(s));
  else localStorage.removeItem(KEY);
}

async function send(method, path, body, token) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function refreshed() {
  const s = session();
  if (!s || !s.refreshToken) return null;
  const r = await send("POST", "/auth/refresh", { refreshToken: s.refreshToken });
  if (!r.ok) {
    setSession(null);
    return null;
  }
  const next = await r.json();
  setSession(next);
  return next;
}

/** A request to the API; `as` is "json" (default), "text" or "bytes" for the answer. */
export async function api(method, path, body, { as = "json", auth = true } = {}) {
  const token = auth ? session()?.accessToken : undefined;
  let r = await send(method, path, body, token);
  if (r.status === 401 && token) {
    const s = await refreshed();
    if (s) r = await send(method, path, body, s.accessToken);
  }
  if (!r.ok) {
    let parsed = null;
    try {
      parsed = await r.json();
    } catch {
      /* not JSON: the status says enough */
    }
    throw new ApiError(r.status, parsed);
  }
  if (r.status === 204) return null;
  if (as === "text") return r.text();
  if (as === "bytes") return new Uint8Array(await r.arrayBuffer());
  return r.json();
}

/** Shows `text` in a page's status line (an aria-live region), as an error when `bad`. */
export function say(el, text, bad = false) {
  el.textContent = text;
  el.classList.toggle("bad", bad);
  el.classList.toggle("good", !bad && text !== "");
}

/** An element with attributes and children, text escaped (never innerHTML with data). */
export function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** The header every page shares: the catalog, the Studio, and who is signed in. */
export function topBar() {
  const s = session();
  const bar = document.querySelector("header.top nav");
  if (!bar) return;
  const links = [h("a", { href: "/" }, "Games"), h("a", { href: "/studio" }, "Studio")];
  if (s) links.push(h("span", {}, `Signed in as ${s.displayName}`), h("a", { href: "/studio#/logout" }, "Sign out"));
  bar.replaceChildren(...links);
}
