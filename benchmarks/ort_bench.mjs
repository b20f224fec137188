#!/usr/bin/env node
// ONNX Runtime (onnxruntime-node, CPU execution provider) side of the edgerun benchmark.
//
//   node benchmarks/ort_bench.mjs MODEL [--threads N] [--warmup W] [--iters I] [--seed S] [--spin 0|1]
//                                       [--input FILE.npy] [--expect FILE.npy]
//
// Session options: intraOpNumThreads=N, interOpNumThreads=1, graphOptimizationLevel 'all',
// executionMode 'sequential'. --spin 0 sets session.intra_op.allow_spinning=0 (ORT's worker threads
// then block between ops instead of busy-waiting, as edgerun's do); by default ORT keeps its default
// (spinning). Every input gets seeded random values (uniform in [-1, 1) for floats) of the model's
// input shape; symbolic dims are taken as 1. Prints one JSON line:
// {load_ms, first_run_ms, mean_ms, min_ms, p50_ms, p95_ms, p99_ms, ...}.
// Times are wall clock (performance.now) around InferenceSession.create(path) and session.run, as
// edgerun bench measures them; percentiles interpolate linearly between ranks, as edgerun bench does.
// --input feeds a float32 .npy to the (first) model input instead of random values; --expect compares
// the first output with a .npy (e.g. written by `edgerun run --input input=FILE.npy --output-dir DIR`)
// and adds expect_max_abs_diff / expect_max_abs to the JSON, to check both runtimes agree.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { rng } from './web/common.mjs';  // seeded PRNG (mulberry32), shared with the web benchmark

const require = createRequire(import.meta.url);

function usage(msg) {
  if (msg) process.stderr.write(`error: ${msg}\n`);
  process.stderr.write('usage: node ort_bench.mjs MODEL [--threads N] [--warmup W] [--iters I] [--seed S] [--spin 0|1]\n'
    + '                        [--input FILE.npy] [--expect FILE.npy]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const opt = { model: null, threads: 1, warmup: 5, iters: 50, seed: 0, spin: null, input: null, expect: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [key, inline] = a.slice(2).split('=', 2);
      if (!(key in opt) || key === 'model') usage(`unknown option ${a}`);
      const v = inline ?? argv[++i];
      if (key === 'input' || key === 'expect') {
        if (v === undefined) usage(`--${key} needs a file`);
        opt[key] = v;
        continue;
      }
      if (v === undefined || !/^\d+$/.test(v)) usage(`--${key} needs a non-negative integer`);
      opt[key] = Number(v);
    } else if (opt.model === null) {
      opt.model = a;
    } else {
      usage(`unexpected argument ${a}`);
    }
  }
  if (opt.model === null) usage('no model given');
  if (opt.threads < 1) usage('--threads must be >= 1');
  if (opt.iters < 1) usage('--iters must be >= 1');
  if (opt.spin !== null && opt.spin > 1) usage('--spin takes 0 or 1');
  return opt;
}


const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  bool: Uint8Array,
};

function randomTensor(ort, meta, next) {
  const type = meta.type ?? 'float32';
  const shape = (meta.shape ?? []).map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  const n = shape.reduce((x, y) => x * y, 1);
  const Ctor = ARRAYS[type];
  if (!Ctor) throw new Error(`input '${meta.name}' has unsupported type ${type}`);
  const data = new Ctor(n);
  for (let i = 0; i < n; i++) {
    const u = next();
    if (type === 'float32' || type === 'float64') data[i] = 2 * u - 1;
    else if (type === 'bool') data[i] = u < 0.5 ? 0 : 1;
    else if (type === 'int64' || type === 'uint64') data[i] = BigInt(Math.floor(u * 10));
    else data[i] = Math.floor(u * 10);
  }
  return new ort.Tensor(type, data, shape);
}

