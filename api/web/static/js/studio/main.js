// The Studio: which view the address names (#/login, #/games, #/game/<id>/<tab>), and the
// banner an unverified account sees until it enters the code it was mailed.
import { api, h, session, say, topBar } from "../api.js";
import { authView } from "./auth.js";
import { gamesView } from "./games.js";
import { gameView } from "./game.js";
import { assetsView } from "./assets.js";

const view = document.getElementById("view");

async function verifyBanner() {
  const box = document.getElementById("verify");
  box.replaceChildren();
  if (!session()) return;
  let me;
  try {
    me = await api("GET", "/me");
  } catch {
    return;
  }
  if (me.verified) return;
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const code = h("input", {
    id: "verify-code", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}",
    maxlength: "6", required: true, "aria-describedby": "verify-help",
  });
  const form = h(
    "form",
    {
      class: "row",
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          await api("POST", "/auth/verify", { code: code.value.trim() });
          const s = session();
          s.verified = true;
          localStorage.setItem("homegames.session", JSON.stringify(s));
          box.replaceChildren();
          route();
        } catch (err) {
          say(status, err.message, true);
        }
      },
    },
    h("label", { for: "verify-code" }, "Code"),
    code,
    h("button", { type: "submit" }, "Verify"),
    h("button", {
      type: "button", class: "quiet",
      onclick: async () => {
        try {
          await api("POST", "/auth/resend-verification");
          say(status, "A new code is on its way.");
        } catch (err) {
          say(status, err.message, true);
        }
      },
    }, "Send a new code"),
  );
  box.replaceChildren(
    h("section", { class: "banner", "aria-label": "Verify your email" },
      h("strong", {}, "Verify your email address. "),
      h("span", { id: "verify-help" }, `We mailed a 6-digit code to ${me.email}. You can look around, but making games needs a verified address.`),
      form, status),
  );
}

export async function route() {
  topBar();
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  const signedIn = !!session();
  if (["login", "signup", "forgot", "reset", "logout"].includes(parts[0]) || !signedIn) {
    document.getElementById("verify").replaceChildren();
    return authView(view, signedIn ? parts[0] : parts[0] || "login");
  }
  verifyBanner();
  if (parts[0] === "game" && parts[1]) return gameView(view, parts[1], parts[2] || "code");
  if (parts[0] === "assets") return assetsView(view);
  return gamesView(view);
}

if (typeof window.CodeMirror === "undefined") {
  view.replaceChildren(
    h("p", { class: "status bad", role: "alert" },
      "The Studio's code editor is not installed on this server. Run scripts/web-deps (it installs CodeMirror with npm ci) and reload."),
  );
} else {
  window.addEventListener("hashchange", route);
  route();
}
