// GAMES: the author's games, and a new one from the starter template.
import { api, h, say } from "../api.js";

export async function gamesView(view) {
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const list = h("ul", { class: "grid", "aria-label": "My games" });
  const name = h("input", { id: "new-name", name: "name", required: true, maxlength: "60" });
  const form = h("form", {
    class: "row",
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        const game = await api("POST", "/games", { name: name.value });
        location.hash = `#/game/${game.gameId}`;
      } catch (err) {
        say(status, err.status === 403 ? "Verify your email address first (the banner above)." : err.message, true);
      }
    },
  }, h("label", { for: "new-name" }, "New game"), name, h("button", { type: "submit" }, "Create"));
  view.replaceChildren(
    h("nav", { class: "tabs", "aria-label": "Studio" }, h("a", { href: "#/games", "aria-current": "page" }, "My games"), h("a", { href: "#/assets" }, "Assets")),
    h("h1", {}, "My games"),
    h("p", {}, "A new game starts from the starter template (squish 1.4.2, GPLv3 LICENSE included)."),
    form, status, list,
  );
  try {
    const games = await api("GET", "/games");
    list.replaceChildren(...games.map((g) => h("li", { class: "card" },
      h("a", { class: "open", href: `#/game/${g.gameId}` },
        h("h2", {}, g.name),
        h("p", {}, g.publishedVersion ? "Published" : "Not published"),
        g.latestVersion ? h("p", {}, `Version ${g.latestVersion.number}`) : null))));
    if (!games.length) say(status, "No games yet: name one above to start.");
  } catch (err) {
    say(status, err.message, true);
  }
}
