// Settings: the description, a thumbnail from the author's own images, whether the published
// source may be cloned, and what the game declares (its squish version) and where it is in git.
import { api, h, say } from "../api.js";

export async function settingsTab(view, header, tree, status) {
  const game = await api("GET", `/games/${tree.gameId}`);
  const description = h("textarea", { id: "description", rows: "4", cols: "60", maxlength: "2000" });
  description.value = game.description;
  const thumbnail = h("select", { id: "thumbnail" }, h("option", { value: "" }, "(none)"));
  const sourcePublic = h("input", { type: "checkbox", id: "source-public" });
  sourcePublic.checked = game.sourcePublic;
  const squish = h("span", { id: "squish-version" }, "…");
  const form = h("form", {
    class: "stack",
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        await api("PATCH", `/games/${tree.gameId}`, {
          description: description.value,
          thumbnail: thumbnail.value || null,
          sourcePublic: sourcePublic.checked,
        });
        say(status, "Settings saved.");
      } catch (err) {
        say(status, err.message, true);
      }
    },
  },
  h("label", { for: "description" }, "Description (shown in the catalog)"), description,
  h("label", { for: "thumbnail" }, "Thumbnail (one of your images)"), thumbnail,
  h("label", { for: "source-public" }, sourcePublic, " Anyone may clone the published source"),
  h("button", { type: "submit" }, "Save settings"));
  view.replaceChildren(...header, status, form,
    h("h2", {}, "About the code"),
    h("p", {}, "squish version: ", squish),
    game.cloneUrl ? h("p", {}, "Clone: ", h("code", { class: "id", id: "clone-url" }, `git clone ${game.cloneUrl}`)) : null);
  try {
    const assets = await api("GET", "/assets");
    for (const a of assets.filter((a) => a.type === "image")) {
      thumbnail.append(h("option", { value: a.assetId, selected: a.assetId === game.thumbnail }, `${a.name}${a.nsfw ? " (flagged NSFW)" : ""}`));
    }
  } catch (e) {
    say(status, `Your images could not be listed: ${e.message}`, true);
  }
  try {
    const report = await api("POST", `/games/${tree.gameId}/scan`, {
      files: tree.uploads().filter((f) => f.path === "index.js" && f.content !== undefined),
    });
    squish.textContent = report.squishVersion ? `squish-${report.squishVersion} (require('squish-${report.squishVersion}') in index.js)` : `none (${report.versionProblem})`;
  } catch (e) {
    squish.textContent = `unknown (${e.message})`;
  }
}
