// Versions: every saved version (a commit of the game's repository), newest first, each of which
// can be restored (saved again as the newest; history is never rewritten).
import { api, h, say } from "../api.js";
import { reloadTree } from "./game.js";

export async function versionsTab(view, header, tree, status) {
  const rows = h("tbody");
  view.replaceChildren(...header, status,
    h("table", { class: "list", "aria-label": "Versions" },
      h("thead", {}, h("tr", {}, h("th", {}, "Version"), h("th", {}, "Saved"), h("th", {}, "Message"), h("th", {}, "Commit"), h("th", {}, ""))),
      rows));
  try {
    const versions = await api("GET", `/games/${tree.gameId}/versions`);
    rows.replaceChildren(...versions.map((v, i) => h("tr", { "data-version": v.number },
      h("td", {}, String(v.number), i === 0 ? " (newest)" : ""),
      h("td", {}, new Date(v.created).toLocaleString()),
      h("td", {}, v.message || "", v.restoredFrom ? ` (restored from ${v.restoredFrom})` : ""),
      h("td", {}, v.commit ? h("code", { class: "id" }, v.commit.slice(0, 10)) : ""),
      h("td", {}, i === 0 ? "" : h("button", {
        type: "button", class: "quiet", "aria-label": `Restore version ${v.number}`,
        onclick: async (e) => {
          if (tree.dirty() && !window.confirm("Restoring drops your unsaved edits. Go on?")) return;
          e.currentTarget.disabled = true;
          try {
            const restored = await api("POST", `/games/${tree.gameId}/versions/${v.contentHash}/restore`);
            reloadTree(tree.gameId);
            say(status, `Version ${v.number} is restored as version ${restored.number}.`);
            location.hash = `#/game/${tree.gameId}/versions`;
            window.dispatchEvent(new HashChangeEvent("hashchange"));
          } catch (err) {
            say(status, err.message, true);
          }
        },
      }, "Restore")))));
  } catch (e) {
    say(status, e.message, true);
  }
}
