// One game in the Studio: Code (file tree, editor, the scan's findings in place, Save Version,
// Publish with its live state), Versions (history, restore) and Settings.
import { api, h, say } from "../api.js";
import { WorkingTree } from "./tree.js";
import { publishPanel } from "./publish.js";
import { aiPanel } from "./ai.js";
import { versionsTab } from "./versions.js";
import { settingsTab } from "./settings.js";

/** Unsaved working trees survive switching tabs (one per game, for this page's life). */
const trees = new Map();

window.addEventListener("beforeunload", (e) => {
  if ([...trees.values()].some((t) => t.dirty())) e.preventDefault();
});

async function treeOf(gameId) {
  if (!trees.has(gameId)) {
    const t = new WorkingTree(gameId, api);
    await t.load();
    trees.set(gameId, t);
  }
  return trees.get(gameId);
}

/** Forgets the working tree (after a restore), so the next view loads what was saved. */
export function reloadTree(gameId) {
  trees.delete(gameId);
}

function tabs(gameId, current) {
  const tab = (name, text) => h("a", { href: `#/game/${gameId}/${name}`, "aria-current": current === name ? "page" : undefined }, text);
  return h("nav", { class: "tabs", "aria-label": "Game" },
    h("a", { href: "#/games" }, "← My games"), tab("code", "Code"), tab("versions", "Versions"), tab("settings", "Settings"));
}

export async function gameView(view, gameId, tab) {
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  view.replaceChildren(h("p", {}, "Loading…"));
  let tree;
  try {
    tree = await treeOf(gameId);
  } catch (e) {
    view.replaceChildren(h("h1", {}, "Game not found"), h("p", { class: "status bad" }, e.message), h("a", { href: "#/games" }, "My games"));
    return;
  }
  const header = [h("h1", {}, tree.game.name), tabs(gameId, tab)];
  if (tab === "versions") return versionsTab(view, header, tree, status);
  if (tab === "settings") return settingsTab(view, header, tree, status);
  return codeTab(view, header, tree, status);
}

