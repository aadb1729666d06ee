// The admin console: stats, users (deleting one with everything they made, after a confirmation
// that lists it), games, assets and their NSFW flags, publish requests with their reasons, and
// the dead-lettered publish jobs to replay. Search and pages on every list.
import { api, h, say, session, topBar } from "./api.js";

const view = document.getElementById("view");
const status = document.getElementById("status");
const PAGE = 20;
const TABS = [["stats", "Stats"], ["users", "Users"], ["games", "Games"], ["assets", "Assets"], ["requests", "Publish requests"], ["dead", "Dead letters"]];

function when(t) {
  return t ? new Date(t).toLocaleString() : "";
}

/** Asks before a destructive action, in a modal dialog; resolves to whether the admin agreed. */
function confirmWith(title, body, yes) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-title").textContent = title;
  document.getElementById("confirm-body").replaceChildren(body);
  const ok = document.getElementById("confirm-yes");
  ok.textContent = yes;
  return new Promise((done) => {
    const finish = (answer) => () => {
      dialog.close();
      ok.onclick = null;
      document.getElementById("confirm-no").onclick = null;
      done(answer);
    };
    ok.onclick = finish(true);
    document.getElementById("confirm-no").onclick = finish(false);
    dialog.oncancel = finish(false);
    dialog.showModal();
  });
}

/** A searchable, paged table: `load(skip, q)` gives rows, `row(item)` draws one. */
function listView(title, headings, load, row, extra = null) {
  let skip = 0;
  const q = h("input", { type: "search", id: "console-q", placeholder: `Search ${title.toLowerCase()}` });
  const body = h("tbody");
  const pageInfo = h("span", { class: "meta" });
  const prev = h("button", { type: "button", class: "quiet", onclick: () => { skip = Math.max(0, skip - PAGE); draw(); } }, "Previous page");
  const next = h("button", { type: "button", class: "quiet", onclick: () => { skip += PAGE; draw(); } }, "Next page");
  let asked = 0;
  async function draw() {
    // Only the newest question's answer is drawn (an older one may arrive after it).
    const mine = ++asked;
    try {
      const items = await load(skip, q.value.trim());
      if (mine !== asked) return;
      body.replaceChildren(...items.map(row));
      if (!items.length) body.append(h("tr", {}, h("td", { colspan: headings.length }, "Nothing here.")));
      prev.disabled = skip === 0;
      next.disabled = items.length < PAGE;
      pageInfo.textContent = items.length ? `${skip + 1}-${skip + items.length}` : "";
    } catch (e) {
      say(status, e.message, true);
    }
  }
  view.replaceChildren(
    h("h2", {}, title),
    h("form", { class: "tools", role: "search", onsubmit: (e) => { e.preventDefault(); skip = 0; draw(); } },
      h("label", { class: "skip", for: "console-q" }, "Search"), q, extra, h("button", { type: "submit" }, "Search")),
    h("table", { class: "list", "aria-label": title }, h("thead", {}, h("tr", {}, headings.map((t) => h("th", {}, t)))), body),
    h("p", { class: "row" }, prev, next, pageInfo));
  draw();
  return draw;
}

const query = (path, skip, q, more = "") => `${path}?skip=${skip}&limit=${PAGE}${q ? `&q=${encodeURIComponent(q)}` : ""}${more}`;

