#!/usr/bin/env node
// edgerun's WebAssembly build vs ONNX Runtime Web (wasm execution provider), side by side in one
// run, in node and in Chromium, and one Markdown table at the end:
//
//   node benchmarks/web/bench.mjs [--models A.onnx,B.onnx] [--threads 1,2] [--env node,chromium]
//        [--rounds R] [--warmup W] [--iters I] [--wasm JS] [--wasm-threads JS] [--dist DIR]
//        [--worker] [--json FILE] [--timeout S] [--chromium PATH]
//
// node:     per (model, threads) R rounds; each round runs edgerun's wasm CLI (`edgerun bench
//           --json`: the single-threaded build for 1 thread, the pthreads build otherwise) and
//           ort_web_node.mjs (ORT Web in node), each a fresh process, the order flipped every round.
// chromium: /usr/bin/chromium (headless, playwright-core) opens page/index.html from a static server
//           on 127.0.0.1 that sends COOP/COEP (cross-origin isolated: both runtimes can use
//           threads); per (thread count, model) a fresh page in which both runtimes run in
//           interleaved rounds (page/bench_page.mjs). edgerun loads through web/js/edgerun.mjs from
//           --dist (default web/dist/): edgerun_web for 1 thread, edgerun_web_threads otherwise.
// Reported per (environment, model, threads): the median over the rounds of each runtime's p50
// latency, the ratio edgerun/ORT Web (lower is better), and load / first-run times.
// Every child process and the browser run under a timeout and are stopped by PID.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './common.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HERE = fileURLToPath(new URL('./', import.meta.url));
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

function usage(msg) {
  if (msg) process.stderr.write(`error: ${msg}\n`);
  process.stderr.write('usage: node benchmarks/web/bench.mjs [--models A.onnx,B.onnx] [--threads 1,2] [--env node,chromium]\n'
    + '         [--rounds R] [--warmup W] [--iters I] [--wasm JS] [--wasm-threads JS] [--dist DIR] [--worker]\n'
    + '         [--json FILE] [--timeout S] [--chromium PATH]\n');
  process.exit(2);
}

const opt = {
  models: ['build/bench-models/mobilenet_v2.onnx', 'build/bench-models/resnet18.onnx'],
  threads: [1, 2], env: ['node', 'chromium'], rounds: 3, warmup: 10, iters: 30,
  wasm: 'build/wasm/native/edgerun.js', 'wasm-threads': 'build/wasm-threads/native/edgerun.js', dist: 'web/dist',
  worker: false, json: null, timeout: 3600, chromium: process.env.EDGERUN_CHROMIUM ?? '/usr/bin/chromium',
};
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (!argv[i].startsWith('--') || !(key in opt)) usage(`unknown argument ${argv[i]}`);
    if (key === 'worker') { opt.worker = true; continue; }
    const v = argv[++i];
    if (v === undefined) usage(`--${key} needs a value`);
    if (key === 'models' || key === 'env') opt[key] = v.split(',').filter(Boolean);
    else if (key === 'threads') opt.threads = v.split(',').map(Number);
    else if (['rounds', 'warmup', 'iters', 'timeout'].includes(key)) opt[key] = Number(v);
    else opt[key] = v;
  }
  if (opt.threads.some((t) => !Number.isInteger(t) || t < 1)) usage('--threads takes positive integers');
  if (![opt.rounds, opt.iters, opt.timeout].every((n) => Number.isInteger(n) && n >= 1) || !(opt.warmup >= 0)) usage('bad --rounds/--iters/--warmup/--timeout');
  if (opt.env.some((e) => e !== 'node' && e !== 'chromium')) usage('--env takes node and/or chromium');
}
const abs = (p) => resolve(ROOT, p);
for (const m of opt.models) {
  if (!existsSync(abs(m))) usage(`${m} not found (export the models: /usr/bin/python3 benchmarks/export_models.py)`);
}
if (!existsSync(join(HERE, 'node_modules/onnxruntime-web'))) usage('onnxruntime-web is not installed: npm ci --prefix benchmarks/web');

// Global watchdog: whatever hangs, the run ends (children and the browser are killed by PID).
const children = new Set();
let browserCleanup = null;
function killAll() {
  for (const c of children) { try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ } }
  if (browserCleanup) browserCleanup();
}
const watchdog = setTimeout(() => {
  process.stderr.write(`bench: --timeout ${opt.timeout} s reached, stopping\n`);
  killAll();
  process.exit(3);
}, opt.timeout * 1000);
watchdog.unref();
process.on('SIGINT', () => { killAll(); process.exit(130); });
process.on('SIGTERM', () => { killAll(); process.exit(143); });

// Runs a command, returns the last JSON line of its stdout. Killed (by PID) after timeoutS.
function runJson(cmd, args, timeoutS) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }, timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      const line = out.trim().split('\n').reverse().find((l) => l.startsWith('{'));
      if (code !== 0 || !line) {
        reject(new Error(`${[cmd, ...args].join(' ')}: ${signal ? `killed (${signal})` : `exit ${code}`}\n${(err || out).slice(-800)}`));
      } else {
        resolvePromise(JSON.parse(line));
      }
    });
  });
}

