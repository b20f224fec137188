// Browser tests: the demo page in Debian's Chromium, driven by playwright-core (web/package.json
// devDependency; npm install in web/). Run: timeout 300 node --test web/test/browser/
// Needs /usr/bin/chromium (apt-get install -y chromium) and the wasm module in web/dist/
// (both presets: cmake --build --preset wasm && cmake --build --preset wasm-threads).
// Screenshots: build/web-artifacts/ (the path is printed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ARTIFACTS = join(ROOT, 'build/web-artifacts');
const CHROMIUM = process.env.EDGERUN_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

function readNpy(path) {
  const b = readFileSync(path);
  const start = b[6] === 1 ? 10 : 12;
  const headerLen = b[6] === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  assert.match(b.subarray(start, start + headerLen).toString('latin1'), /'descr':\s*'<f4'/);
  const body = b.subarray(start + headerLen);
  return Array.from(new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)));
}
const SAMPLES = Object.fromEntries([0, 3, 5, 7, 9].map((d) => [d, readNpy(join(ROOT, `models/digits/samples/digit_${d}.npy`))]));

// Starts web/serve.mjs on a free port (port 0: the server prints the one it got).
async function startServer(extra = []) {
  const child = spawn(process.execPath, [join(ROOT, 'web/serve.mjs'), '0', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('serve.mjs did not start in 10 s')), 10000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:\d+\/web\/demo\//.exec(out);
      if (m) { clearTimeout(timer); resolve(m[0]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve.mjs exited with ${code}`)); });
  });
  return { child, url };
}
function stopProcess(child) {
  if (child && child.exitCode === null && child.signalCode === null) {
    try { process.kill(child.pid, 'SIGTERM'); } catch { /* already gone */ }
  }
}

let context;
let profile;
before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: apt-get install -y chromium`);
  assert.ok(existsSync(join(ROOT, 'web/dist/edgerun_web.wasm')), 'web/dist/ has no single-threaded module: cmake --preset wasm && cmake --build --preset wasm');
  assert.ok(existsSync(join(ROOT, 'web/dist/edgerun_web_threads.wasm')) && existsSync(join(ROOT, 'web/dist/edgerun_web_threads.worker.js')),
    'web/dist/ has no threaded module: cmake --preset wasm-threads && cmake --build --preset wasm-threads');
  mkdirSync(ARTIFACTS, { recursive: true });
  console.log(`# screenshots: ${ARTIFACTS}`);
  profile = mkdtempSync(join(tmpdir(), 'edgerun-chromium-'));   // a fresh --user-data-dir
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60000, viewport: { width: 1200, height: 1100 },
  });
});
after(async () => {
  const browserPids = () => {
    try { return execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number); } catch { return []; }
  };
  const kids = browserPids();
  try {
    await Promise.race([context?.close(), new Promise((r) => setTimeout(r, 10000))]);
  } finally {
    // Our own children only: the browser (playwright starts it as the leader of its own process
    // group: the group takes its renderer/GPU/zygote processes along) and anything else left.
    for (const pid of kids) {
      try { process.kill(-pid, 'SIGKILL'); } catch { /* not a group leader, or gone */ }
      try { process.kill(pid, 'SIGKILL'); } catch { /* exited */ }
    }
    if (profile) rmSync(profile, { recursive: true, force: true });
  }
});

async function openDemo(url) {
  const page = await context.newPage();
  const problems = [];
  const lines = [];   // console.info lines of the page and its workers
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    if (m.type() === 'info') lines.push(m.text());
  });
  // Worker consoles (the session worker loads its own module and says which variant).
  page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'info') lines.push(`[worker] ${m.text()}`); }));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.edgerunDemo && (window.edgerunDemo.state.ready || window.edgerunDemo.state.error), null, { timeout: 30000 });
  const error = await page.evaluate(() => window.edgerunDemo.state.error);
  assert.equal(error, null, `demo failed to load: ${error}`);
  return { page, problems, lines };
}

// Waits until `lines` has one matching `re` (console events arrive asynchronously).
async function waitForLine(lines, re, what) {
  for (let i = 0; i < 100 && !lines.some((l) => re.test(l)); ++i) await new Promise((r) => setTimeout(r, 50));
  assert.ok(lines.some((l) => re.test(l)), `${what}: no console line matching ${re} in:\n${lines.join('\n')}`);
}

const THREADED_LINE = /^edgerun [\d.]+: threaded WebAssembly variant \(SIMD128 \+ pthreads, up to \d+ threads\): crossOriginIsolated is true$/;
const SINGLE_LINE = /^edgerun [\d.]+: single-threaded WebAssembly variant \(SIMD128\): crossOriginIsolated is false/;

