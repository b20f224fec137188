// edgerun demo page: classify a drawn digit with models/digits/digits.onnx, and run any .onnx file
// on random or zero inputs. Served by web/serve.mjs (node web/serve.mjs 8080 → /web/demo/).
// window.edgerunDemo exposes the pieces the browser tests drive (web/test/browser/demo.test.mjs).

import { InferenceSession, Tensor, env } from '../js/edgerun.mjs';

const MODEL_URL = new URL('../../models/digits/digits.onnx', import.meta.url).href;
const $ = (id) => document.getElementById(id);

const state = {
  prediction: null, probabilities: null, latencyMs: null, variant: null, input: null,
  ready: false, error: null, busy: 0,
};

// ---------------------------------------------------------------------------------------------
// Sessions: one per mode (in-thread / worker), created on first use.

// Sessions: one per (mode, threads), created on first use. A session holds its pool's threads until
// released: switching the thread count releases the digits sessions of the other counts first.

const sessions = new Map();
const threadsWanted = () => Number($('threads').value) || 0;
function digitsSession(worker = $('useWorker').checked, threads = threadsWanted()) {
  const key = `${worker}/${threads}`;
  if (!sessions.has(key)) {
    const p = InferenceSession.create(MODEL_URL, { worker, threads });
    p.catch(() => sessions.delete(key));
    sessions.set(key, p);
  }
  return sessions.get(key);
}
async function releaseOtherSessions(threads) {
  for (const [key, p] of [...sessions]) {
    if (!key.endsWith(`/${threads}`)) {
      sessions.delete(key);
      await p.then((s) => s.release(), () => {});
    }
  }
}

const threadsText = (s) => `${s.threads} thread${s.threads === 1 ? '' : 's'}${s.threadsNote ? ` (${s.threadsNote})` : ''}`;

function describeRuntime(session) {
  const rt = env.runtime;
  $('runtime').textContent = `edgerun ${rt ? rt.version : '?'} — variant: ${session.variant}` +
    (rt ? ` (${rt.reason})` : '') + ` — crossOriginIsolated: ${globalThis.crossOriginIsolated === true}`;
  $('variant').textContent = `${session.variant}, ${threadsText(session)}` +
    `${$('useWorker').checked ? ', in a Web Worker' : ', on the main thread'}`;
}

// ---------------------------------------------------------------------------------------------
// Drawing pad: white ink on black, like sklearn's digits (high value = ink).

const pad = $('pad');
const ctx = pad.getContext('2d', { willReadFrequently: true });
function clearPad() {
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, pad.width, pad.height);
}
clearPad();

let drawing = false;
let last = null;
const pos = (e) => {
  const r = pad.getBoundingClientRect();
  return [(e.clientX - r.left) * (pad.width / r.width), (e.clientY - r.top) * (pad.height / r.height)];
};
pad.addEventListener('pointerdown', (e) => {
  drawing = true; last = pos(e); pad.setPointerCapture(e.pointerId);
  stroke(last, last);
});
pad.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  const p = pos(e);
  stroke(last, p);
  last = p;
});
pad.addEventListener('pointerup', () => { if (drawing) { drawing = false; classify(); } });
pad.addEventListener('pointercancel', () => { drawing = false; });
function stroke(a, b) {
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = pad.width / 7;   // thick, like the dataset's strokes (1-2 of the 8 cells)
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(a[0], a[1]);
  ctx.lineTo(b[0], b[1]);
  ctx.stroke();
}

