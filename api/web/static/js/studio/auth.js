// Signing up, in and out, and getting back into an account by a mailed code.
import { api, h, say, setSession } from "../api.js";

function field(id, text, attrs = {}) {
  return [h("label", { for: id }, text), h("input", { id, name: id, required: true, ...attrs })];
}

function page(view, title, form, links) {
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  view.replaceChildren(h("h1", {}, title), form(status), status, h("p", { class: "row" }, links));
  view.querySelector("input")?.focus();
}

async function submit(e, status, action) {
  e.preventDefault();
  const button = e.target.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await action(new FormData(e.target));
  } catch (err) {
    say(status, err.message, true);
  } finally {
    button.disabled = false;
  }
}

const link = (hash, text) => h("a", { href: hash }, text);

export function authView(view, which) {
  if (which === "signup") {
    return page(view, "Make an account", (status) => h("form", {
      class: "stack",
      onsubmit: (e) => submit(e, status, async (f) => {
        const s = await api("POST", "/auth/signup", {
          displayName: f.get("displayName"), email: f.get("email"), password: f.get("password"),
        }, { auth: false });
        setSession(s);
        location.hash = "#/games";
      }),
    },
    ...field("displayName", "Display name (public, 3-24 letters, digits, _ or -)", { autocomplete: "username", minlength: "3", maxlength: "24" }),
    ...field("email", "Email", { type: "email", autocomplete: "email" }),
    ...field("password", "Password (at least 8 characters)", { type: "password", autocomplete: "new-password", minlength: "8" }),
    h("button", { type: "submit" }, "Sign up")),
    [link("#/login", "I have an account")]);
  }
  if (which === "forgot") {
    return page(view, "Forgot your password?", (status) => h("form", {
      class: "stack",
      onsubmit: (e) => submit(e, status, async (f) => {
        const email = f.get("email");
        await api("POST", "/auth/forgot", { email }, { auth: false });
        sessionStorage.setItem("homegames.reset-email", email);
        location.hash = "#/reset";
      }),
    },
    ...field("email", "Email", { type: "email", autocomplete: "email" }),
    h("button", { type: "submit" }, "Mail me a code")),
    [link("#/login", "Back to sign in"), link("#/reset", "I have a code")]);
  }
  if (which === "reset") {
    return page(view, "Choose a new password", (status) => h("form", {
      class: "stack",
      onsubmit: (e) => submit(e, status, async (f) => {
        await api("POST", "/auth/reset", {
          email: f.get("email"), code: f.get("code").trim(), newPassword: f.get("newPassword"),
        }, { auth: false });
        setSession(null);
        sessionStorage.setItem("homegames.notice", "Your password is changed. Sign in with it.");
        location.hash = "#/login";
      }),
    },
    ...field("email", "Email", { type: "email", autocomplete: "email", value: sessionStorage.getItem("homegames.reset-email") || "" }),
    h("p", {}, "If an account has this address, we mailed it a code."),
    ...field("code", "Code from the mail", { autocomplete: "one-time-code", autocapitalize: "characters" }),
    ...field("newPassword", "New password (at least 8 characters)", { type: "password", autocomplete: "new-password", minlength: "8" }),
    h("button", { type: "submit" }, "Change the password")),
    [link("#/login", "Back to sign in")]);
  }
  if (which === "logout") {
    setSession(null);
    location.hash = "#/login";
    return;
  }
  page(view, "Sign in to the Studio", (status) => {
    const notice = sessionStorage.getItem("homegames.notice");
    if (notice) {
      sessionStorage.removeItem("homegames.notice");
      queueMicrotask(() => say(status, notice));
    }
    return h("form", {
      class: "stack",
      onsubmit: (e) => submit(e, status, async (f) => {
        const s = await api("POST", "/auth/login", { login: f.get("login"), password: f.get("password") }, { auth: false });
        setSession(s);
        location.hash = "#/games";
      }),
    },
    ...field("login", "Display name or email", { autocomplete: "username" }),
    ...field("password", "Password", { type: "password", autocomplete: "current-password" }),
    h("button", { type: "submit" }, "Sign in"));
  }, [link("#/signup", "Make an account"), link("#/forgot", "Forgot your password?")]);
}
