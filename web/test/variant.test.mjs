// The loader's choice of variant, session.threads and session.placement under node (the browser
// side, threaded included, is in web/test/browser/demo.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { InferenceSession, Tensor, EdgerunError, env } from '../js/edgerun.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const modelBytes = readFileSync(root + 'models/digits/digits.onnx');

test('node: the single-threaded variant, and the loader says why (property and one console line)', async () => {
  const infos = [];
  const saved = console.info;
  console.info = (...a) => infos.push(a.join(' '));
  let s;
  try {
    s = await InferenceSession.create(modelBytes, { threads: 3 });
  } finally {
    console.info = saved;
  }
  assert.equal(env.runtime.variant, 'single-threaded');
  assert.match(env.runtime.reason, /^under node the threaded build cannot run/);
  assert.equal(env.runtime.maxThreads, 1);
  assert.match(env.runtime.version, /^\d+\.\d+\.\d+$/);
  assert.equal(infos.filter((l) => /WebAssembly variant/.test(l)).length, 1, infos.join('\n'));
  assert.match(infos[0], /^edgerun [\d.]+: single-threaded WebAssembly variant \(SIMD128\): under node the threaded build cannot run/);
  assert.equal(s.variant, 'single-threaded');
  assert.equal(s.threads, 1);
  assert.match(s.threadsNote, /^3 threads asked, the single-threaded variant runs on the calling thread$/);
  assert.match(infos[1] ?? '', /session runs with 1 thread: 3 threads asked/);
  await s.release();
  env.quiet = true;
});

test('placement: one entry per node of the optimised graph, backend and reason', async () => {
  const auto = await InferenceSession.create(modelBytes);
  const ref = await InferenceSession.create(modelBytes, { backend: 'reference' });
  assert.ok(Object.isFrozen(auto.placement));
  assert.ok(auto.placement.length >= 3, `${auto.placement.length} nodes`);
  assert.deepEqual(Object.keys(auto.placement[0]), ['name', 'op', 'domain', 'backend', 'reason']);
  assert.ok(auto.placement.some((p) => p.backend === 'cpu'));
  for (const p of auto.placement) {
    assert.match(p.backend, /^(cpu|reference)$/);
    assert.equal(typeof p.name, 'string');
    assert.match(p.op, /^[A-Z]\w+$/);
    // A node off the first-choice backend says why (the cpu backend's refusal).
    if (p.backend === 'reference') assert.match(p.reason, /^cpu: ./);
    else assert.equal(p.reason, '');
  }
  // Backend 'reference': the same graph, every node there, nothing to explain.
  assert.deepEqual(ref.placement.map((p) => p.name), auto.placement.map((p) => p.name));
  assert.deepEqual(ref.placement.map((p) => [p.backend, p.reason]), auto.placement.map(() => ['reference', '']));
  // The worker reports the same placement.
  const remote = await InferenceSession.create(modelBytes, { worker: true });
  assert.deepEqual(remote.placement, auto.placement);
  assert.equal(remote.variant, 'single-threaded');
  assert.equal(remote.threads, 1);
  await Promise.all([auto.release(), ref.release(), remote.release()]);
});

test('options: threads must be a non-negative integer; a forced threaded variant under node is an error', async () => {
  await assert.rejects(InferenceSession.create(modelBytes, { threads: -1 }), RangeError);
  await assert.rejects(InferenceSession.create(modelBytes, { threads: 1.5 }), RangeError);
  const s = await InferenceSession.create(modelBytes, { threads: 0 });
  const { logits } = await s.run({ image: new Tensor('float32', new Float32Array(64), [1, 1, 8, 8]) });
  assert.equal(logits.data.length, 10);
  await s.release();
  // env is read when a module is loaded: a worker loads its own, with the creator's env.
  env.variant = 'threaded';
  try {
    await assert.rejects(InferenceSession.create(modelBytes, { worker: true }),
      (e) => e instanceof EdgerunError && e.code === 'UNAVAILABLE' &&
        /^env.variant is 'threaded', but under node the threaded build cannot run/.test(e.message));
    env.variant = 'bogus';
    await assert.rejects(InferenceSession.create(modelBytes, { worker: true }), TypeError);
  } finally {
    env.variant = 'auto';
  }
});
