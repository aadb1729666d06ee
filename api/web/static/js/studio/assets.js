// ASSETS: the author's images, sounds and fonts. Upload a file, draw a picture (saved as PNG) or
// record from the microphone (MediaRecorder, saved as WAV); each asset's id is shown ready to
// paste into a game's metadata, with the NSFW flag the classifier or an admin set.
import { api, h, say, session } from "../api.js";

const MAX_BYTES = 5 * 1024 * 1024;

/** Uploads raw bytes; the store reads the kind from the bytes themselves, never a header. */
async function upload(name, body) {
  const r = await fetch(`/assets?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${session().accessToken}`, "Content-Type": "application/octet-stream" },
    body,
  });
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(answer.error || `the upload was refused (${r.status})`);
  return answer;
}

/** 16-bit PCM WAV of decoded audio (what the asset store takes; MediaRecorder gives WebM). */
function wav(audio) {
  const channels = Math.min(2, audio.numberOfChannels);
  const frames = audio.length;
  const out = new DataView(new ArrayBuffer(44 + frames * channels * 2));
  const text = (at, s) => [...s].forEach((c, i) => out.setUint8(at + i, c.charCodeAt(0)));
  text(0, "RIFF"); out.setUint32(4, 36 + frames * channels * 2, true); text(8, "WAVE");
  text(12, "fmt "); out.setUint32(16, 16, true); out.setUint16(20, 1, true); out.setUint16(22, channels, true);
  out.setUint32(24, audio.sampleRate, true); out.setUint32(28, audio.sampleRate * channels * 2, true);
  out.setUint16(32, channels * 2, true); out.setUint16(34, 16, true);
  text(36, "data"); out.setUint32(40, frames * channels * 2, true);
  const data = [...Array(channels).keys()].map((c) => audio.getChannelData(c));
  let at = 44;
  for (let i = 0; i < frames; i++) {
    for (const ch of data) {
      const v = Math.max(-1, Math.min(1, ch[i]));
      out.setInt16(at, v < 0 ? v * 0x8000 : v * 0x7fff, true);
      at += 2;
    }
  }
  return new Blob([out.buffer], { type: "audio/wav" });
}

function row(a) {
  const snippet = `new Asset({ id: '${a.assetId}', type: '${a.type}' })`;
  return h("tr", { "data-asset": a.name },
    h("td", {}, a.type === "image" ? h("img", { class: "asset-thumb", src: `/assets/${a.assetId}`, alt: a.name }) : a.type),
    h("td", {}, a.name),
    h("td", {}, h("code", { class: "id asset-id" }, a.assetId), " ",
      h("button", { type: "button", class: "quiet", "aria-label": `Copy the code for ${a.name}`, onclick: (e) => {
        navigator.clipboard?.writeText(snippet).then(() => { e.target.textContent = "Copied"; }, () => { e.target.textContent = snippet; });
      } }, "Copy")),
    h("td", {}, `${Math.ceil(a.size / 1024)} KB`),
    h("td", { class: "nsfw" }, a.nsfw ? "flagged NSFW" : a.nsfwScore === null && a.type === "image" ? "not scored yet" : "no"));
}

