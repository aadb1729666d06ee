// Publish with one click: the saved version goes to the publish queue, and its request's state
// (PENDING, PROCESSING, PUBLISHED or FAILED with the worker's reason and findings) is shown live.
import { api, h, say } from "../api.js";

const DONE = ["PUBLISHED", "FAILED"];

function describe(r) {
  return h("div", { class: "publish-request", "data-status": r.status },
    h("p", {}, h("span", { class: `publish-state ${r.status}` }, r.status), ` version ${r.versionNumber}`,
      r.completedAt ? ` · ${new Date(r.completedAt).toLocaleString()}` : ""),
    r.error ? h("p", { class: "status bad" }, r.error) : null,
    r.findings && r.findings.length ? h("pre", { class: "worker-findings" }, r.findings.join("\n")) : null);
}

export function publishPanel(tree, pageStatus) {
  const live = h("div", { id: "publish-live", role: "status", "aria-live": "polite" });
  const button = h("button", { type: "button", id: "publish" }, "Publish");
  async function follow(id) {
    for (;;) {
      const r = await api("GET", `/publish-requests/${id}`);
      live.replaceChildren(describe(r));
      if (DONE.includes(r.status)) return r;
      await new Promise((ok) => setTimeout(ok, 1000));
    }
  }
  button.addEventListener("click", async () => {
    if (tree.dirty()) {
      say(pageStatus, "Save a version first: publishing takes a saved version.", true);
      return;
    }
    button.disabled = true;
    try {
      const r = await api("POST", `/games/${tree.gameId}/publish`, { contentHash: tree.hash });
      live.replaceChildren(describe(r));
      const done = await follow(r.requestId);
      if (done.status === "PUBLISHED") {
        live.append(h("p", {}, h("a", { href: `/game/${tree.gameId}` }, "See it in the catalog")));
      }
    } catch (e) {
      live.replaceChildren(h("p", { class: "status bad" }, `Not published: ${e.message}`));
    } finally {
      button.disabled = false;
    }
  });
  // The newest request, so a reload still shows where the last publish is.
  api("GET", `/games/${tree.gameId}/publish-requests`).then((list) => {
    if (list.length && !live.childElementCount) {
      live.replaceChildren(describe(list[0]));
      if (!DONE.includes(list[0].status)) follow(list[0].requestId).catch(() => {});
    }
  }).catch(() => {});
  return h("section", { "aria-label": "Publish" }, h("h2", {}, "Publish"),
    h("p", { class: "meta" }, "Publishes the saved version: the scan, then a test run in a container."), button, live);
}