// Minimal .npy reader: little-endian float32, C order (what numpy and edgerun write).
function readNpy(file) {
  const b = readFileSync(file);
  if (b.length < 10 || b.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = b[6];
  const hl = major >= 2 ? b.readUInt32LE(8) : b.readUInt16LE(8);
  const off = (major >= 2 ? 12 : 10) + hl;
  const h = b.toString('latin1', major >= 2 ? 12 : 10, off);
  if (!/'descr':\s*'<f4'/.test(h) || /'fortran_order':\s*True/.test(h)) throw new Error(`${file}: only little-endian float32 C-order .npy is supported`);
  const m = /'shape':\s*\(([^)]*)\)/.exec(h);
  if (!m) throw new Error(`${file}: no shape in the .npy header`);
  const shape = m[1].split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  const n = shape.reduce((x, y) => x * y, 1);
  if (b.length - off < 4 * n) throw new Error(`${file}: truncated`);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = b.readFloatLE(off + 4 * i);
  return { shape, data };
}

function pct(sorted, p) {
  // linear interpolation between closest ranks, the same definition edgerun bench uses
  const idx = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(idx), hi = Math.ceil(idx);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (idx - lo);
}

const round = (x) => Math.round(x * 1000) / 1000;

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const ort = require('onnxruntime-node');
  if (!existsSync(opt.model)) throw new Error(`cannot open ${opt.model}`);

  // Timed like edgerun bench's load: from the file path to a session ready to run.
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(opt.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: opt.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    ...(opt.spin === null ? {} : { extra: { session: { intra_op: { allow_spinning: String(opt.spin) } } } }),
  });
  const loadMs = performance.now() - t0;

  const next = rng(opt.seed);
  const metas = session.inputMetadata ?? session.inputNames.map((name) => ({ name, type: 'float32', shape: [] }));
  const feeds = {};
  for (const m of metas) feeds[m.name] = randomTensor(ort, m, next);
  if (opt.input !== null) {
    const x = readNpy(opt.input);
    feeds[metas[0].name] = new ort.Tensor('float32', x.data, x.shape);
  }

  let t = performance.now();
  let out = await session.run(feeds);
  const firstMs = performance.now() - t;

  for (let i = 0; i < opt.warmup; i++) out = await session.run(feeds);
  const lat = [];
  for (let i = 0; i < opt.iters; i++) {
    t = performance.now();
    out = await session.run(feeds);
    lat.push(performance.now() - t);
  }
  let checksum = 0;
  for (const name of session.outputNames) {
    const d = out[name].data;
    if (d instanceof Float32Array || d instanceof Float64Array) for (const v of d) checksum += v;
  }
  let expect = {};
  if (opt.expect !== null) {
    const y = readNpy(opt.expect);
    const d = out[session.outputNames[0]].data;
    if (d.length !== y.data.length) throw new Error(`--expect: ${opt.expect} has ${y.data.length} values, output has ${d.length}`);
    let diff = 0, mag = 0;
    for (let i = 0; i < d.length; i++) {
      diff = Math.max(diff, Math.abs(d[i] - y.data[i]));
      mag = Math.max(mag, Math.abs(d[i]));
    }
    expect = { expect_max_abs_diff: diff, expect_max_abs: mag };
  }
  const sorted = [...lat].sort((a, b) => a - b);
  const mean = lat.reduce((a, b) => a + b, 0) / lat.length;
  const result = {
    model: opt.model, runtime: 'onnxruntime-node', ort_version: ort.env?.versions?.common ?? null,
    threads: opt.threads, spin: opt.spin ?? 'default', warmup: opt.warmup, iters: opt.iters,
    load_ms: round(loadMs), first_run_ms: round(firstMs), mean_ms: round(mean), min_ms: round(sorted[0]),
    p50_ms: round(pct(sorted, 50)), p95_ms: round(pct(sorted, 95)), p99_ms: round(pct(sorted, 99)),
    checksum: Number(checksum.toPrecision(7)), ...expect,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
  await session.release?.();
}

main().catch((e) => {
  process.stderr.write(`error: ${e?.message ?? e}\n`);
  process.exit(1);
});
