// AI Edit: the author asks for a change in words; the platform's LLM worker answers with a new
// index.js that passed the scan and a test run; the Studio shows it as a diff to accept (an
// unsaved change, undoable) or discard. Off, with the reason, where no model is configured.
import { api, h, say } from "../api.js";

/** A line diff (longest common subsequence): [kind, line] with kind " ", "-" or "+". */
export function diffLines(before, after) {
  const a = before.split("\n");
  const b = after.split("\n");
  const n = a.length;
  const m = b.length;
  const same = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      same[i][j] = a[i] === b[j] ? same[i + 1][j + 1] + 1 : Math.max(same[i + 1][j], same[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { out.push([" ", a[i]]); i++; j++; }
    else if (j < m && (i === n || same[i][j + 1] >= same[i + 1][j])) { out.push(["+", b[j]]); j++; }
    else { out.push(["-", a[i]]); i++; }
  }
  return out;
}

export function aiPanel(tree, openIndex) {
  const prompt = h("textarea", { id: "ai-prompt", rows: "3", maxlength: "2000", placeholder: "e.g. make the square blue and bigger" });
  const button = h("button", { type: "button", id: "ai-go" }, "Ask for the change");
  const status = h("p", { class: "status", id: "ai-status", role: "status", "aria-live": "polite" });
  const review = h("div", { id: "ai-review" });
  api("GET", "/ai-edits/available", undefined, { auth: false }).then((a) => {
    if (!a.available) {
      button.disabled = true;
      prompt.disabled = true;
      say(status, "AI edit is off on this server: no model endpoint is configured.");
    }
  }).catch(() => {});

  button.addEventListener("click", async () => {
    const index = tree.files.get("index.js");
    if (!index || !index.doc) return say(status, "AI edit changes index.js, and this game has none.", true);
    if (!prompt.value.trim()) return say(status, "Say what to change first.", true);
    button.disabled = true;
    review.replaceChildren();
    const before = index.doc.getValue();
    try {
      let edit = await api("POST", `/games/${tree.gameId}/ai-edits`, { prompt: prompt.value, source: before });
      say(status, "Asked. The answer is checked (the scan and a test run) before you see it…");
      while (edit.status === "PENDING" || edit.status === "PROCESSING") {
        await new Promise((ok) => setTimeout(ok, 1000));
        edit = await api("GET", `/ai-edits/${edit.editId}`);
        if (edit.attempts > 1) say(status, `Answer ${edit.attempts - 1} failed the checks; the model is trying again…`);
      }
      if (edit.status !== "DONE") {
        say(status, `No change: ${edit.error}`, true);
        return;
      }
      say(status, `A change that passed the checks${edit.attempts > 1 ? ` (after ${edit.attempts - 1} refused answer${edit.attempts > 2 ? "s" : ""})` : ""}. Review it:`);
      const lines = diffLines(before, edit.result);
      review.replaceChildren(
        h("pre", { class: "diff", "aria-label": "The proposed change to index.js" },
          lines.filter(([k], i) => k !== " " || lines.slice(Math.max(0, i - 2), i + 3).some(([x]) => x !== " "))
            .map(([k, line]) => h("span", { class: k === "+" ? "add" : k === "-" ? "del" : "" }, `${k} ${line}\n`))),
        h("p", { class: "row" },
          h("button", { type: "button", id: "ai-accept", onclick: () => {
            openIndex();
            index.doc.setValue(edit.result);
            review.replaceChildren();
            say(status, "Accepted as an unsaved change: Save version keeps it, Ctrl-Z undoes it.");
          } }, "Accept"),
          h("button", { type: "button", class: "quiet", id: "ai-discard", onclick: () => { review.replaceChildren(); say(status, "Discarded."); } }, "Discard")));
    } catch (e) {
      say(status, e.message, true);
    } finally {
      if (!prompt.disabled) button.disabled = false;
    }
  });
  return h("section", { "aria-label": "AI edit" }, h("h2", {}, "AI edit"),
    h("label", { for: "ai-prompt" }, "What should change?"), prompt, h("p", {}, button), status, review);
}