const tabs = {
  async stats() {
    const s = await api("GET", "/admin/stats");
    view.replaceChildren(h("h2", {}, "Stats"), h("table", { class: "list", "aria-label": "Stats" }, h("tbody", {},
      Object.entries(s).map(([k, v]) => h("tr", {}, h("th", {}, k.replace(/([A-Z])/g, " $1").toLowerCase()), h("td", { "data-stat": k }, String(v)))))));
  },
  users() {
    const redraw = listView("Users", ["Name", "Email", "Verified", "Admin", "Joined", ""], (skip, q) => api("GET", query("/admin/users", skip, q)), (u) => h("tr", { "data-user": u.displayName },
      h("td", {}, u.displayName), h("td", {}, u.email), h("td", {}, u.verified ? "yes" : "no"), h("td", {}, u.isAdmin ? "yes" : ""), h("td", {}, when(u.created)),
      h("td", {}, u.userId === session()?.userId ? "" : h("button", {
        type: "button", class: "danger", "aria-label": `Delete ${u.displayName}`,
        onclick: async () => {
          const b = await api("GET", `/admin/users/${u.userId}/belongings`);
          const list = h("div", {},
            h("p", {}, `The account ${b.user.displayName} (${b.user.email}) and everything it made:`),
            h("ul", { id: "belongings" },
              h("li", {}, `${b.games.length} game${b.games.length === 1 ? "" : "s"}${b.games.length ? ": " : ""}`, b.games.map((g) => `${g.name}${g.publishedVersion ? " (published: it leaves the catalog and the game server)" : ""}`).join(", ")),
              h("li", {}, `${b.assets} asset${b.assets === 1 ? "" : "s"}`),
              h("li", {}, `${b.publishRequests} publish request${b.publishRequests === 1 ? "" : "s"}`),
              h("li", {}, "their games' git repositories and saved versions")),
            h("p", {}, "This cannot be undone."));
          if (!(await confirmWith(`Delete ${b.user.displayName}?`, list, "Delete everything listed"))) return;
          try {
            const out = await api("DELETE", `/admin/users/${u.userId}`);
            say(status, `Deleted ${u.displayName}: ${out.games} games, ${out.assets} assets, ${out.repositories} repositories; ${out.server.sessionsEnded ?? 0} sessions ended.`);
            redraw();
          } catch (e) {
            say(status, e.message, true);
          }
        },
      }, "Delete…"))));
  },
  games() {
    listView("Games", ["Name", "Author id", "Published", "NSFW", "Created", "Repository"], (skip, q) => api("GET", query("/admin/games", skip, q)), (g) => h("tr", { "data-game": g.name },
      h("td", {}, g.publishedVersion ? h("a", { href: `/game/${g.gameId}` }, g.name) : g.name), h("td", {}, h("code", { class: "id" }, g.developerId)),
      h("td", {}, g.publishedVersion ? "yes" : "no"), h("td", {}, g.nsfw ? "yes" : ""), h("td", {}, when(g.created)),
      h("td", {}, h("button", { type: "button", class: "quiet", onclick: async (e) => {
        const disabled = e.currentTarget.dataset.disabled !== "true";
        try {
          await api("POST", `/admin/games/${g.gameId}/repository`, { disabled });
          e.target.dataset.disabled = String(disabled);
          e.target.textContent = disabled ? "Enable git" : "Disable git";
          say(status, `${g.name}: its repository is ${disabled ? "disabled" : "enabled"}.`);
        } catch (err) {
          say(status, err.message, true);
        }
      } }, "Disable git"))));
  },
  assets() {
    listView("Assets", ["Asset", "Name", "Type", "Size", "NSFW", "Score", "Flag"], (skip, q) => api("GET", query("/admin/assets", skip, q)), (a) => h("tr", { "data-asset": a.name },
      h("td", {}, a.type === "image" ? h("img", { src: `/assets/${a.assetId}`, alt: a.name, class: "asset-thumb" }) : h("code", { class: "id" }, a.assetId)),
      h("td", {}, a.name), h("td", {}, a.type), h("td", {}, `${a.size} B`), h("td", { class: "nsfw" }, a.nsfw ? "flagged" : "no"),
      h("td", {}, a.nsfwScore === null ? "not scored" : a.nsfwScore.toFixed(3)),
      h("td", {}, h("button", { type: "button", class: "quiet", onclick: async (e) => {
        try {
          const next = await api("POST", `/admin/assets/${a.assetId}/nsfw`, { nsfw: !a.nsfw });
          a.nsfw = next.nsfw;
          e.target.closest("tr").querySelector(".nsfw").textContent = a.nsfw ? "flagged" : "no";
          e.target.textContent = a.nsfw ? "Clear the flag" : "Flag as NSFW";
        } catch (err) {
          say(status, err.message, true);
        }
      } }, a.nsfw ? "Clear the flag" : "Flag as NSFW"))));
  },
  requests() {
    const state = h("select", { id: "request-status", "aria-label": "Status" }, ["", "PENDING", "PROCESSING", "PUBLISHED", "FAILED"].map((s) => h("option", { value: s }, s || "Any status")));
    listView("Publish requests", ["Requested", "Game id", "Version", "Status", "Reason"], (skip, q) => api("GET", query("/admin/publish-requests", skip, q, state.value ? `&status=${state.value}` : "")), (r) => h("tr", {},
      h("td", {}, when(r.created)), h("td", {}, h("code", { class: "id" }, r.gameId)), h("td", {}, String(r.versionNumber)),
      h("td", {}, h("span", { class: `publish-state ${r.status}` }, r.status)),
      h("td", {}, r.error || "", r.findings && r.findings.length ? h("pre", {}, r.findings.join("\n")) : null)), state);
  },
  async dead() {
    const letters = await api("GET", "/admin/dead-letters");
    const replay = h("button", { type: "button", disabled: !letters.length, onclick: async () => {
      try {
        const out = await api("POST", "/admin/dead-letters/replay");
        say(status, `Replayed ${out.replayed.length}; ${out.dropped} dropped (their requests are gone).`);
        tabs.dead();
      } catch (e) {
        say(status, e.message, true);
      }
    } }, "Replay them all");
    view.replaceChildren(h("h2", {}, "Dead letters"),
      h("p", {}, "Publish jobs the worker gave up on after repeated transient failures. Replay them once the cause is mended."),
      h("table", { class: "list", "aria-label": "Dead letters" }, h("thead", {}, h("tr", {}, h("th", {}, "Request"), h("th", {}, "Attempts"), h("th", {}, "Status"))),
        h("tbody", {}, letters.length ? letters.map((d) => h("tr", {}, h("td", {}, h("code", { class: "id" }, d.requestId)), h("td", {}, String(d.attempt)), h("td", {}, d.request ? d.request.status : "gone"))) : h("tr", {}, h("td", { colspan: "3" }, "None.")))),
      h("p", {}, replay));
  },
};

async function route() {
  const name = location.hash.replace(/^#\/?/, "") || "stats";
  document.getElementById("tabs").replaceChildren(...TABS.map(([id, text]) => h("a", { href: `#${id}`, "aria-current": id === name ? "page" : undefined }, text)));
  say(status, "");
  try {
    await (tabs[name] || tabs.stats)();
  } catch (e) {
    say(status, e.message, true);
  }
}

async function start() {
  topBar();
  if (!session()) {
    view.replaceChildren(h("p", {}, "The console is for admins. ", h("a", { href: "/studio#/login" }, "Sign in"), " first."));
    return;
  }
  const me = await api("GET", "/me").catch(() => null);
  if (!me || !me.isAdmin) {
    view.replaceChildren(h("p", { class: "status bad" }, "This account is not an admin (an operator grants it: homegames-api admin grant)."));
    return;
  }
  window.addEventListener("hashchange", route);
  route();
}
start();
