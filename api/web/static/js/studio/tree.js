// A game's working tree in the Studio: its files as the author edits them (unsaved until Save
// Version), with one editor document (and so one undo history) per text file.

const TEXT = /\.(js|mjs|json|md|txt|css|html|svg|csv)$/i;

export function isText(path) {
  return TEXT.test(path) || !path.split("/").pop().includes(".");
}

function toBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** A path the API takes: `/` between parts, no empty, `.` or `..` parts, no backslash. */
export function checkPath(path) {
  const parts = path.split("/");
  if (!path || path.length > 200 || path.includes("\\") || parts.some((p) => !p || p === "." || p === "..")) {
    return "a path is names separated by /, without empty, . or .. parts (at most 200 characters)";
  }
  if (/[\u0000-\u001f]/.test(path)) return "a path has no control characters";
  return null;
}

export class WorkingTree {
  constructor(gameId, api) {
    this.gameId = gameId;
    this.api = api;
    /** path -> { doc } for text (a CodeMirror.Doc), or { base64, size } for other files. */
    this.files = new Map();
    /** Folders made in the Studio that hold no file yet. */
    this.folders = new Set();
    this.base = null;
    this.hash = null;
    this.savedText = new Map();
  }

  /** Loads the game's newest saved version (its files and the commit edits start from). */
  async load() {
    const game = await this.api("GET", `/games/${this.gameId}`);
    this.game = game;
    const latest = game.latestVersion;
    this.files.clear();
    this.folders.clear();
    this.savedText.clear();
    if (!latest) return;
    const detail = await this.api("GET", `/games/${this.gameId}/versions/${latest.contentHash}`);
    await Promise.all(detail.files.map(async (f) => {
      const url = `/games/${this.gameId}/versions/${latest.contentHash}/files/${f.path.split("/").map(encodeURIComponent).join("/")}`;
      if (isText(f.path)) {
        const text = await this.api("GET", url, undefined, { as: "text" });
        this.files.set(f.path, { doc: this.newDoc(f.path, text) });
        this.savedText.set(f.path, text);
      } else {
        const bytes = await this.api("GET", url, undefined, { as: "bytes" });
        this.files.set(f.path, { base64: toBase64(bytes), size: bytes.length });
      }
    }));
    this.base = latest.commit;
    this.hash = latest.contentHash;
    this.savedPaths = [...this.files.keys()].sort().join("\n");
  }

  newDoc(path, text) {
    const mode = /\.m?js$/.test(path) ? "javascript" : /\.json$/.test(path) ? { name: "javascript", json: true } : "text/plain";
    return window.CodeMirror.Doc(text, mode);
  }

  paths() {
    return [...this.files.keys()].sort();
  }

  /** Whether anything differs from the version it was loaded from. */
  dirty() {
    if (this.paths().join("\n") !== this.savedPaths) return true;
    for (const [path, f] of this.files) {
      if (f.doc && f.doc.getValue() !== this.savedText.get(path)) return true;
    }
    return false;
  }

  addFile(path) {
    const bad = checkPath(path);
    if (bad) throw new Error(bad);
    if (this.files.has(path) || this.folders.has(path)) throw new Error(`${path} already exists`);
    this.files.set(path, { doc: this.newDoc(path, "") });
  }

  addFolder(path) {
    const bad = checkPath(path);
    if (bad) throw new Error(bad);
    if (this.files.has(path) || this.folderPaths().includes(path)) throw new Error(`${path} already exists`);
    this.folders.add(path);
  }

  /** Every folder: those holding files and the empty ones. */
  folderPaths() {
    const all = new Set(this.folders);
    for (const p of this.files.keys()) {
      const parts = p.split("/");
      for (let i = 1; i < parts.length; i++) all.add(parts.slice(0, i).join("/"));
    }
    return [...all].sort();
  }

  /** Renames a file, or a folder with everything in it. */
  rename(from, to) {
    const bad = checkPath(to);
    if (bad) throw new Error(bad);
    if (this.files.has(to) || this.folderPaths().includes(to)) throw new Error(`${to} already exists`);
    if (this.files.has(from)) {
      const f = this.files.get(from);
      this.files.delete(from);
      this.files.set(to, f);
      return;
    }
    for (const p of [...this.files.keys()]) {
      if (p.startsWith(`${from}/`)) {
        const f = this.files.get(p);
        this.files.delete(p);
        this.files.set(to + p.slice(from.length), f);
      }
    }
    for (const d of [...this.folders]) {
      if (d === from || d.startsWith(`${from}/`)) {
        this.folders.delete(d);
        this.folders.add(to + d.slice(from.length));
      }
    }
  }

  remove(path) {
    if (this.files.delete(path)) return;
    for (const p of [...this.files.keys()]) if (p.startsWith(`${path}/`)) this.files.delete(p);
    for (const d of [...this.folders]) if (d === path || d.startsWith(`${path}/`)) this.folders.delete(d);
  }

  /** The files as Save Version and the scan take them. */
  uploads() {
    return this.paths().map((path) => {
      const f = this.files.get(path);
      return f.doc ? { path, content: f.doc.getValue() } : { path, base64: f.base64 };
    });
  }

  /** Marks what was just saved as the new starting point. */
  saved(summary) {
    this.base = summary.commit;
    this.hash = summary.contentHash;
    this.savedText = new Map(this.paths().filter((p) => this.files.get(p).doc).map((p) => [p, this.files.get(p).doc.getValue()]));
    this.savedPaths = this.paths().join("\n");
  }
}
