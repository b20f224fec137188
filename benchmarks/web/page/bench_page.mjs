// The browser side of benchmarks/web/bench.mjs: edgerun (web/js/edgerun.mjs over web/dist/) and
// ONNX Runtime Web (its wasm execution provider) in the same page, on the same model bytes and the
// same input values, measured in interleaved rounds.
//
// The page URL carries the settings read when the two runtimes load (once per page):
//   ?threads=N   edgerun: the single-threaded variant for N = 1, the threaded one (pthreads, needs
//                the page to be cross-origin isolated) for N > 1; ORT Web: env.wasm.numThreads = N
//   &dist=URL    folder of edgerun's library modules (default /web/dist/)
//   &worker=1    both runtimes run in a Web Worker (edgerun: worker: true; ORT: env.wasm.proxy)
// bench.mjs then calls window.runBench({ modelUrl, rounds, warmup, iters, seed }), which returns
// { edgerun: {...}, ort: {...} } (load, first run, the p50 of each round, the runtime's details).
import * as edgerun from '/web/js/edgerun.mjs';
import * as ort from '/benchmarks/web/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs';
import { concreteShape, median, percentile, randomFloats } from '../common.mjs';

const params = new URLSearchParams(location.search);
const threads = Number(params.get('threads') ?? '1');
const worker = params.get('worker') === '1';
const dist = params.get('dist') ?? '/web/dist/';

edgerun.env.variant = threads > 1 ? 'threaded' : 'single-threaded';
edgerun.env.threads = Math.max(threads, 1);
edgerun.env.moduleUrl = new URL('edgerun_web.mjs', new URL(dist, location.href)).href;
edgerun.env.threadedModuleUrl = new URL('edgerun_web_threads.mjs', new URL(dist, location.href)).href;
edgerun.env.quiet = true;
ort.env.wasm.numThreads = threads;
ort.env.wasm.proxy = worker;
ort.env.wasm.wasmPaths = '/benchmarks/web/node_modules/onnxruntime-web/dist/';

const log = (s) => { document.getElementById('log').textContent += s + '\n'; };

// A runtime behind one interface: create(bytes) -> { inputs: [{name, shape}], run(feedsData) }.
const runtimes = {
  async edgerun(bytes) {
    const t0 = performance.now();
    const s = await edgerun.InferenceSession.create(bytes, { threads, worker });
    const load = performance.now() - t0;
    const inputs = s.inputMetadata.map((m) => ({ name: m.name, type: m.type, shape: concreteShape(m.shape) }));
    return {
      load, inputs,
      info: { variant: s.variant, threads: s.threads, threadsNote: s.threadsNote || '', worker },
      makeFeeds: (data) => Object.fromEntries(inputs.map((m, i) => [m.name, new edgerun.Tensor('float32', data[i], m.shape)])),
      run: (feeds) => s.run(feeds),
      release: () => s.release(),
    };
  },
  async ort(bytes) {
    const t0 = performance.now();
    const s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    const load = performance.now() - t0;
    const inputs = s.inputMetadata.map((m) => ({ name: m.name, type: m.type, shape: concreteShape(m.shape) }));
    return {
      load, inputs,
      info: { version: ort.env.versions?.web, numThreads: ort.env.wasm.numThreads, proxy: worker },
      makeFeeds: (data) => Object.fromEntries(inputs.map((m, i) => [m.name, new ort.Tensor('float32', data[i], m.shape)])),
      run: (feeds) => s.run(feeds),
      release: () => s.release(),
    };
  },
};

// In worker mode the input arrays may be transferred to the worker (ORT's proxy detaches them):
// each run then gets fresh copies, made inside the timed region for both runtimes.
async function timed(r, data, warmup, iters) {
  const fixed = worker ? null : r.makeFeeds(data);
  const feeds = () => fixed ?? r.makeFeeds(data.map((a) => a.slice()));
  for (let i = 0; i < warmup; i++) await r.run(feeds());
  const lat = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    await r.run(feeds());
    lat.push(performance.now() - t0);
  }
  return lat;
}

window.runBench = async ({ modelUrl, rounds = 3, warmup = 10, iters = 30, seed = 0 }) => {
  const resp = await fetch(modelUrl);
  if (!resp.ok) throw new Error(`${modelUrl}: HTTP ${resp.status}`);
  const bytes = new Uint8Array(await resp.arrayBuffer());
  const names = ['edgerun', 'ort'];
  const rt = {};
  const out = {};
  for (const n of names) {
    rt[n] = await runtimes[n](bytes.slice());
    out[n] = { load_ms: rt[n].load, info: rt[n].info, p50_ms: [], min_ms: [] };
  }
  // the same values for both (inputs taken from edgerun's metadata; ORT's must agree)
  const shapes = rt.edgerun.inputs.map((m) => m.shape);
  if (JSON.stringify(shapes) !== JSON.stringify(rt.ort.inputs.map((m) => m.shape))) {
    throw new Error(`input shapes differ: edgerun ${JSON.stringify(shapes)}, ORT ${JSON.stringify(rt.ort.inputs.map((m) => m.shape))}`);
  }
  if (rt.edgerun.inputs.some((m) => m.type !== 'float32')) throw new Error('only float32 inputs are supported');
  const data = shapes.map((s, i) => randomFloats(s.reduce((x, y) => x * y, 1), seed + i));
  for (const n of names) {
    const feeds = rt[n].makeFeeds(data.map((a) => a.slice()));
    const t0 = performance.now();
    await rt[n].run(feeds);
    out[n].first_run_ms = performance.now() - t0;
  }
  for (let r = 0; r < rounds; r++) {
    for (const n of r % 2 === 0 ? names : [...names].reverse()) {
      const lat = await timed(rt[n], data, warmup, iters);
      out[n].p50_ms.push(percentile(lat, 50));
      out[n].min_ms.push(Math.min(...lat));
      log(`${modelUrl} round ${r + 1} ${n}: p50 ${percentile(lat, 50).toFixed(2)} ms`);
    }
  }
  for (const n of names) {
    out[n].median_p50_ms = median(out[n].p50_ms);
    await rt[n].release();
  }
  out.crossOriginIsolated = globalThis.crossOriginIsolated === true;
  out.hardwareConcurrency = navigator.hardwareConcurrency;
  return out;
};
window.benchReady = true;