const results = [];   // { env, model, threads, edgerun: {...}, ort: {...} }
const log = (s) => process.stderr.write(s + '\n');

// ------------------------------------------------------------------------------------ node
async function benchNode() {
  for (const model of opt.models) {
    for (const threads of opt.threads) {
      const cli = abs(threads > 1 ? opt['wasm-threads'] : opt.wasm);
      if (!existsSync(cli)) {
        log(`node: ${cli} not found (scripts/build_wasm.sh${threads > 1 ? ' --threads' : ''}); skipping ${model} at ${threads} thread(s)`);
        results.push({ env: 'node', model, threads, error: `no ${relative(ROOT, cli)}` });
        continue;
      }
      const e = { p50: [], load: [], first: [], variant: threads > 1 ? 'wasm-threads CLI' : 'wasm CLI' };
      const o = { p50: [], load: [], first: [] };
      for (let r = 0; r < opt.rounds; r++) {
        const steps = [
          async () => {
            const j = await runJson(process.execPath, ['--no-experimental-fetch', cli, 'bench', abs(model), '--threads', String(threads),
              '--warmup', String(opt.warmup), '--iters', String(opt.iters), '--json'], 600);
            e.p50.push(j.p50_ms); e.load.push(j.load_ms); e.first.push(j.first_run_ms);
            log(`node ${model} ${threads}t round ${r + 1}: edgerun p50 ${j.p50_ms.toFixed(2)} ms`);
          },
          async () => {
            const j = await runJson(process.execPath, [join(HERE, 'ort_web_node.mjs'), abs(model), '--threads', String(threads),
              '--warmup', String(opt.warmup), '--iters', String(opt.iters)], 600);
            o.p50.push(j.p50_ms); o.load.push(j.load_ms); o.first.push(j.first_run_ms); o.version = j.version;
            log(`node ${model} ${threads}t round ${r + 1}: ORT Web p50 ${j.p50_ms.toFixed(2)} ms`);
          },
        ];
        for (const s of r % 2 === 0 ? steps : steps.reverse()) await s();
      }
      results.push({
        env: 'node', model, threads,
        edgerun: { p50_ms: median(e.p50), rounds_p50_ms: e.p50, load_ms: median(e.load), first_run_ms: median(e.first), info: e.variant },
        ort: { p50_ms: median(o.p50), rounds_p50_ms: o.p50, load_ms: median(o.load), first_run_ms: median(o.first), info: `onnxruntime-web ${o.version}` },
      });
    }
  }
}

// ------------------------------------------------------------------------------------ chromium
const MIME = { '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.onnx': 'application/octet-stream', '.json': 'application/json', '.map': 'application/json' };

// Static server for the repository on 127.0.0.1, cross-origin isolated (COOP/COEP), limited to the
// folders the page needs.
function startServer(served) {
  const server = createServer((req, res) => {
    const h = { 'Cache-Control': 'no-store', 'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin' };
    let path;
    try { path = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname); } catch { path = ''; }
    const rel = normalize(path.replace(/^\/+/, ''));
    const file = join(ROOT, rel);
    const ok = !rel.startsWith('..') && !rel.includes('\0') && served.some((d) => (file + sep).startsWith(d));
    let st = null;
    try { st = ok ? statSync(file) : null; } catch { st = null; }
    if (!st || !st.isFile()) {
      res.writeHead(404, { ...h, 'Content-Type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, { ...h, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Length': st.size });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolvePromise) => server.listen(0, '127.0.0.1', () => resolvePromise(server)));
}