export async function assetsView(view) {
  const status = h("p", { class: "status", id: "assets-status", role: "status", "aria-live": "polite" });
  const rows = h("tbody");
  async function refresh() {
    try {
      const list = await api("GET", "/assets");
      rows.replaceChildren(...list.map(row));
      if (!list.length) rows.append(h("tr", {}, h("td", { colspan: "5" }, "No assets yet.")));
    } catch (e) {
      say(status, e.message, true);
    }
  }
  const done = async (promise, what) => {
    try {
      const a = await promise;
      say(status, `${what} saved as ${a.name}: its id is ${a.assetId}.`);
      refresh();
    } catch (e) {
      say(status, `${what} not saved: ${e.message}`, true);
    }
  };

  // Upload.
  const file = h("input", { type: "file", id: "asset-file", accept: "image/*,audio/*,.ttf,.otf,.woff,.woff2" });
  const uploadForm = h("form", { class: "row", onsubmit: (e) => {
    e.preventDefault();
    const f = file.files[0];
    if (!f) return say(status, "Choose a file first.", true);
    if (f.size > MAX_BYTES) return say(status, "An asset is at most 5 MB.", true);
    done(upload(f.name, f), "The file");
  } }, h("label", { for: "asset-file" }, "Upload"), file, h("button", { type: "submit" }, "Upload"));

  // Draw.
  const canvas = h("canvas", { id: "draw", width: "320", height: "180", class: "drawing", "aria-label": "Drawing area: drag to draw" });
  const g = canvas.getContext("2d");
  g.fillStyle = "#ffffff"; g.fillRect(0, 0, 320, 180);
  const colour = h("input", { type: "color", id: "draw-colour", value: "#2456c9" });
  let last = null;
  const at = (e) => { const r = canvas.getBoundingClientRect(); return [(e.clientX - r.left) * (320 / r.width), (e.clientY - r.top) * (180 / r.height)]; };
  canvas.addEventListener("pointerdown", (e) => { last = at(e); canvas.setPointerCapture(e.pointerId); });
  canvas.addEventListener("pointermove", (e) => {
    if (!last) return;
    const p = at(e);
    g.strokeStyle = colour.value; g.lineWidth = 6; g.lineCap = "round";
    g.beginPath(); g.moveTo(...last); g.lineTo(...p); g.stroke();
    last = p;
  });
  canvas.addEventListener("pointerup", () => { last = null; });
  const drawName = h("input", { id: "draw-name", value: "drawing.png" });
  const drawBox = h("div", {}, canvas, h("div", { class: "row" },
    h("label", { for: "draw-colour" }, "Colour"), colour,
    h("label", { for: "draw-name" }, "Name"), drawName,
    h("button", { type: "button", id: "save-drawing", onclick: () => canvas.toBlob((b) => done(upload(drawName.value, b), "The drawing"), "image/png") }, "Save the drawing"),
    h("button", { type: "button", class: "quiet", onclick: () => { g.fillStyle = "#ffffff"; g.fillRect(0, 0, 320, 180); } }, "Clear")));

  // Record.
  const recordName = h("input", { id: "record-name", value: "recording.wav" });
  let recorder = null;
  const recordButton = h("button", { type: "button", id: "record", onclick: async () => {
    if (recorder) { recorder.stop(); return; }
    if (!navigator.mediaDevices || typeof MediaRecorder === "undefined") return say(status, "This browser cannot record.", true);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.ondataavailable = (e) => chunks.push(e.data);
      recorder.onstop = async () => {
        stream.getTracks().forEach((t) => t.stop());
        recorder = null;
        recordButton.textContent = "Record";
        try {
          const decoded = await new AudioContext().decodeAudioData(await new Blob(chunks).arrayBuffer());
          done(upload(recordName.value, wav(decoded)), "The recording");
        } catch (e) {
          say(status, `The recording could not be read: ${e.message}`, true);
        }
      };
      recorder.start();
      recordButton.textContent = "Stop and save";
      say(status, "Recording… press the button again to stop.");
    } catch (e) {
      say(status, `No microphone: ${e.message}`, true);
    }
  } }, "Record");

  view.replaceChildren(
    h("nav", { class: "tabs", "aria-label": "Studio" }, h("a", { href: "#/games" }, "My games"), h("a", { href: "#/assets", "aria-current": "page" }, "Assets")),
    h("h1", {}, "My assets"),
    h("p", {}, "Images, sounds and fonts for your games (5 MB each). Paste an asset's code into your game's metadata().assets."),
    status,
    h("section", { class: "panel", "aria-label": "Upload" }, h("h2", {}, "Upload a file"), uploadForm),
    h("section", { class: "panel", "aria-label": "Draw" }, h("h2", {}, "Draw"), drawBox),
    h("section", { class: "panel", "aria-label": "Record" }, h("h2", {}, "Record"), h("div", { class: "row" }, h("label", { for: "record-name" }, "Name"), recordName, recordButton)),
    h("table", { class: "list", "aria-label": "Assets" }, h("thead", {}, h("tr", {}, ["", "Name", "Id", "Size", "NSFW"].map((t) => h("th", {}, t)))), rows));
  refresh();
}
