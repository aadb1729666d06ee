// Our browser client: speaks the original client protocol (docs/protocol.md), reads squish frames
// and draws them on a canvas letterboxed to the game's aspect ratio.
'use strict';
(() => {
  const canvas = document.getElementById('game');
  const ctx = canvas.getContext('2d');
  const status = document.getElementById('status');
  const sessionId = location.pathname.split('/').pop();
  let playerId = null;
  // The seat secret the server gave at join (its `seat` message): only with it does a reconnect
  // get the same seat back. Kept per tab, so a reload also returns to the seat within the grace.
  const secretKey = `homegames-seat-${sessionId}`;
  let seat = (() => { try { return JSON.parse(sessionStorage.getItem(secretKey)) || null; } catch (_) { return null; } })();
  if (seat) playerId = seat.player;
  let aspect = { x: 16, y: 9 };
  let decimalDigitIds = true;
  // squish 1.4.x (aliases 140, 142, 143) puts four crop insets before the asset key.
  let assetCrop = false;
  let nodes = [];
  let socket = null;
  let closedForGood = false;
  const assets = {}; // key -> { image } | { audio }
  const played = new Set(); // ids of audio nodes already started

  // Asset bundle: records of 1, type, 10-byte base-36 length (of data + 32), 32-byte key, data.
  // The length is "z" then NULs up to 1.3.x and "000000000z" from 1.4.x: reading up to the first
  // NUL, parseInt takes both.
  const readBundle = (b) => {
    for (let i = 0; i + 44 <= b.length && b[i] === 1;) {
      const type = b[i + 1];
      let lenText = '';
      for (let k = 0; k < 10 && b[i + 2 + k]; k++) lenText += String.fromCharCode(b[i + 2 + k]);
      const size = parseInt(lenText, 36) - 32;
      let key = '';
      for (let k = 0; k < 32 && b[i + 12 + k]; k++) key += String.fromCharCode(b[i + 12 + k]);
      const data = b.slice(i + 44, i + 44 + size);
      if (!(size >= 0)) break;
      const url = URL.createObjectURL(new Blob([data]));
      if (type === 1) {
        const image = new Image();
        image.onload = () => draw();
        image.src = url;
        assets[key] = { image };
      } else if (type === 2) {
        assets[key] = { audio: url };
      }
      i += 44 + size;
    }
  };

  // --- squish reading (the server's family: B before 1.0.9, C after) ---------------------------
  const n2 = (b, i) => b[i] + b[i + 1] / 100;
  const triples = (b) => {
    let s = '';
    for (let i = 0; i + 2 < b.length; i += 3) {
      const cp = Number(String(b[i]).padStart(2, '0') + String(b[i + 1]).padStart(2, '0') + String(b[i + 2]).padStart(2, '0'));
      s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
    }
    return s;
  };
  const readId = (p) => {
    if (decimalDigitIds) return p.reduce((t, b, i) => t + b * Math.pow(10, p.length - 1 - i), 0);
    return Number(Array.from(p, (b) => (b > 9 ? String(b) : '0' + b)).join(''));
  };
  const readFrame = (b) => {
    const node = { kind: b[4] };
    for (let i = 5; i < b.length;) {
      const tag = b[i];
      const n = b[i + 1] + b[i + 2];
      if (n < 3) break;
      const p = b.subarray(i + 3, Math.min(i + n, b.length));
      switch (tag) {
        case 43: node.id = readId(p); break;
        case 42: node.color = Array.from(p.subarray(0, 4)); break;
        case 44: node.playerIds = Array.from(p); break;
        case 53: node.fill = Array.from(p.subarray(0, 4)); break;
        case 47: {
          const a = p[10], f = p[11];
          node.text = { x: n2(p, 0), y: n2(p, 2), size: n2(p, 4), color: Array.from(p.subarray(6, 10)),
            align: triples(p.subarray(12, 12 + a)), font: triples(p.subarray(12 + a, 12 + a + f)), text: triples(p.subarray(12 + a + f)) };
          break;
        }
        case 48: {
          // pos, size, startTime (10 bytes); 1.4.x adds cropLeft, cropTop, cropRight, cropBottom
          // (8 bytes, percent of the source image cut off each edge); then the key.
          const k = assetCrop ? 18 : 10;
          node.asset = { key: String.fromCharCode(...p.subarray(k)), pos: { x: n2(p, 0), y: n2(p, 2) }, size: { x: n2(p, 4), y: n2(p, 6) }, startTime: n2(p, 8) };
          if (assetCrop) node.asset.crop = { left: n2(p, 10), top: n2(p, 12), right: n2(p, 14), bottom: n2(p, 16) };
          break;
        }
        case 49: node.shadow = { color: Array.from(p.subarray(6, 10)), blur: p.length > 11 ? p[10] * 10 + p[11] : 0 }; break;
        case 50: node.handleClick = p[0] === 1; break;
        case 54: node.border = p[0]; break;
        case 55: node.subType = p[0]; break;
        case 51: node.input = { type: String.fromCharCode(...p) }; break;
        case 52: {
          const v = [];
          for (let k = 0; k + 1 < p.length; k += 2) v.push(n2(p, k));
          node.coords = v;
          break;
        }
        default: i = b.length; continue;
      }
      i += n;
    }
    return node;
  };
  const readState = (b) => {
    const out = [];
    for (let i = 0; i + 3 < b.length;) {
      const size = b[i + 1] + b[i + 2] + b[i + 3];
      if (!size) break;
      out.push(readFrame(b.subarray(i, i + size)));
      i += size;
    }
    return out;
  };

  // --- drawing ------------------------------------------------------------------------------
  const rgba = (c) => (c ? `rgba(${c[0]},${c[1]},${c[2]},${(c[3] ?? 255) / 255})` : null);
  const resize = () => {
    const w = innerWidth, h = innerHeight;
    const s = Math.min(w / aspect.x, h / aspect.y);
    canvas.width = Math.floor(aspect.x * s);
    canvas.height = Math.floor(aspect.y * s);
    canvas.style.marginTop = Math.floor((h - canvas.height) / 2) + 'px';
  };
  const X = (v) => (v / 100) * canvas.width;
  const Y = (v) => (v / 100) * canvas.height;
  // The part of the image a crop keeps, in image pixels, or null for the whole image: no crop,
  // or one whose insets leave nothing on an axis (squishjs then draws the whole image).
  const cropRect = (image, crop) => {
    if (!crop || !(crop.left || crop.top || crop.right || crop.bottom)) return null;
    if (crop.left + crop.right >= 100 || crop.top + crop.bottom >= 100) return null;
    const w = image.naturalWidth, h = image.naturalHeight;
    return [(crop.left / 100) * w, (crop.top / 100) * h, ((100 - crop.left - crop.right) / 100) * w, ((100 - crop.top - crop.bottom) / 100) * h];
  };
  const draw = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (const n of nodes) {
      ctx.save();
      if (n.shadow) { ctx.shadowColor = rgba(n.shadow.color); ctx.shadowBlur = n.shadow.blur; }
      const c = n.coords;
      if (c && c.length >= 2 && n.subType !== 2 && n.subType !== 1) {
        ctx.beginPath();
        if (n.subType === 4 && c.length >= 3) {
          ctx.arc(X(c[0]), Y(c[1]), X(c[2]), 0, 2 * Math.PI);
        } else {
          for (let k = 0; k + 1 < c.length; k += 2) (k ? ctx.lineTo : ctx.moveTo).call(ctx, X(c[k]), Y(c[k + 1]));
        }
        if (n.fill && n.subType !== 5) { ctx.fillStyle = rgba(n.fill); ctx.fill(); }
        if (n.color && (n.border || n.subType === 5)) { ctx.strokeStyle = rgba(n.color); ctx.lineWidth = n.border || 1; ctx.stroke(); }
      }
      if (n.asset) {
        const a = assets[n.asset.key];
        if (a && a.image && a.image.complete && a.image.naturalWidth) {
          const src = cropRect(a.image, n.asset.crop);
          const dst = [X(n.asset.pos.x), Y(n.asset.pos.y), X(n.asset.size.x), Y(n.asset.size.y)];
          if (src) ctx.drawImage(a.image, ...src, ...dst);
          else ctx.drawImage(a.image, ...dst);
        } else if (a && a.audio) {
          // A sound plays once, when its node first appears.
          if (!played.has(n.id)) {
            played.add(n.id);
            const sound = new Audio(a.audio);
            sound.currentTime = n.asset.startTime || 0;
            sound.play().catch(() => {});
          }
        } else if (n.asset.size.x > 0) {
          ctx.fillStyle = 'rgba(128,128,128,0.35)';
          ctx.fillRect(X(n.asset.pos.x), Y(n.asset.pos.y), X(n.asset.size.x), Y(n.asset.size.y));
        }
      }
      if (n.text) {
        const t = n.text;
        ctx.fillStyle = rgba(t.color) || '#000';
        ctx.font = `${Math.max(1, (t.size / 100) * canvas.width)}px ${t.font && t.font !== 'default' ? t.font + ', ' : ''}sans-serif`;
        ctx.textAlign = t.align || 'left';
        ctx.textBaseline = 'top';
        ctx.fillText(t.text, X(t.x), Y(t.y));
      }
      ctx.restore();
    }
  };

  // --- protocol -----------------------------------------------------------------------------
  const send = (m) => { if (socket && socket.readyState === 1) socket.send(JSON.stringify(m)); };
  const connect = () => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${location.host}/ws/${sessionId}`);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      const deviceType = /Mobi/.test(navigator.userAgent) ? 'mobile' : 'desktop';
      const secret = seat && seat.player === playerId ? seat.secret : null;
      send({ type: 'ready', id: playerId, secret, clientInfo: { clientInfo: { deviceType, aspectRatio: innerWidth / innerHeight } }, spectating: false });
    };
    socket.onmessage = (e) => {
      if (typeof e.data === 'string') {
        let m = null;
        try { m = JSON.parse(e.data); } catch (_) { return; }
        if (m && m.type === 'seat' && typeof m.secret === 'string') {
          seat = { player: m.player, secret: m.secret };
          try { sessionStorage.setItem(secretKey, JSON.stringify(seat)); } catch (_) { /* private mode */ }
        }
        return;
      }
      const b = new Uint8Array(e.data);
      if (b[0] === 1) {
        readBundle(b);
      } else if (b[0] === 2) {
        playerId = b[1];
        aspect = { x: b[2] || 16, y: b[3] || 9 };
        const version = String.fromCharCode(...b.subarray(7, 7 + b[6]));
        assetCrop = ['140', '142', '143'].includes(version);
        decimalDigitIds = !['0756', '0762', '0765', '0766', '0767', '1000', '1004', '1005', '1006', '1007', '1008', 'latest'].includes(version);
        status.textContent = `player ${playerId}`;
        resize();
      } else if (b[0] === 3) {
        nodes = readState(b);
        window.__homegames = { playerId, nodes, assets: Object.keys(assets), frames: ((window.__homegames || {}).frames || 0) + 1 };
        draw();
      }
    };
    socket.onclose = (e) => {
      if (e.code === 1011 || e.code === 1013) { closedForGood = true; status.textContent = e.reason || 'session ended'; return; }
      if (!closedForGood) { status.textContent = 'reconnecting…'; setTimeout(connect, 1000); }
    };
  };

  // --- input --------------------------------------------------------------------------------
  const percent = (e) => {
    const r = canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * 100, y: ((e.clientY - r.top) / r.height) * 100 };
  };
  // The topmost node under a point (bounding box of its coordinates) that `wants` accepts.
  const nodeAt = (p, wants) => {
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i];
      const c = n.coords;
      if (!wants(n) || !c || c.length < 6) continue;
      const xs = c.filter((_, k) => k % 2 === 0), ys = c.filter((_, k) => k % 2 === 1);
      if (p.x >= Math.min(...xs) && p.x <= Math.max(...xs) && p.y >= Math.min(...ys) && p.y <= Math.max(...ys)) return n;
    }
    return null;
  };
  const inputAt = (p) => nodeAt(p, (n) => !!n.input);
  // A file input's bytes go as the original client sends them: a Uint8Array, which JSON writes
  // as {"0": byte, "1": byte, …}.
  const filePicker = document.createElement('input');
  filePicker.type = 'file';
  filePicker.style.display = 'none';
  document.body.append(filePicker);
  const pickFile = (nodeId) => {
    filePicker.value = '';
    filePicker.onchange = () => {
      const file = filePicker.files[0];
      if (!file) return;
      file.arrayBuffer().then((buf) => send({ type: 'input', input: new Uint8Array(buf), nodeId }));
    };
    filePicker.click();
  };
  canvas.addEventListener('pointerdown', (e) => {
    const p = percent(e);
    const target = inputAt(p);
    if (target && target.input.type === 'text') {
      const text = prompt('Your answer');
      if (text !== null) send({ type: 'input', input: text, nodeId: target.id });
      return;
    }
    if (target && target.input.type === 'file') {
      pickFile(target.id);
      return;
    }
    send({ type: 'click', data: p });
  });
  // Hover: like the original client, the topmost clickable (or input) node under the pointer gets
  // `onhover` when the pointer arrives and `offhover` when it leaves.
  let hovered = null;
  const hoverTo = (id) => {
    if (id === hovered) return;
    if (hovered !== null) send({ type: 'offhover', nodeId: hovered });
    hovered = id;
    if (hovered !== null) send({ type: 'onhover', nodeId: hovered });
    canvas.style.cursor = hovered === null ? 'default' : 'pointer';
  };
  canvas.addEventListener('pointermove', (e) => {
    const n = nodeAt(percent(e), (m) => m.handleClick || !!m.input);
    hoverTo(n ? n.id : null);
  });
  canvas.addEventListener('pointerleave', () => hoverTo(null));
  canvas.addEventListener('pointerup', (e) => send({ type: 'mouseup', data: percent(e) }));
  addEventListener('keydown', (e) => { if (e.key.length === 1 || e.key.startsWith('Arrow') || e.key === 'Backspace') send({ type: 'keydown', key: e.key }); });
  addEventListener('keyup', (e) => { if (e.key.length === 1 || e.key.startsWith('Arrow') || e.key === 'Backspace') send({ type: 'keyup', key: e.key }); });
  addEventListener('resize', () => { resize(); draw(); send({ clientInfo: { deviceType: 'desktop', aspectRatio: innerWidth / innerHeight } }); });

  // Gamepads: every animation frame, each connected pad's buttons and sticks, as the original
  // client sends them ({type: 'input', gamepad: true, input: {buttons, sticks}}).
  const BUTTONS = ['FACE_1', 'FACE_2', 'FACE_3', 'FACE_4', 'LEFT_SHOULDER', 'RIGHT_SHOULDER', 'LEFT_SHOULDER_BOTTOM',
    'RIGHT_SHOULDER_BOTTOM', 'SELECT', 'START', 'LEFT_ANALOG_BUTTON', 'RIGHT_ANALOG_BUTTON', 'DPAD_UP', 'DPAD_DOWN',
    'DPAD_LEFT', 'DPAD_RIGHT', 'HOME'];
  const STICKS = ['STICK_1_X', 'STICK_1_Y', 'STICK_2_X', 'STICK_2_Y'];
  const pollPads = () => {
    for (const pad of (navigator.getGamepads ? navigator.getGamepads() : [])) {
      if (!pad) continue;
      const buttons = {};
      pad.buttons.forEach((b, i) => { if (BUTTONS[i]) buttons[BUTTONS[i]] = { value: b.value, pressed: b.pressed }; });
      const sticks = {};
      pad.axes.forEach((v, i) => { if (STICKS[i]) sticks[STICKS[i]] = { value: v }; });
      send({ type: 'input', gamepad: true, input: { buttons, sticks } });
    }
    requestAnimationFrame(pollPads);
  };
  requestAnimationFrame(pollPads);

  resize();
  connect();
})();
