// edgerun — the worker side of `InferenceSession.create(model, { worker: true })`.
// Runs as a module Web Worker in the browser (a worker_threads Worker under node); one session
// per worker. Started by edgerun.mjs (RemoteSession), never imported by applications.
//
// Protocol: { id, op: 'create', bytes, options, env } -> { inputMetadata, outputMetadata, placement, variant,
//                                                        threads, threadsNote, runtime }
//           { id, op: 'run', feeds: { name: { type, data, dims } }, fetches } -> { name: { type, data, dims } }
//           { id, op: 'release' } -> null
// Replies are { id, ok: true, result } or { id, ok: false, error: { name, message, code } }.
// Output tensors' buffers are transferred (each is a fresh copy out of the wasm heap).

import { InferenceSession, Tensor, env } from './edgerun.mjs';

const IN_BROWSER_WORKER = typeof WorkerGlobalScope !== 'undefined' && typeof self !== 'undefined' &&
  self instanceof WorkerGlobalScope;  // eslint-disable-line no-undef

let post;
let listen;
if (IN_BROWSER_WORKER) {
  post = (msg, transfer) => self.postMessage(msg, transfer);
  listen = (f) => self.addEventListener('message', (e) => f(e.data));
} else {
  const { parentPort } = await import('node:worker_threads');
  if (!parentPort) throw new Error('edgerun worker.mjs must run in a worker');
  post = (msg, transfer) => parentPort.postMessage(msg, transfer);
  listen = (f) => parentPort.on('message', f);
}

let session = null;

async function handle(msg) {
  switch (msg.op) {
    case 'create': {
      if (session) throw new Error('edgerun worker: session already created');
      for (const [k, v] of Object.entries(msg.env || {})) if (v !== undefined && k !== 'runtime' && k in env) env[k] = v;
      session = await InferenceSession.create(msg.bytes, msg.options || {});
      return {
        result: {
          inputMetadata: session.inputMetadata.map((t) => ({ ...t, shape: t.shape && [...t.shape] })),
          outputMetadata: session.outputMetadata.map((t) => ({ ...t, shape: t.shape && [...t.shape] })),
          placement: session.placement.map((p) => ({ ...p })),
          variant: session.variant,
          threads: session.threads,
          threadsNote: session.threadsNote,
          runtime: { ...env.runtime },
        },
      };
    }
    case 'run': {
      if (!session) throw new Error('edgerun worker: no session');
      const feeds = {};
      for (const [name, t] of Object.entries(msg.feeds)) feeds[name] = new Tensor(t.type, t.data, t.dims);
      const out = await session.run(feeds, msg.fetches);
      const result = {};
      const transfer = [];
      for (const [name, t] of Object.entries(out)) {
        result[name] = { type: t.type, data: t.data, dims: [...t.dims] };
        transfer.push(t.data.buffer);
      }
      return { result, transfer };
    }
    case 'release': {
      if (session) await session.release();
      session = null;
      return { result: null };
    }
    default:
      throw new Error(`edgerun worker: unknown op '${msg.op}'`);
  }
}

// Messages are handled strictly in order (a run waits for the create before it).
let queue = Promise.resolve();
listen((msg) => {
  queue = queue.then(async () => {
    try {
      const { result, transfer = [] } = await handle(msg);
      post({ id: msg.id, ok: true, result }, transfer);
    } catch (e) {
      post({ id: msg.id, ok: false, error: { name: e && e.name, message: e && e.message ? e.message : String(e), code: e && e.code } });
    }
  });
});
