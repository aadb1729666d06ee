// A game's page: what it is, who made it, and Play (the same table for everyone who opens its
// link) or New table (a table of its own).
import { api, h, say, topBar } from "./api.js";

const id = location.pathname.split("/").filter(Boolean)[1];
const status = document.getElementById("status");

async function load() {
  try {
    const game = await api("GET", `/games/${encodeURIComponent(id)}`, undefined, { auth: false });
    document.title = `${game.name} · Homegames`;
    document.getElementById("name").textContent = game.name;
    document.getElementById("by").textContent = `by ${game.developer} · ${game.plays} play${game.plays === 1 ? "" : "s"}`;
    document.getElementById("description").textContent = game.description;
    if (game.thumbnail) {
      document.getElementById("picture").replaceChildren(
        h("img", { class: "thumb", src: `/assets/${game.thumbnail}`, alt: `${game.name}` }),
      );
    }
    if (!game.publishedVersion) {
      say(status, "This game is not published, so it cannot be played yet.", true);
      document.getElementById("play").disabled = true;
      document.getElementById("new-table").disabled = true;
    }
  } catch (e) {
    document.getElementById("name").textContent = "Game not found";
    say(status, e.status === 404 ? "There is no published game at this address." : e.message, true);
    document.getElementById("play").disabled = true;
    document.getElementById("new-table").disabled = true;
  }
}

/** Joins the game's running table (`join`) or starts one, and goes to it; its address is the one
 * friends open to play at the same table. */
async function play(button, join) {
  button.disabled = true;
  say(status, "Starting a table…");
  try {
    const table = await api("POST", "/sessions", { gameId: id, join }, { auth: false });
    const link = document.getElementById("table-link");
    link.href = table.playUrl;
    link.textContent = table.playUrl;
    document.getElementById("share").hidden = false;
    say(status, "Your table is ready.");
    location.assign(table.playUrl);
  } catch (e) {
    say(status, `The table could not start: ${e.message}`, true);
  } finally {
    button.disabled = false;
  }
}

document.getElementById("play").addEventListener("click", (e) => play(e.currentTarget, true));
document.getElementById("new-table").addEventListener("click", (e) => play(e.currentTarget, false));
topBar();
load();
