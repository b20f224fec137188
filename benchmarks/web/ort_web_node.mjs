#!/usr/bin/env node
// ONNX Runtime Web (its WebAssembly execution provider, package onnxruntime-web) in node: one
// measurement of one model, printed as one JSON line
//   {"runtime":"ort-web","model":...,"threads":N,"load_ms":...,"first_run_ms":...,"mean_ms":...,"min_ms":...,"p50_ms":...,"p95_ms":...}
//
//   node benchmarks/web/ort_web_node.mjs MODEL [--threads N] [--warmup W] [--iters I] [--seed S]
//
// Session: executionProviders ['wasm'], graphOptimizationLevel 'all'; env.wasm.numThreads = N
// (ORT Web's threads are pthreads in worker_threads under node). Inputs: seeded uniform [-1, 1)
// floats of the model's input shapes (symbolic dims = 1), the same values bench.mjs's Chromium page
// gives both runtimes. Times: performance.now() around InferenceSession.create (from the file's
// bytes, read before the clock starts) and around each session.run.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-web';
import { concreteShape, randomFloats, summarize } from './common.mjs';

function usage(msg) {
  if (msg) process.stderr.write(`error: ${msg}\n`);
  process.stderr.write('usage: node ort_web_node.mjs MODEL [--threads N] [--warmup W] [--iters I] [--seed S]\n');
  process.exit(2);
}

const opt = { model: null, threads: 1, warmup: 10, iters: 30, seed: 0 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a.startsWith('--')) {
    const key = a.slice(2);
    const v = argv[++i];
    if (!(key in opt) || key === 'model') usage(`unknown option ${a}`);
    if (v === undefined || !/^\d+$/.test(v)) usage(`${a} needs a non-negative integer`);
    opt[key] = Number(v);
  } else if (opt.model === null) {
    opt.model = a;
  } else {
    usage(`unexpected argument ${a}`);
  }
}
if (!opt.model) usage('no model given');
if (opt.threads < 1 || opt.iters < 1) usage('--threads and --iters must be >= 1');

ort.env.wasm.numThreads = opt.threads;
const bytes = readFileSync(opt.model);
let t0 = performance.now();
const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
const loadMs = performance.now() - t0;

const feeds = {};
session.inputMetadata.forEach((meta, i) => {
  if (!meta.isTensor || meta.type !== 'float32') usage(`input ${meta.name} is not a float32 tensor`);
  const shape = concreteShape(meta.shape);
  feeds[meta.name] = new ort.Tensor('float32', randomFloats(shape.reduce((x, y) => x * y, 1), opt.seed + i), shape);
});

t0 = performance.now();
await session.run(feeds);
const firstMs = performance.now() - t0;
for (let i = 0; i < opt.warmup; i++) await session.run(feeds);
const lat = [];
for (let i = 0; i < opt.iters; i++) {
  t0 = performance.now();
  await session.run(feeds);
  lat.push(performance.now() - t0);
}
await session.release();
process.stdout.write(JSON.stringify({
  runtime: 'ort-web', version: ort.env.versions?.web, model: opt.model, threads: opt.threads,
  load_ms: loadMs, first_run_ms: firstMs, iters: opt.iters, warmup: opt.warmup, ...summarize(lat),
}) + '\n');
process.exit(0);  // ORT's pthread workers would keep node alive