async function benchChromium() {
  if (!existsSync(opt.chromium)) {
    log(`chromium: ${opt.chromium} not found (apt-get install -y chromium); skipping the browser`);
    for (const model of opt.models) for (const threads of opt.threads) results.push({ env: 'chromium', model, threads, error: 'no chromium' });
    return;
  }
  const { chromium } = await import('playwright-core');
  const dist = abs(opt.dist);
  const served = [join(ROOT, 'web/js'), dist, HERE, ...opt.models.map((m) => join(abs(m), '..'))].map((d) => resolve(d) + sep);
  const server = await startServer(served);
  const base = `http://127.0.0.1:${server.address().port}`;
  const profile = mkdtempSync(join(tmpdir(), 'edgerun-bench-chromium-'));
  const childPids = () => {
    try { return execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number); } catch { return []; }
  };
  const before = new Set(childPids());
  let context;
  browserCleanup = () => {
    for (const pid of childPids()) if (!before.has(pid)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: opt.chromium, headless: true, args: FLAGS, timeout: 60000 });
    for (const threads of opt.threads) {
      const file = threads > 1 ? 'edgerun_web_threads.wasm' : 'edgerun_web.wasm';
      if (!existsSync(join(dist, file))) {
        log(`chromium: ${join(opt.dist, file)} not found (scripts/build_wasm.sh${threads > 1 ? ' --threads' : ''}); skipping ${threads} thread(s)`);
        for (const model of opt.models) results.push({ env: 'chromium', model, threads, error: `no ${join(opt.dist, file)}` });
        continue;
      }
      for (const model of opt.models) {
        // a fresh page per model: nothing left over from the previous model's sessions
        const page = await context.newPage();
        const problems = [];
        page.on('pageerror', (e) => problems.push(e.message));
        page.on('console', (m) => { if (m.type() === 'error' && !/status of 404/.test(m.text())) problems.push(m.text()); });
        page.on('response', (resp) => {
          if (resp.status() >= 400 && !resp.url().endsWith('/favicon.ico')) problems.push(`HTTP ${resp.status()} ${resp.url()}`);
        });
        const distUrl = '/' + relative(ROOT, dist).split(sep).join('/') + '/';
        await page.goto(`${base}/benchmarks/web/page/index.html?threads=${threads}&dist=${encodeURIComponent(distUrl)}${opt.worker ? '&worker=1' : ''}`,
          { waitUntil: 'load', timeout: 60000 });
        await page.waitForFunction(() => window.benchReady === true, null, { timeout: 60000 }).catch((e) => {
          throw new Error(`the benchmark page did not load: ${problems.join('; ') || e.message}`);
        });
        const modelUrl = '/' + relative(ROOT, abs(model)).split(sep).join('/');
        log(`chromium ${model} ${threads}t: ${opt.rounds} rounds ...`);
        let r;
        try {
          r = await page.evaluate((o) => window.runBench(o), { modelUrl, rounds: opt.rounds, warmup: opt.warmup, iters: opt.iters, seed: 0 });
        } catch (e) {
          results.push({ env: 'chromium', model, threads, error: `${e.message.split('\n')[0]} ${problems.join('; ')}` });
          await page.close();
          continue;
        }
        const pick = (x, info) => ({ p50_ms: x.median_p50_ms, rounds_p50_ms: x.p50_ms, load_ms: x.load_ms, first_run_ms: x.first_run_ms, info });
        const ei = r.edgerun.info;
        results.push({
          env: 'chromium', model, threads, crossOriginIsolated: r.crossOriginIsolated,
          edgerun: pick(r.edgerun, `${ei.variant}, ${ei.threads} thread(s)${ei.worker ? ', worker' : ''}${ei.threadsNote ? ` (${ei.threadsNote})` : ''}`),
          ort: pick(r.ort, `onnxruntime-web ${r.ort.info.version}, numThreads ${r.ort.info.numThreads}${r.ort.info.proxy ? ', proxy worker' : ''}`),
        });
        log(`chromium ${model} ${threads}t: edgerun ${r.edgerun.median_p50_ms.toFixed(2)} ms, ORT Web ${r.ort.median_p50_ms.toFixed(2)} ms`);
        await page.close();
      }
    }
  } finally {
    await Promise.race([context?.close(), new Promise((r) => setTimeout(r, 10000))]).catch(() => {});
    browserCleanup();
    browserCleanup = null;
    server.close();
  }
}

// ------------------------------------------------------------------------------------ main
const started = new Date();
if (opt.env.includes('node')) await benchNode();
if (opt.env.includes('chromium')) await benchChromium();

const f = (x) => (x === undefined || x === null || Number.isNaN(x) ? 'n/a' : x.toFixed(2));
const lines = [
  `edgerun wasm vs ONNX Runtime Web (wasm), ${started.toISOString()}: ${opt.rounds} interleaved rounds, ${opt.warmup} warm-up + ${opt.iters} timed runs each; p50 = median over the rounds of each round's p50 (ms); ratio = edgerun / ORT Web (lower is better)`,
  '',
  '| environment | model | threads | edgerun p50 ms | ORT Web p50 ms | edgerun/ORT Web | edgerun load ms | ORT Web load ms | edgerun first run ms | ORT Web first run ms | edgerun build | ORT Web |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
];
for (const r of results) {
  const name = r.model.split('/').pop().replace(/\.onnx$/, '');
  if (r.error) {
    lines.push(`| ${r.env} | ${name} | ${r.threads} | n/a | n/a | n/a | | | | | ${r.error} | |`);
    continue;
  }
  lines.push(`| ${r.env} | ${name} | ${r.threads} | ${f(r.edgerun.p50_ms)} | ${f(r.ort.p50_ms)} | ${f(r.edgerun.p50_ms / r.ort.p50_ms)} | `
    + `${f(r.edgerun.load_ms)} | ${f(r.ort.load_ms)} | ${f(r.edgerun.first_run_ms)} | ${f(r.ort.first_run_ms)} | ${r.edgerun.info} | ${r.ort.info} |`);
}
process.stdout.write(lines.join('\n') + '\n');
if (opt.json) writeFileSync(opt.json, JSON.stringify({ started: started.toISOString(), options: opt, results }, null, 2) + '\n');
clearTimeout(watchdog);
process.exit(results.some((r) => r.error) ? 1 : 0);