// Downsampling as in the UCI/sklearn digits: a 32x32 bitmap cut into 4x4 blocks, each block's
// ink count / 16 → 8x8 values in 0..1 (here: the mean brightness of each block, which is the
// same for a binary bitmap). With `fit`, the drawing's bounding box is first scaled to fill the
// 32x32 box (keeping its aspect ratio) and centred, as the dataset's digits are size-normalised.
function toModelInput(fit) {
  const W = pad.width;
  const H = pad.height;
  let src = pad;
  if (fit) {
    const px = ctx.getImageData(0, 0, W, H).data;
    let x0 = W, y0 = H, x1 = -1, y1 = -1;
    for (let y = 0; y < H; ++y) {
      for (let x = 0; x < W; ++x) {
        if (px[4 * (y * W + x)] > 24) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
      }
    }
    if (x1 >= 0) {
      const bw = x1 - x0 + 1;
      const bh = y1 - y0 + 1;
      const scale = W / Math.max(bw, bh);
      const tmp = new OffscreenCanvas(W, H);
      const t = tmp.getContext('2d');
      t.fillStyle = '#000';
      t.fillRect(0, 0, W, H);
      t.imageSmoothingQuality = 'high';
      t.drawImage(pad, x0, y0, bw, bh, (W - bw * scale) / 2, (H - bh * scale) / 2, bw * scale, bh * scale);
      src = tmp;
    }
  }
  const px = (src === pad ? ctx : src.getContext('2d')).getImageData(0, 0, W, H).data;
  const out = new Float32Array(64);
  const bx = W / 8;
  const by = H / 8;
  for (let y = 0; y < H; ++y) {
    for (let x = 0; x < W; ++x) out[Math.floor(y / by) * 8 + Math.floor(x / bx)] += px[4 * (y * W + x)];
  }
  for (let i = 0; i < 64; ++i) out[i] /= 255 * bx * by;
  return out;
}

function showPreview(input) {
  const p = $('preview').getContext('2d');
  const img = p.createImageData(8, 8);
  for (let i = 0; i < 64; ++i) {
    const v = Math.round(input[i] * 255);
    img.data.set([v, v, v, 255], 4 * i);
  }
  p.putImageData(img, 0, 0);
}

const bars = [];
for (let d = 0; d < 10; ++d) {
  const label = document.createElement('div'); label.textContent = d;
  const bar = document.createElement('div'); bar.className = 'bar';
  const fill = document.createElement('div'); fill.style.width = '0%'; bar.append(fill);
  const pct = document.createElement('div'); pct.className = 'muted'; pct.textContent = '';
  $('bars').append(label, bar, pct);
  bars.push({ bar, fill, pct });
}

