// The landing page: every published game, searchable, by name, newest or most played.
import { api, h, say, topBar } from "./api.js";

const status = document.getElementById("status");
const list = document.getElementById("games");
const form = document.getElementById("find");
const q = document.getElementById("q");
const sort = document.getElementById("sort");

function card(game) {
  const thumb = game.thumbnail
    ? h("img", { class: "thumb", src: `/assets/${game.thumbnail}`, alt: "" })
    : h("div", { class: "thumb none", "aria-hidden": "true" }, "\u265F");
  return h(
    "li",
    { class: "card" },
    h(
      "a",
      { class: "open", href: `/game/${game.gameId}` },
      thumb,
      h("h2", {}, game.name),
      h("p", {}, `by ${game.developer}`),
      game.description ? h("p", {}, game.description) : null,
    ),
  );
}

let asked = 0;
async function show() {
  const mine = ++asked;
  const params = new URLSearchParams();
  if (q.value.trim()) params.set("q", q.value.trim());
  params.set("sort", sort.value);
  history.replaceState(null, "", `/?${params}`);
  say(status, "Loading…");
  try {
    const games = await api("GET", `/catalog?${params}`, undefined, { auth: false });
    // Only the newest search is drawn (an older answer may arrive after it).
    if (mine !== asked) return;
    list.replaceChildren(...games.map(card));
    say(
      status,
      games.length
        ? `${games.length} game${games.length === 1 ? "" : "s"}`
        : q.value.trim()
          ? "No game matches that search."
          : "No game is published yet.",
    );
  } catch (e) {
    say(status, `The catalog could not be loaded: ${e.message}`, true);
  }
}

const start = new URLSearchParams(location.search);
q.value = start.get("q") || "";
if (["name", "newest", "popular"].includes(start.get("sort"))) sort.value = start.get("sort");
form.addEventListener("submit", (e) => {
  e.preventDefault();
  show();
});
sort.addEventListener("change", show);
topBar();
show();