function codeTab(view, header, tree, status) {
  let selected = tree.files.has("index.js") ? { kind: "file", path: "index.js" } : null;
  let findings = [];
  let thrown = [];
  let marks = [];
  const editorBox = h("div", { class: "editor-wrap" });
  const fileLabel = h("p", { class: "meta", id: "current-file" });
  const treeBox = h("div", { class: "tree", role: "group", "aria-label": "Files" });
  const findingList = h("ul", { class: "findings", "aria-label": "Scan findings" });
  const findingStatus = h("p", { class: "status", id: "scan-status", role: "status", "aria-live": "polite" });
  const message = h("input", { id: "version-message", placeholder: "What changed (optional)", maxlength: "200" });

  // A document belongs to one editor at a time: the last tab's editor lets go of its document.
  if (window.studioEditor) window.studioEditor.swapDoc(window.CodeMirror.Doc(""));
  const cm = window.CodeMirror(editorBox, {
    value: "",
    lineNumbers: true,
    matchBrackets: true,
    indentUnit: 4,
    tabSize: 4,
    extraKeys: {
      "Ctrl-S": () => save(),
      "Cmd-S": () => save(),
      // Tab leaves the editor for the keyboard user; Ctrl-] / Ctrl-[ indent.
      Tab: false,
      "Shift-Tab": false,
      "Ctrl-]": "indentMore",
      "Ctrl-[": "indentLess",
    },
    screenReaderLabel: "Code editor",
  });
  window.studioEditor = cm; // for the browser tests, and an author's console

  function open(path) {
    const f = tree.files.get(path);
    selected = { kind: "file", path };
    if (f && f.doc) {
      cm.swapDoc(f.doc);
      cm.setOption("readOnly", false);
      fileLabel.textContent = path;
    } else {
      cm.swapDoc(window.CodeMirror.Doc(`(${path}: a binary file of ${f ? f.size : 0} bytes; it is kept as it is)`, "text/plain"));
      cm.setOption("readOnly", true);
      fileLabel.textContent = `${path} (binary)`;
    }
    markFindings();
    drawTree();
  }

  function drawTree() {
    const folders = tree.folderPaths();
    const node = (prefix) => {
      const depth = prefix ? prefix.split("/").length : 0;
      const here = (p) => p.split("/").length === depth + 1 && (!prefix || p.startsWith(`${prefix}/`));
      return h("ul", {},
        folders.filter(here).map((d) => h("li", {},
          h("button", {
            type: "button", class: "file", "data-folder": d,
            "aria-current": selected && selected.kind === "folder" && selected.path === d ? "true" : undefined,
            onclick: () => { selected = { kind: "folder", path: d }; pathInput.value = d; drawTree(); },
          }, `${d.split("/").pop()}/`),
          node(d))),
        tree.paths().filter(here).map((p) => h("li", {},
          h("button", {
            type: "button", class: "file", "data-path": p,
            "aria-current": selected && selected.kind === "file" && selected.path === p ? "true" : undefined,
            onclick: () => { pathInput.value = p; open(p); },
          }, p.split("/").pop()))));
    };
    treeBox.replaceChildren(node(""));
  }

  const pathInput = h("input", { id: "tree-path", placeholder: "folder/name.js", "aria-label": "Path for a new, renamed or deleted file or folder" });
  const treeStatus = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const act = (fn) => () => {
    try {
      fn(pathInput.value.trim());
      say(treeStatus, "");
    } catch (e) {
      say(treeStatus, e.message, true);
    }
    drawTree();
  };
  const treeTools = h("div", { class: "tree-tools" },
    pathInput,
    h("div", { class: "row" },
      h("button", { type: "button", class: "quiet", id: "new-file", onclick: act((p) => { tree.addFile(p); open(p); }) }, "New file"),
      h("button", { type: "button", class: "quiet", id: "new-folder", onclick: act((p) => tree.addFolder(p)) }, "New folder")),
    h("div", { class: "row" },
      h("button", {
        type: "button", class: "quiet", id: "rename",
        onclick: act((p) => {
          if (!selected) throw new Error("choose a file or folder first");
          tree.rename(selected.path, p);
          selected.path = p;
          if (selected.kind === "file") open(p);
        }),
      }, "Rename to"),
      h("button", {
        type: "button", class: "quiet", id: "delete",
        onclick: act(() => {
          if (!selected) throw new Error("choose a file or folder first");
          if (!window.confirm(`Delete ${selected.path}? (Nothing is lost until you save a version.)`)) return;
          tree.remove(selected.path);
          selected = null;
          if (tree.files.has("index.js")) open("index.js");
        }),
      }, "Delete")),
    treeStatus);

  function markFindings() {
    for (const m of marks) {
      if (m.marker) m.marker.clear();
      else m.doc.removeLineClass(m.line, "background", m.cls || "finding-line");
    }
    marks = [];
    if (!selected || selected.kind !== "file") return;
    const doc = cm.getDoc();
    for (const e of thrown.filter((e) => e.file === selected.path && e.line)) {
      marks.push({ doc, line: doc.addLineClass(e.line - 1, "background", "exception-line"), cls: "exception-line" });
    }
    for (const f of findings.filter((f) => f.file === selected.path)) {
      const line = f.line - 1;
      const doc = cm.getDoc();
      marks.push({ doc, line: doc.addLineClass(line, "background", "finding-line") });
      const text = cm.getLine(line) || "";
      const from = Math.max(0, f.column - 1);
      const token = /^[\w$.]+/.exec(text.slice(from));
      marks.push({ marker: cm.markText({ line, ch: from }, { line, ch: from + (token ? token[0].length : 1) },
        { className: "finding-mark", attributes: { title: f.message } }) });
    }
  }

  function showFindings(list, where) {
    findings = list;
    findingList.replaceChildren(...list.map((f) => h("li", {},
      h("button", {
        type: "button", class: "finding", "data-line": f.line, "data-column": f.column,
        onclick: () => {
          open(f.file);
          cm.focus();
          cm.setCursor({ line: f.line - 1, ch: f.column - 1 });
        },
      }, `${f.file}:${f.line}:${f.column} ${f.message} [${f.rule}]`))));
    say(findingStatus, list.length ? `${list.length} finding${list.length === 1 ? "" : "s"} ${where}: publishing is refused until they are fixed.` : `The scan finds nothing ${where}.`, list.length > 0);
    markFindings();
  }

  async function scan() {
    try {
      const report = await api("POST", `/games/${tree.gameId}/scan`, {
        files: tree.uploads().filter((f) => f.content !== undefined && f.path.endsWith(".js")),
      });
      showFindings(report.findings, "in these files");
    } catch (e) {
      say(findingStatus, `The scan did not run: ${e.message}`, true);
    }
  }

  async function save() {
    saveButton.disabled = true;
    try {
      const summary = await api("POST", `/games/${tree.gameId}/versions`, {
        files: tree.uploads(), message: message.value.trim() || undefined, base: tree.base || undefined,
      });
      tree.saved(summary);
      message.value = "";
      preview();
      say(status, summary.unchanged ? `Nothing changed since version ${summary.number}.` : `Saved version ${summary.number}.`);
      scan();
    } catch (e) {
      say(status, e.status === 409 ? `${e.message} (your edits are still here: copy them, reload, and save again)` : `Not saved: ${e.message}`, true);
    } finally {
      saveButton.disabled = false;
    }
  }

  const thrownList = h("ul", { class: "findings", id: "preview-exceptions", "aria-label": "What the game threw" });
  let watching = null;
  /** Polls what the previewed game throws, and marks it where it happened. */
  function watch(sessionId) {
    clearInterval(watching);
    thrown = [];
    thrownList.replaceChildren();
    watching = setInterval(async () => {
      if (!frame.isConnected) return clearInterval(watching);
      try {
        const r = await api("GET", `/games/${tree.gameId}/preview/${sessionId}/exceptions`);
        if (r.exceptions.length === thrown.length) return;
        thrown = r.exceptions;
        thrownList.replaceChildren(...thrown.map((e) => h("li", {},
          h("button", {
            type: "button", class: "exception", "data-line": e.line ?? "", "data-column": e.column ?? "",
            onclick: () => {
              if (!e.file || !tree.files.has(e.file)) return;
              open(e.file);
              cm.focus();
              cm.setCursor({ line: e.line - 1, ch: Math.max(0, e.column - 1) });
            },
          }, `${e.file ? `${e.file}:${e.line}:${e.column} ` : ""}${e.message} (in ${e.where})`))));
        markFindings();
      } catch (err) {
        if (err.status === 404) clearInterval(watching); // the preview ended
      }
    }, 1000);
  }
  const frame = h("iframe", { id: "preview", title: `Preview of ${tree.game.name}`, allow: "autoplay; fullscreen" });
  const previewStatus = h("p", { class: "status", id: "preview-status", role: "status", "aria-live": "polite" });
  /** Runs the working tree as it is (saved or not) in a real session on the game server. */
  async function preview() {
    const files = tree.uploads();
    const key = JSON.stringify(files);
    if (tree.previewed && tree.previewed.key === key) {
      if (frame.src !== tree.previewed.url) frame.src = tree.previewed.url;
      watch(tree.previewed.sessionId);
      return;
    }
    say(previewStatus, "Starting the preview…");
    try {
      const p = await api("POST", `/games/${tree.gameId}/preview`, { files });
      tree.previewed = { key, url: p.playUrl, sessionId: p.sessionId };
      frame.src = p.playUrl;
      watch(p.sessionId);
      say(previewStatus, `Previewing these files (${tree.dirty() ? "with unsaved changes" : "as saved"}). Click the game to play it.`);
    } catch (e) {
      say(previewStatus, `No preview: ${e.message}`, true);
    }
  }
  const previewBox = h("section", { class: "panel preview", "aria-label": "Preview" },
    h("div", { class: "row" }, h("h2", {}, "Preview"),
      h("button", { type: "button", class: "quiet", id: "run-preview", onclick: preview }, "Run the current files")),
    previewStatus, frame, thrownList);

  const saveButton = h("button", { type: "button", id: "save", onclick: save }, "Save version");
  const side = h("div", {}, previewBox, h("div", { class: "panel" },
    h("h2", {}, "Check"),
    h("button", { type: "button", class: "quiet", id: "check", onclick: scan }, "Scan the code"),
    findingStatus, findingList,
    publishPanel(tree, status),
    aiPanel(tree, () => open("index.js"))));

  view.replaceChildren(...header,
    h("div", { class: "row" }, h("label", { for: "version-message" }, "Message"), message, saveButton),
    status,
    h("div", { class: "studio" },
      h("div", { class: "panel" }, h("h2", {}, "Files"), treeBox, treeTools),
      h("div", {}, fileLabel, editorBox,
        h("p", { class: "meta" }, "Search: Ctrl-F, next Ctrl-G, replace Shift-Ctrl-F, go to line Alt-G. Undo Ctrl-Z, redo Ctrl-Y. Tab leaves the editor; Ctrl-] indents.")),
      side));
  if (selected) open(selected.path);
  else drawTree();
  cm.refresh();
  preview();
}