function softmax(logits) {
  const m = Math.max(...logits);
  const e = Array.from(logits, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

async function classify() {
  state.busy++;
  try {
    const session = await digitsSession();
    const input = toModelInput($('fit').checked);
    showPreview(input);
    const t0 = performance.now();
    const { logits } = await session.run({ image: new Tensor('float32', input, [1, 1, 8, 8]) });
    const ms = performance.now() - t0;
    const probs = softmax(logits.data);
    const best = probs.indexOf(Math.max(...probs));
    probs.forEach((p, d) => {
      bars[d].fill.style.width = `${(100 * p).toFixed(1)}%`;
      bars[d].pct.textContent = `${(100 * p).toFixed(1)}%`;
      bars[d].bar.classList.toggle('best', d === best);
    });
    $('prediction').textContent = String(best);
    $('latency').textContent = `${ms.toFixed(2)} ms (run, including the copy in and out${$('useWorker').checked ? ' and the worker round trip' : ''})`;
    describeRuntime(session);
    Object.assign(state, { prediction: best, probabilities: probs, latencyMs: ms, variant: session.variant, input: Array.from(input), error: null });
    return best;
  } catch (e) {
    state.error = String(e && e.message || e);
    $('prediction').textContent = '!';
    $('latency').textContent = state.error;
    throw e;
  } finally {
    state.busy--;
  }
}

$('clear').addEventListener('click', () => { clearPad(); showPreview(new Float32Array(64)); });
$('classify').addEventListener('click', () => { classify().catch(() => {}); });
$('useWorker').addEventListener('change', () => { classify().catch(() => {}); });
$('threads').addEventListener('change', async () => {
  await releaseOtherSessions(threadsWanted());
  classify().catch(() => {});
});

// ---------------------------------------------------------------------------------------------
// Responsiveness: a long batch while a 10 ms timer counts ticks on the main thread. With the
// worker the timer keeps ticking; in-thread, the page is frozen until the run returns.

async function stress({ worker = $('useWorker').checked, batch = 8192, threads = threadsWanted() } = {}) {
  const session = await digitsSession(worker, threads);
  const data = new Float32Array(batch * 64);
  for (let i = 0; i < data.length; ++i) data[i] = Math.random();
  const image = new Tensor('float32', data, [batch, 1, 8, 8]);
  await session.run({ image: new Tensor('float32', data.subarray(0, 64), [1, 1, 8, 8]) });  // warm up
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 10);
  await new Promise((r) => setTimeout(r, 30));  // let the timer start
  const before = ticks;
  const t0 = performance.now();
  await session.run({ image });
  const ms = performance.now() - t0;
  const during = ticks - before;
  clearInterval(timer);
  const result = { worker, batch, ms, ticks: during, expectedTicks: Math.floor(ms / 10), variant: session.variant, threads: session.threads };
  $('stressResult').textContent = `${batch} digits in ${ms.toFixed(0)} ms ${worker ? 'in a Web Worker' : 'on the main thread'} ` +
    `(${session.variant}, ${threadsText(session)}): ` +
    `the main-thread timer ticked ${during} times (≈${result.expectedTicks} if never blocked)`;
  return result;
}
$('stress').addEventListener('click', () => { stress().catch((e) => { $('stressResult').textContent = String(e.message || e); }); });

// ---------------------------------------------------------------------------------------------
// Any model: metadata, random/zero inputs, outputs and timings.

let fileSession = null;
let fileName = '';

function f32ToF16Bits(v) {
  const f = new Float32Array([v]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  const mant = u & 0x7fffff;
  if (exp <= 0) return sign;                       // (tiny values flush to zero: fine for test data)
  if (exp >= 31) return sign | 0x7c00;
  return sign | (exp << 10) | (mant >>> 13);
}

function makeInput(meta, fill) {
  if (!meta.shape) throw new Error(`input '${meta.name}' has an unknown rank: cannot make data for it`);
  const dims = meta.shape.map((n) => (n < 0 ? 1 : n));
  const size = dims.reduce((a, b) => a * b, 1);
  const zero = fill === 'zeros';
  const r = () => (zero ? 0 : Math.random());
  let data;
  switch (meta.type) {
    case 'float32': data = Float32Array.from({ length: size }, r); break;
    case 'float64': data = Float64Array.from({ length: size }, r); break;
    case 'float16': data = Uint16Array.from({ length: size }, () => f32ToF16Bits(r())); break;
    case 'bfloat16': data = Uint16Array.from({ length: size }, () => new Uint32Array(new Float32Array([r()]).buffer)[0] >>> 16); break;
    case 'int64': data = BigInt64Array.from({ length: size }, () => BigInt(Math.floor(r() * 10))); break;
    case 'uint64': data = BigUint64Array.from({ length: size }, () => BigInt(Math.floor(r() * 10))); break;
    case 'bool': data = Uint8Array.from({ length: size }, () => (r() < 0.5 ? 0 : 1)); break;
    case 'int8': case 'uint8': case 'int16': case 'uint16': case 'int32': case 'uint32':
      return new Tensor(meta.type, Array.from({ length: size }, () => Math.floor(r() * 10)), dims);
    default: throw new Error(`input '${meta.name}' has element type ${meta.type}, which the demo cannot fill`);
  }
  return new Tensor(meta.type, data, dims);
}

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
const shapeText = (s) => (s ? `[${s.map((n) => (n < 0 ? '?' : n)).join(', ')}]` : 'unknown rank');

function summarise(t) {
  const vals = Array.from(t.data, Number);
  const head = vals.slice(0, 16).map((v) => (Number.isInteger(v) ? v : v.toPrecision(5))).join(', ');
  let stats = '';
  if (vals.length && t.type !== 'float16' && t.type !== 'bfloat16') {
    const min = Math.min(...vals.slice(0, 1e6)), max = Math.max(...vals.slice(0, 1e6));
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    stats = ` min ${min.toPrecision(5)} max ${max.toPrecision(5)} mean ${mean.toPrecision(5)}`;
  }
  return `${t.type}[${t.dims.join(', ')}]${stats}\n  ${head}${vals.length > 16 ? ', …' : ''}`;
}

async function runFile() {
  const fill = $('fill').value;
  const runs = Math.max(1, Math.min(1000, Number($('runs').value) || 1));
  const feeds = {};
  for (const m of fileSession.inputMetadata) feeds[m.name] = makeInput(m, fill);
  const t0 = performance.now();
  const out = await fileSession.run(feeds);
  const first = performance.now() - t0;
  const times = [];
  for (let i = 1; i < runs; ++i) {
    const t = performance.now();
    await fileSession.run(feeds);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const median = times.length ? times[Math.floor(times.length / 2)] : first;
  const mean = times.length ? times.reduce((a, b) => a + b, 0) / times.length : first;
  return { out, first, median, mean, runs };
}

async function loadFile(file) {
  $('modelError').textContent = '';
  $('modelInfo').textContent = `loading ${file.name}…`;
  $('rerun').disabled = true;
  try {
    if (fileSession) { await fileSession.release(); fileSession = null; }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const t0 = performance.now();
    fileSession = await InferenceSession.create(bytes, { worker: $('useWorker').checked, threads: threadsWanted() });
    const createMs = performance.now() - t0;
    fileName = file.name;
    await showFileRun(createMs, bytes.length);
    $('rerun').disabled = false;
  } catch (e) {
    $('modelInfo').textContent = '';
    $('modelError').textContent = `${file.name}: ${e.name}${e.code ? ` (${e.code})` : ''}: ${e.message}`;
  }
}

// Node placement: a per-backend summary and one row per node of the optimised graph.
function placementHtml(placement) {
  const counts = {};
  for (const p of placement) counts[p.backend] = (counts[p.backend] || 0) + 1;
  const summary = Object.entries(counts).map(([b, n]) => `${esc(b)}: ${n}`).join(', ');
  const rows = placement.map((p, i) => `<tr><td>${i}</td><td>${esc(p.name)}</td><td>${esc(p.domain ? `${p.domain}:${p.op}` : p.op)}</td>` +
    `<td class="${esc(p.backend)}">${esc(p.backend)}</td><td>${esc(p.reason)}</td></tr>`).join('');
  return `<details id="placementBox" open><summary id="placementSummary">node placement: ${placement.length} nodes after optimisation (${summary})</summary>` +
    `<table id="placement"><tr><th>#</th><th>node</th><th>op</th><th>backend</th><th>why</th></tr>${rows}</table></details>`;
}

async function showFileRun(createMs, size) {
  const rows = (list, kind) => list.map((m) => `<tr><td>${kind}</td><td>${esc(m.name)}</td><td>${esc(m.type)}</td><td>${esc(shapeText(m.shape))}</td></tr>`).join('');
  const s = fileSession;
  let html = `<p><b>${esc(fileName)}</b>${size ? ` (${(size / 1024).toFixed(1)} KB)` : ''} — variant ${esc(s.variant)}, ` +
    `${esc(threadsText(s))}${$('useWorker').checked ? ', in a Web Worker' : ''}${createMs !== undefined ? ` — create ${createMs.toFixed(1)} ms` : ''}</p>` +
    `<table id="ioTable"><tr><th></th><th>name</th><th>type</th><th>shape</th></tr>${rows(s.inputMetadata, 'input')}${rows(s.outputMetadata, 'output')}</table>` +
    placementHtml(s.placement);
  $('modelInfo').innerHTML = html + '<p class="muted">running…</p>';
  const r = await runFile();
  html += `<p id="timings">first run ${r.first.toFixed(2)} ms; ${r.runs > 1 ? `${r.runs - 1} more: median ${r.median.toFixed(2)} ms, mean ${r.mean.toFixed(2)} ms` : ''} ` +
    `(${$('fill').value} inputs, symbolic dimensions set to 1)</p><pre id="outputs">` +
    Object.entries(r.out).map(([name, t]) => `${esc(name)}: ${esc(summarise(t))}`).join('\n') + '</pre>';
  $('modelInfo').innerHTML = html;
  state.fileResult = { name: fileName, outputs: Object.fromEntries(Object.entries(r.out).map(([n, t]) => [n, { type: t.type, dims: [...t.dims] }])),
    first: r.first, median: r.median, placement: s.placement, variant: s.variant, threads: s.threads };
}

$('file').addEventListener('change', () => {
  const f = $('file').files[0];
  $('file').value = '';   // picking the same file again (e.g. after switching worker/threads) loads it again
  if (f) loadFile(f);
});
$('rerun').addEventListener('click', async () => {
  try { await showFileRun(); } catch (e) { $('modelError').textContent = `${e.name}: ${e.message}`; }
});

// ---------------------------------------------------------------------------------------------

window.edgerunDemo = { state, classify, stress, clearPad, toModelInput, digitsSession, releaseOtherSessions, env };
digitsSession().then((s) => { describeRuntime(s); state.ready = true; state.variant = s.variant; }, (e) => {
  state.error = String(e.message || e);
  $('runtime').textContent = `failed to load: ${state.error}`;
  $('runtime').className = 'error';
});