// Paints an 8x8 image (values 0..1) onto the drawing pad, each pixel a 32x32 grey block, then
// classifies it through the page's own path (canvas → 8x8 input → session.run).
async function drawAndClassify(page, pixels, { fit, worker }) {
  return page.evaluate(async ({ pixels, fit, worker }) => {
    document.getElementById('fit').checked = fit;
    document.getElementById('useWorker').checked = worker;
    const pad = document.getElementById('pad');
    const ctx = pad.getContext('2d');
    window.edgerunDemo.clearPad();
    const s = pad.width / 8;
    pixels.forEach((v, i) => {
      const g = Math.round(v * 255);
      ctx.fillStyle = `rgb(${g},${g},${g})`;
      ctx.fillRect((i % 8) * s, Math.floor(i / 8) * s, s, s);
    });
    const prediction = await window.edgerunDemo.classify();
    const { input, variant } = window.edgerunDemo.state;
    return { prediction, input, variant, text: document.getElementById('prediction').textContent };
  }, { pixels, fit, worker });
}

test('demo (COOP/COEP): threaded variant; a drawn 7 is classified as 7; all samples, worker and main thread; responsiveness; file picker with placement', { timeout: 240000 }, async () => {
  const { child, url } = await startServer();
  let page;
  let problems;
  let lines;
  try {
    ({ page, problems, lines } = await openDemo(url));
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'served with COOP/COEP: the page is cross-origin isolated');
    // Two threads for every demo session; the main thread's module gets a pool for up to 4 threads
    // (page + file sessions each hold one worker), whatever the machine's core count.
    await page.evaluate(async () => {
      window.edgerunDemo.env.threads = 4;
      document.getElementById('threads').value = '2';
      await window.edgerunDemo.releaseOtherSessions(2);
    });

    // The sample 7 drawn onto the canvas, downsampled back to exactly the sample (±1/255 per pixel).
    for (const worker of [true, false]) {
      const r = await drawAndClassify(page, SAMPLES[7], { fit: false, worker });
      assert.equal(r.prediction, 7, `worker=${worker}`);
      assert.equal(r.text, '7');
      assert.equal(r.variant, 'threaded', `worker=${worker}: cross-origin isolated, so the threaded variant`);
      const maxDiff = Math.max(...r.input.map((v, i) => Math.abs(v - SAMPLES[7][i])));
      assert.ok(maxDiff < 0.005, `canvas → 8x8 input differs from the sample by ${maxDiff}`);
      assert.match(await page.textContent('#variant'), worker ? /^threaded, 2 threads, in a Web Worker$/ : /^threaded, 2 threads, on the main thread$/);
    }
    // The loader says which variant and why: the property and one console line (page and worker).
    const runtime = await page.evaluate(() => ({ ...window.edgerunDemo.env.runtime }));
    assert.equal(runtime.variant, 'threaded');
    assert.equal(runtime.reason, 'crossOriginIsolated is true');
    assert.equal(runtime.maxThreads, 4);
    await waitForLine(lines.filter((l) => !l.startsWith('[worker]')), THREADED_LINE, 'page');
    await waitForLine(lines.filter((l) => l.startsWith('[worker]')).map((l) => l.slice(9)), THREADED_LINE, 'worker');
    assert.ok(!lines.some((l) => /single-threaded/.test(l)), `no single-threaded module loaded:\n${lines.join('\n')}`);
    assert.match(await page.textContent('#runtime'), /variant: threaded \(crossOriginIsolated is true\) — crossOriginIsolated: true/);

    // Threads change nothing in the results: a batch of 512 random digits with 1 and 2 threads.
    const same = await page.evaluate(async () => {
      const { InferenceSession, Tensor } = await import('/web/js/edgerun.mjs');
      const x = new Float32Array(512 * 64);
      for (let i = 0; i < x.length; ++i) x[i] = ((i * 7919) % 1000) / 1000;
      const out = [];
      for (const threads of [1, 2]) {
        const s = await InferenceSession.create('/models/digits/digits.onnx', { threads, worker: true });
        const { logits } = await s.run({ image: new Tensor('float32', x, [512, 1, 8, 8]) });
        out.push({ threads: s.threads, variant: s.variant, data: Array.from(logits.data) });
        await s.release();
      }
      const diff = Math.max(...out[0].data.map((v, i) => Math.abs(v - out[1].data[i])));
      return { threads: out.map((o) => o.threads), variants: out.map((o) => o.variant), diff };
    });
    assert.deepEqual(same.threads, [1, 2]);
    assert.deepEqual(same.variants, ['threaded', 'threaded']);
    assert.ok(same.diff < 1e-4, `1 vs 2 threads: outputs differ by ${same.diff}`);

    // Every sample, with and without centre & fit.
    for (const [d, px] of Object.entries(SAMPLES)) {
      for (const fit of [false, true]) {
        const r = await drawAndClassify(page, px, { fit, worker: true });
        assert.equal(r.prediction, Number(d), `digit ${d}, fit=${fit}`);
      }
    }
    await drawAndClassify(page, SAMPLES[7], { fit: true, worker: true });
    assert.match(await page.textContent('#variant'), /threaded, 2 threads, in a Web Worker/);
    assert.match(await page.textContent('#runtime'), /crossOriginIsolated: true/);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-digit7.png'), fullPage: true });

    // Responsiveness: a long batch. In the worker (its own pthread pool inside the module worker),
    // the main thread's 10 ms timer keeps ticking; on the main thread it cannot tick until the run
    // returns (the caller busy-waits for its pool's share).
    const inWorker = await page.evaluate(() => window.edgerunDemo.stress({ worker: true, batch: 4096, threads: 2 }));
    const inThread = await page.evaluate(() => window.edgerunDemo.stress({ worker: false, batch: 4096, threads: 2 }));
    console.log(`# stress (threaded, 2 threads): worker ${inWorker.ms.toFixed(0)} ms, ${inWorker.ticks} ticks (≈${inWorker.expectedTicks}); ` +
      `main thread ${inThread.ms.toFixed(0)} ms, ${inThread.ticks} ticks`);
    assert.equal(inWorker.variant, 'threaded');
    assert.equal(inWorker.threads, 2);
    assert.ok(inWorker.ms >= 100, `the batch should take long enough to measure (${inWorker.ms} ms)`);
    assert.ok(inWorker.ticks >= Math.max(5, inWorker.expectedTicks * 0.5),
      `worker: the main-thread timer ticked ${inWorker.ticks} times in ${inWorker.ms} ms`);
    assert.ok(inThread.ticks <= 1, `control: in-thread inference blocks the timer (${inThread.ticks} ticks)`);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-stress.png'), fullPage: true });

    // File picker: any .onnx → metadata, node placement, outputs and timings; main thread and worker.
    for (const worker of [false, true]) {
      await page.evaluate((w) => { document.getElementById('useWorker').checked = w; }, worker);
      await page.setInputFiles('#file', join(ROOT, 'models/digits/digits.onnx'));   // the demo clears the input after each pick
      await page.waitForSelector('#outputs', { timeout: 30000 });
      const table = await page.textContent('#ioTable');
      assert.match(table, /input\s*image\s*float32\s*\[\?, 1, 8, 8\]/);
      assert.match(table, /output\s*logits\s*float32/);
      assert.match(await page.textContent('#outputs'), /^logits: float32\[1, 10\]/);
      assert.match(await page.textContent('#timings'), /first run [\d.]+ ms; 9 more: median [\d.]+ ms/);
      assert.match(await page.textContent('#modelInfo'), worker ? /variant threaded, 2 threads, in a Web Worker — create/ : /variant threaded, 2 threads — create/);
      // Placement: the table shows exactly the session's placement (one row per node, in order).
      const shown = await page.$$eval('#placement tr', (trs) => trs.slice(1).map((tr) => Array.from(tr.cells, (c) => c.textContent)));
      const { placement } = await page.evaluate(() => window.edgerunDemo.state.fileResult);
      assert.ok(placement.length >= 3, `the digits model has several nodes (${placement.length})`);
      assert.deepEqual(shown, placement.map((p, i) => [String(i), p.name, p.op, p.backend, p.reason]));
      assert.ok(placement.some((p) => p.backend === 'cpu'), 'the cpu backend runs some nodes');
      for (const p of placement) {
        assert.match(p.backend, /^(cpu|reference)$/);
        if (p.backend === 'reference') assert.match(p.reason, /^cpu: ./, `${p.name}: why it is not on cpu`);
        else assert.equal(p.reason, '');
      }
      const counts = {};
      for (const p of placement) counts[p.backend] = (counts[p.backend] || 0) + 1;
      assert.equal(await page.textContent('#placementSummary'), `node placement: ${placement.length} nodes after optimisation (` +
        Object.entries(counts).map(([b, n]) => `${b}: ${n}`).join(', ') + ')');
      await page.screenshot({ path: join(ARTIFACTS, `demo-file-digits-${worker ? 'worker' : 'main'}.png`), fullPage: true });
    }
    // Main-thread sessions share the module's pool (3 workers; the page's digits session holds
    // one): three concurrent creates asking for 2 threads each get what is free, say so, all
    // classify correctly, and their workers come back on release.
    const shared = await page.evaluate(async (pixels) => {
      const { InferenceSession, Tensor } = await import('/web/js/edgerun.mjs');
      const sessions = await Promise.all([0, 1, 2].map(() => InferenceSession.create('/models/digits/digits.onnx', { threads: 2 })));
      const got = [];
      for (const s of sessions) {
        const { logits } = await s.run({ image: new Tensor('float32', Float32Array.from(pixels), [1, 1, 8, 8]) });
        got.push({ threads: s.threads, note: s.threadsNote, best: logits.data.indexOf(Math.max(...logits.data)) });
      }
      await Promise.all(sessions.map((s) => s.release()));
      const again = await InferenceSession.create('/models/digits/digits.onnx', { threads: 2 });
      const after = again.threads;
      await again.release();
      return { got, after };
    }, SAMPLES[7]);
    assert.deepEqual(shared.got.map((g) => g.best), [7, 7, 7]);
    assert.deepEqual(shared.got.map((g) => g.threads).sort(), [1, 2, 2], JSON.stringify(shared.got));
    for (const g of shared.got) {
      if (g.threads === 1) assert.equal(g.note, '2 threads asked, 0 pthread workers are free (other sessions hold the rest)');
      else assert.equal(g.note, '');
    }
    assert.equal(shared.after, 2, 'released sessions give their workers back');

    // A file that is not a model: the C++ message is shown.
    await page.setInputFiles('#file', { name: 'broken.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from([1, 2, 3, 4]) });
    await page.waitForFunction(() => document.getElementById('modelError').textContent.length > 0, null, { timeout: 30000 });
    assert.match(await page.textContent('#modelError'), /broken\.onnx: EdgerunError \(INVALID_MODEL\)/);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-file-error.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await page?.close().catch(() => {});
    stopProcess(child);
  }
});

test('demo without COOP/COEP (--no-isolation): single-threaded variant, says why, still classifies; a forced threaded variant is an error', { timeout: 90000 }, async () => {
  const { child, url } = await startServer(['--no-isolation']);
  let page;
  let problems;
  let lines;
  try {
    ({ page, problems, lines } = await openDemo(url));
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    for (const worker of [true, false]) {
      const r = await drawAndClassify(page, SAMPLES[7], { fit: true, worker });
      assert.equal(r.prediction, 7);
      assert.equal(r.variant, 'single-threaded');
      assert.match(await page.textContent('#variant'), /^single-threaded, 1 thread/);
    }
    const runtime = await page.evaluate(() => ({ ...window.edgerunDemo.env.runtime }));
    assert.equal(runtime.variant, 'single-threaded');
    assert.match(runtime.reason, /^crossOriginIsolated is false/);
    assert.equal(runtime.maxThreads, 1);
    await waitForLine(lines.filter((l) => !l.startsWith('[worker]')), SINGLE_LINE, 'page');
    await waitForLine(lines.filter((l) => l.startsWith('[worker]')).map((l) => l.slice(9)), SINGLE_LINE, 'worker');
    assert.ok(!lines.some((l) => /threaded WebAssembly variant \(SIMD128 \+/.test(l)), 'no threaded module loaded');
    assert.match(await page.textContent('#runtime'), /variant: single-threaded \(crossOriginIsolated is false.*\) — crossOriginIsolated: false/);
    // threads > 1 asked of the single-threaded variant: the session says it runs on one thread.
    const asked = await page.evaluate(async () => {
      const { InferenceSession } = await import('/web/js/edgerun.mjs');
      const s = await InferenceSession.create('/models/digits/digits.onnx', { threads: 2 });
      const r = { threads: s.threads, note: s.threadsNote };
      await s.release();
      return r;
    });
    assert.equal(asked.threads, 1);
    assert.match(asked.note, /2 threads asked, the single-threaded variant runs on the calling thread/);
    // env.variant = 'threaded' cannot be honoured without isolation: an error, not a fallback
    // (in a fresh worker, which loads its own module).
    const forced = await page.evaluate(async () => {
      const { InferenceSession, env } = await import('/web/js/edgerun.mjs');
      env.variant = 'threaded';
      try {
        await InferenceSession.create('/models/digits/digits.onnx', { worker: true });
        return 'created';
      } catch (e) {
        return `${e.name} ${e.code}: ${e.message}`;
      } finally {
        env.variant = 'auto';
      }
    });
    assert.match(forced, /^EdgerunError UNAVAILABLE: env.variant is 'threaded', but crossOriginIsolated is false/);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-no-isolation.png'), fullPage: true });
    assert.deepEqual(problems, []);
  } finally {
    await page?.close().catch(() => {});
    stopProcess(child);
  }
});
