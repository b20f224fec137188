// edgerun — JavaScript API (ES module) over the WebAssembly build of the edgerun runtime.
// Modelled on ONNX Runtime Web:
//
//   import { InferenceSession, Tensor } from 'edgerun';
//   const session = await InferenceSession.create(urlOrBytes, { sha256 });
//   const { logits } = await session.run({ image: new Tensor('float32', pixels, [1, 1, 8, 8]) });
//   session.release();
//
// The C++ side is the stable C API (runtime/include/edgerun/edgerun.h) compiled into
// dist/edgerun_web.{mjs,wasm} (CMake target edgerun_web, preset "wasm"). Every call copies its
// inputs into the wasm heap and its outputs out of it, and frees what it allocated before it
// returns, whether it succeeded or not: JS never holds pointers into the heap.

const IS_NODE = typeof process === 'object' && typeof process.versions === 'object' &&
  typeof process.versions.node === 'string';

// ---------------------------------------------------------------------------------------------
// Element types: ONNX TensorProto.DataType numbers (= edgerun_dtype) and their JS arrays.

const DTYPES = {
  float32: { code: 1, array: Float32Array },
  uint8: { code: 2, array: Uint8Array },
  int8: { code: 3, array: Int8Array },
  uint16: { code: 4, array: Uint16Array },
  int16: { code: 5, array: Int16Array },
  int32: { code: 6, array: Int32Array },
  int64: { code: 7, array: BigInt64Array },
  bool: { code: 9, array: Uint8Array },
  float16: { code: 10, array: Uint16Array },     // raw IEEE half bits, as in ONNX Runtime Web
  float64: { code: 11, array: Float64Array },
  uint32: { code: 12, array: Uint32Array },
  uint64: { code: 13, array: BigUint64Array },
  bfloat16: { code: 16, array: Uint16Array },    // raw bfloat16 bits
};
const DTYPE_BY_CODE = new Map(Object.entries(DTYPES).map(([name, d]) => [d.code, name]));
const CODE_NAMES = ['OK', 'INVALID_ARGUMENT', 'INVALID_MODEL', 'UNSUPPORTED', 'NOT_FOUND', 'OUT_OF_RANGE',
  'RESOURCE_EXHAUSTED', 'INTEGRITY', 'INTERNAL', 'IO', 'UNAVAILABLE'];

/** An error reported by the runtime: `message` is the C++ message, `code` its status code name. */
export class EdgerunError extends Error {
  constructor(message, code = 'INVALID_ARGUMENT') {
    super(message);
    this.name = 'EdgerunError';
    this.code = code;
  }
}

function typeFromArray(data) {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof BigUint64Array) return 'uint64';
  throw new TypeError('Tensor: cannot infer the element type of ' + Object.prototype.toString.call(data));
}

// ---------------------------------------------------------------------------------------------

/** A dense tensor: `type` (element type name), `data` (typed array, row-major), `dims`. */
export class Tensor {
  /**
   * new Tensor(type, data, dims?) or new Tensor(typedArray, dims?).
   * `data` may be a typed array of the type's array class (kept, not copied) or a plain array
   * (converted). `dims` defaults to [data.length].
   */
  constructor(typeOrData, dataOrDims, maybeDims) {
    let type, data, dims;
    if (typeof typeOrData === 'string') {
      type = typeOrData; data = dataOrDims; dims = maybeDims;
    } else {
      data = typeOrData; dims = dataOrDims; type = typeFromArray(data);
    }
    const d = DTYPES[type];
    if (!d) throw new TypeError(`Tensor: unsupported element type '${type}' (${Object.keys(DTYPES).join(', ')})`);
    if (Array.isArray(data)) {
      if (d.array === BigInt64Array || d.array === BigUint64Array) data = d.array.from(data, (v) => BigInt(v));
      else data = d.array.from(data, (v) => Number(v));
    } else if (!(data instanceof d.array)) {
      throw new TypeError(`Tensor: a '${type}' tensor needs a ${d.array.name} or an array, got ` +
        Object.prototype.toString.call(data));
    }
    if (dims === undefined) dims = [data.length];
    if (!Array.isArray(dims) && !ArrayBuffer.isView(dims)) throw new TypeError('Tensor: dims must be an array');
    dims = Array.from(dims, Number);
    let size = 1;
    for (const n of dims) {
      if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Tensor: invalid dimension ${n} in [${dims}]`);
      size *= n;
    }
    if (size !== data.length) {
      throw new RangeError(`Tensor: dims [${dims}] hold ${size} elements but the data has ${data.length}`);
    }
    this.type = type;
    this.data = data;
    this.dims = Object.freeze(dims);
    this.size = size;
  }
}

// ---------------------------------------------------------------------------------------------
// Loading the wasm module (once per JS realm). Two builds of the same C++ code:
//   dist/edgerun_web_threads.{mjs,wasm,worker.js}  pthreads (preset wasm-threads): needs
//       SharedArrayBuffer, i.e. a cross-origin isolated page (COOP same-origin + COEP require-corp);
//   dist/edgerun_web.{mjs,wasm}  single-threaded (preset wasm): runs anywhere.
// The loader takes the threaded one when `crossOriginIsolated` is true, the single-threaded one
// otherwise, and says which and why (env.runtime, session.variant, one console.info line).

const DEFAULT_MAX_THREADS = 4;   // pthread pool of the threaded build: max threads - 1 workers
const THREAD_LIMIT = 16;

/**
 * Settings read when the wasm module is first loaded (by the first create()).
 * moduleUrl/wasmUrl: the single-threaded module and its .wasm (default ../dist/edgerun_web.*);
 * threadedModuleUrl/threadedWasmUrl: the threaded one (default ../dist/edgerun_web_threads.*, with
 * edgerun_web_threads.worker.js next to the module); variant: 'auto' (default), 'threaded' or
 * 'single-threaded' (a forced variant that cannot run is an error, never a fallback); threads: the
 * most threads any session of the threaded build may use (its pthread pool is threads - 1 workers,
 * started with the module; default: the larger of the first create()'s `threads` and
 * min(navigator.hardwareConcurrency, 4); at least 2);
 * quiet: no console line.
 */
export const env = {
  moduleUrl: new URL('../dist/edgerun_web.mjs', import.meta.url).href,
  wasmUrl: undefined,
  threadedModuleUrl: new URL('../dist/edgerun_web_threads.mjs', import.meta.url).href,
  threadedWasmUrl: undefined,
  variant: 'auto',
  threads: undefined,
  quiet: false,
  /** Set once loaded: { variant, reason, version, maxThreads }. */
  runtime: undefined,
};

let modulePromise;

async function readFileUrl(url) {
  const fs = await import('node:fs/promises');
  const { fileURLToPath } = await import('node:url');
  return new Uint8Array(await fs.readFile(url instanceof URL || /^file:/.test(url) ? fileURLToPath(url) : url));
}

function hardwareThreads() {
  const n = typeof navigator === 'object' && navigator ? Number(navigator.hardwareConcurrency) : NaN;
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
}

function checkThreads(n, what) {
  if (n === undefined || n === null) return undefined;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer (0 = default), got ${n}`);
  return n;
}

// Which build to load, and why: { variant, reason }. Throws when a forced variant cannot run.
function chooseVariant() {
  const isolated = globalThis.crossOriginIsolated === true;
  const forced = env.variant ?? 'auto';
  if (!['auto', 'threaded', 'single-threaded'].includes(forced)) {
    throw new TypeError(`env.variant must be 'auto', 'threaded' or 'single-threaded', got '${forced}'`);
  }
  const threadedImpossible = IS_NODE
    ? 'under node the threaded build cannot run: Emscripten 3.1.6 starts its pthreads as Web Workers from ' +
      'an ES module built for web/worker only (node has no Web Workers)'
    : !isolated ? 'crossOriginIsolated is false (SharedArrayBuffer needs COOP: same-origin and COEP: require-corp)'
      : typeof SharedArrayBuffer !== 'function' ? 'SharedArrayBuffer is not available' : null;
  if (forced === 'single-threaded') return { variant: 'single-threaded', reason: 'env.variant is \'single-threaded\'' };
  if (forced === 'threaded') {
    if (threadedImpossible) {
      throw new EdgerunError(`env.variant is 'threaded', but ${threadedImpossible}`, 'UNAVAILABLE');
    }
    return { variant: 'threaded', reason: 'env.variant is \'threaded\' (crossOriginIsolated is true)' };
  }
  if (threadedImpossible) return { variant: 'single-threaded', reason: threadedImpossible };
  return { variant: 'threaded', reason: 'crossOriginIsolated is true' };
}

async function loadModule(options) {
  const { variant, reason } = chooseVariant();
  const threaded = variant === 'threaded';
  const moduleUrl = threaded ? env.threadedModuleUrl : env.moduleUrl;
  const wasmUrl = (threaded ? env.threadedWasmUrl : env.wasmUrl) ??
    new URL(threaded ? 'edgerun_web_threads.wasm' : 'edgerun_web.wasm', moduleUrl).href;
  let maxThreads = 1;
  if (threaded) {
    // At least one pool worker: Emscripten 3.1.6 never resolves a threaded module started with none.
    const wanted = checkThreads(env.threads, 'env.threads') ||
      Math.max(checkThreads(options && options.threads, 'threads') || 0, Math.min(hardwareThreads(), DEFAULT_MAX_THREADS));
    maxThreads = Math.max(2, Math.min(wanted, THREAD_LIMIT));
  }
  let factory;
  try {
    ({ default: factory } = await import(moduleUrl));
  } catch (e) {
    const preset = threaded ? 'wasm-threads' : 'wasm';
    throw new EdgerunError(`cannot load the edgerun ${variant} wasm module from ${moduleUrl} (${e.message}); ` +
      `build it with: cmake --preset ${preset} && cmake --build --preset ${preset}`, 'UNAVAILABLE');
  }
  const args = {};
  if (IS_NODE && /^file:/.test(wasmUrl)) {
    // The module is built for web/worker only: under node hand it the bytes (no fetch of file: URLs).
    args.wasmBinary = await readFileUrl(wasmUrl);
  } else {
    // The .wasm from wasmUrl; anything else (the pthread worker script) next to the module.
    args.locateFile = (path, prefix) => (path.endsWith('.wasm') ? wasmUrl : new URL(path, prefix || moduleUrl).href);
  }
  if (threaded) {
    args.edgerunPoolSize = maxThreads - 1;          // pthread workers started with the module
    args.mainScriptUrlOrBlob = moduleUrl;           // what each pthread worker imports
  }
  const m = await factory(args);
  if (Boolean(m._edgerun_web_threads()) !== threaded) {
    throw new EdgerunError(`${moduleUrl} is not the ${variant} build of edgerun`, 'UNAVAILABLE');
  }
  m.edgerunMaxThreads = maxThreads;
  m.edgerunThreadsInUse = 0;       // by live in-thread sessions (pool workers they hold)
  env.runtime = Object.freeze({
    variant,
    reason,
    version: m.UTF8ToString(m._edgerun_version()),
    maxThreads,
  });
  if (!env.quiet) console.info(runtimeLine(env.runtime));
  return m;
}

function runtimeLine(rt) {
  return `edgerun ${rt.version}: ${rt.variant} WebAssembly variant (SIMD128` +
    (rt.variant === 'threaded' ? ` + pthreads, up to ${rt.maxThreads} threads` : '') + `): ${rt.reason}`;
}

// Up-to-date views of the wasm memory. In the threaded build another thread may grow the memory,
// which leaves this thread's Emscripten views (m.HEAPU8...) on the old, shorter buffer; the
// single-threaded build updates its views itself when it grows.
function heapU8(m) {
  const mem = m.wasmMemory;
  if (!mem) return m.HEAPU8;
  if (!m.edgerunViews || m.edgerunViews.u8.buffer !== mem.buffer) {
    m.edgerunViews = { u8: new Uint8Array(mem.buffer), u32: new Uint32Array(mem.buffer) };
  }
  return m.edgerunViews.u8;
}
function heapU32(m) {
  if (!m.wasmMemory) return m.HEAPU32;
  heapU8(m);
  return m.edgerunViews.u32;
}

// The intra-op thread count for a new in-thread session: what was asked (default: the build's
// maximum), capped by the pthread workers free now (each session's pool holds threads - 1 of them
// until it is released). Workers of released sessions go back to the pool once this thread has
// handled their exit messages (an event-loop turn): while some are on their way back, wait for
// them briefly rather than give a session fewer threads. Resolves to { threads, note }; the caller
// must create the session without awaiting anything in between (another create() could take the
// workers counted here).
async function sessionThreads(m, asked) {
  for (let i = 0; ; ++i) {
    const t = threadsNow(m, asked);
    const returning = m.edgerunMaxThreads > 1 && m.PThread.runningWorkers.length > m.edgerunThreadsInUse;
    if (!t.note || !returning || i >= 100) return t;
    await new Promise((r) => setTimeout(r, 2));
  }
}

// Synchronous: { threads, note } (note: why fewer than asked, or '').
function threadsNow(m, asked) {
  if (m.edgerunMaxThreads <= 1) {
    return { threads: 1, note: asked > 1 ? `${asked} threads asked, the single-threaded variant runs on the calling thread` : '' };
  }
  const want = Math.min(asked || m.edgerunMaxThreads, THREAD_LIMIT);
  const threads = Math.min(want, m.PThread.unusedWorkers.length + 1);
  let note = '';
  if (threads < want) {
    note = want > m.edgerunMaxThreads
      ? `${want} threads asked, the module was loaded with at most ${m.edgerunMaxThreads} (env.threads)`
      : `${want} threads asked, ${threads - 1} pthread workers are free (other sessions hold the rest)`;
  }
  return { threads, note };
}

function getModule(options) {
  if (!modulePromise) {
    modulePromise = loadModule(options);
    modulePromise.catch(() => { modulePromise = undefined; });  // a later call may retry
  }
  return modulePromise;
}

// ---------------------------------------------------------------------------------------------
// Heap helpers. Views are taken afresh after every call into wasm: memory growth replaces the buffer.

function takeStatus(m, st) {
  if (!st) return;
  const message = m.UTF8ToString(m._edgerun_status_message(st));
  const code = CODE_NAMES[m._edgerun_status_code(st)] ?? 'INTERNAL';
  m._edgerun_status_release(st);
  throw new EdgerunError(message, code);
}

function mallocOrThrow(m, n) {
  const p = m._malloc(Math.max(n, 1));
  if (!p) throw new EdgerunError(`out of wasm memory allocating ${n} bytes`, 'RESOURCE_EXHAUSTED');
  return p;
}

function cString(m, s, owned) {
  const n = m.lengthBytesUTF8(s) + 1;
  const p = mallocOrThrow(m, n);
  owned.push(p);
  m.stringToUTF8(s, p, n);
  return p;
}

function readShape(m, ptr, rank) {
  const dims = new Array(rank);
  const view = new DataView(heapU8(m).buffer);
  for (let i = 0; i < rank; ++i) dims[i] = Number(view.getBigInt64(ptr + 8 * i, true));
  return dims;
}

function tensorInfo(m, s, i, isInput) {
  const name = m.UTF8ToString(isInput ? m._edgerun_session_input_name(s, i) : m._edgerun_session_output_name(s, i));
  const code = isInput ? m._edgerun_session_input_dtype(s, i) : m._edgerun_session_output_dtype(s, i);
  const shapeFn = isInput ? m._edgerun_session_input_shape : m._edgerun_session_output_shape;
  const cap = 16;
  const buf = mallocOrThrow(m, 8 * cap);
  try {
    let rank = shapeFn(s, i, buf, cap) | 0;  // int64 result: the low 32 bits carry it
    let dims = null;
    if (rank > cap) {
      const big = mallocOrThrow(m, 8 * rank);
      try { shapeFn(s, i, big, rank); dims = readShape(m, big, rank); } finally { m._free(big); }
    } else if (rank >= 0) {
      dims = readShape(m, buf, rank);
    }
    return Object.freeze({ name, isTensor: true, type: DTYPE_BY_CODE.get(code) ?? `dtype${code}`,
      shape: dims && Object.freeze(dims) });
  } finally {
    m._free(buf);
  }
}

// Node placement after optimisation: [{ name, op, domain, backend, reason }].
function placementOf(m, s) {
  const n = m._edgerun_session_node_count(s);
  const slots = mallocOrThrow(m, 4 * 5);
  try {
    const list = new Array(n);
    for (let i = 0; i < n; ++i) {
      takeStatus(m, m._edgerun_session_node_info(s, i, slots, slots + 4, slots + 8, slots + 12, slots + 16));
      const u32 = heapU32(m);
      const str = (k) => m.UTF8ToString(u32[(slots >> 2) + k]);
      list[i] = Object.freeze({ name: str(0), op: str(1), domain: str(2), backend: str(3), reason: str(4) });
    }
    return Object.freeze(list);
  } finally {
    m._free(slots);
  }
}

function toBytes(x) {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  return null;
}

async function fetchModel(src) {
  const s = src instanceof URL ? src.href : String(src);
  if (IS_NODE && !/^(https?|data|blob):/i.test(s)) return readFileUrl(src instanceof URL ? src : s);
  const response = await fetch(s);
  if (!response.ok) throw new EdgerunError(`cannot fetch model '${s}': HTTP ${response.status}`, 'IO');
  return new Uint8Array(await response.arrayBuffer());
}

// ---------------------------------------------------------------------------------------------

/** A loaded model. Create with `await InferenceSession.create(...)`. */
export class InferenceSession {
  #m;
  #s;

  #remote;   // worker mode: the RemoteSession that owns the worker

  constructor(m, s, remote, threads = 1, threadsNote = '') {
    if (remote) {
      this.#remote = remote;
      const meta = (list) => Object.freeze(list.map((t) => Object.freeze({ ...t, shape: t.shape && Object.freeze(t.shape) })));
      this.inputMetadata = meta(remote.info.inputMetadata);
      this.outputMetadata = meta(remote.info.outputMetadata);
      this.placement = Object.freeze(remote.info.placement.map((p) => Object.freeze(p)));
      this.variant = remote.info.variant;
      this.threads = remote.info.threads;
      this.threadsNote = remote.info.threadsNote;
    } else {
      this.#m = m;
      this.#s = s;
      const nIn = m._edgerun_session_input_count(s);
      const nOut = m._edgerun_session_output_count(s);
      this.inputMetadata = Object.freeze(Array.from({ length: nIn }, (_, i) => tensorInfo(m, s, i, true)));
      this.outputMetadata = Object.freeze(Array.from({ length: nOut }, (_, i) => tensorInfo(m, s, i, false)));
      this.placement = placementOf(m, s);
      this.variant = env.runtime.variant;
      this.threads = threads;
      this.threadsNote = threadsNote;
    }
    this.inputNames = Object.freeze(this.inputMetadata.map((t) => t.name));
    this.outputNames = Object.freeze(this.outputMetadata.map((t) => t.name));
  }

  /**
   * Loads a model from a URL / path (node: a file path or file: URL) or from its bytes.
   * options: { sha256: 64 hex digits (checked before parsing), backend: 'auto'|'cpu'|'reference',
   *            threads: intra-op threads (default: the threaded build's maximum, env.runtime.maxThreads;
   *            the single-threaded build runs on the calling thread), worker: boolean }.
   */
  static async create(urlOrBytes, options = {}) {
    options = options ?? {};
    checkThreads(options.threads, 'threads');
    if (options.worker) {
      return new InferenceSession(0, 0, await RemoteSession.start(urlOrBytes, options));
    }
    const m = await getModule(options);
    let bytes = toBytes(urlOrBytes);
    if (!bytes) {
      if (typeof urlOrBytes !== 'string' && !(urlOrBytes instanceof URL)) {
        throw new TypeError('InferenceSession.create: expected a URL, a path or the model bytes');
      }
      bytes = await fetchModel(urlOrBytes);
    }
    // From here to the session's creation nothing awaits: the free pool workers counted are
    // still free when the session's threads take them.
    const { threads, note } = await sessionThreads(m, options.threads || 0);
    const owned = [];
    try {
      const data = mallocOrThrow(m, bytes.length);
      owned.push(data);
      heapU8(m).set(bytes, data);
      const sha = options.sha256 ? cString(m, String(options.sha256), owned) : 0;
      const backend = options.backend ? cString(m, String(options.backend), owned) : 0;
      const out = mallocOrThrow(m, 4);
      owned.push(out);
      heapU32(m)[out >> 2] = 0;
      takeStatus(m, m._edgerun_web_session_create(data, bytes.length, sha, backend, threads, out));
      const s = heapU32(m)[out >> 2];
      if (!s) throw new EdgerunError('out of wasm memory creating the session', 'RESOURCE_EXHAUSTED');
      m.edgerunThreadsInUse += threads - 1;
      try {
        const session = new InferenceSession(m, s, undefined, threads, note);
        if (note && !env.quiet) console.info(`edgerun: session runs with ${threads} thread${threads > 1 ? 's' : ''}: ${note}`);
        return session;
      } catch (e) {
        m._edgerun_session_release(s);
        m.edgerunThreadsInUse -= threads - 1;
        throw e;
      }
    } finally {
      for (const p of owned) m._free(p);
    }
  }

  /**
   * Runs the model. `feeds`: { inputName: Tensor }. `fetches` (optional): output names to return.
   * Resolves to { outputName: Tensor } (all outputs, or those fetched).
   */
  async run(feeds, fetches) {
    if (this.#remote) return this.#remote.run(feeds, fetches);
    const m = this.#m;
    const s = this.#s;
    if (!s) throw new EdgerunError('the session has been released', 'INVALID_ARGUMENT');
    if (typeof feeds !== 'object' || feeds === null) throw new TypeError('run: feeds must be an object { name: Tensor }');
    if (fetches !== undefined) {
      if (!Array.isArray(fetches)) throw new TypeError('run: fetches must be an array of output names');
      for (const f of fetches) {
        if (!this.outputNames.includes(f)) {
          throw new EdgerunError(`unknown output '${f}' (outputs: ${this.outputNames.join(', ')})`, 'NOT_FOUND');
        }
      }
    }
    const names = Object.keys(feeds);
    const nOut = this.outputNames.length;
    const owned = [];      // malloc'd buffers
    const tensors = [];    // edgerun_tensor* inputs
    let outArray = 0;
    try {
      const nameArray = mallocOrThrow(m, 4 * names.length);
      owned.push(nameArray);
      const inArray = mallocOrThrow(m, 4 * names.length);
      owned.push(inArray);
      for (let i = 0; i < names.length; ++i) {
        const t = feeds[names[i]];
        if (!(t instanceof Tensor)) throw new TypeError(`run: input '${names[i]}' is not a Tensor`);
        const d = DTYPES[t.type];
        const src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
        const data = mallocOrThrow(m, src.length);
        const shape = mallocOrThrow(m, 8 * t.dims.length);
        try {
          heapU8(m).set(src, data);
          const view = new DataView(heapU8(m).buffer);
          t.dims.forEach((n, k) => view.setBigInt64(shape + 8 * k, BigInt(n), true));
          const slot = mallocOrThrow(m, 4);
          owned.push(slot);
          heapU32(m)[slot >> 2] = 0;
          takeStatus(m, m._edgerun_tensor_create(d.code, shape, t.dims.length, data, src.length, slot));
          tensors.push(heapU32(m)[slot >> 2]);
        } finally {
          m._free(data);
          m._free(shape);
        }
        const nm = cString(m, names[i], owned);
        heapU32(m)[(nameArray >> 2) + i] = nm;
        heapU32(m)[(inArray >> 2) + i] = tensors[i];
      }
      outArray = mallocOrThrow(m, 4 * nOut);
      heapU32(m).fill(0, outArray >> 2, (outArray >> 2) + nOut);
      takeStatus(m, m._edgerun_session_run(s, nameArray, inArray, names.length, outArray, nOut));
      const result = {};
      for (let i = 0; i < nOut; ++i) {
        const y = heapU32(m)[(outArray >> 2) + i];
        const name = this.outputNames[i];
        if (fetches && !fetches.includes(name)) continue;
        const code = m._edgerun_tensor_dtype(y);
        const type = DTYPE_BY_CODE.get(code);
        if (!type) throw new EdgerunError(`output '${name}' has element type ${code}, which JS cannot hold`, 'UNSUPPORTED');
        const dims = readShape(m, m._edgerun_tensor_shape(y), m._edgerun_tensor_rank(y));
        const nbytes = m._edgerun_tensor_nbytes(y);
        const ptr = m._edgerun_tensor_data(y);
        const copy = nbytes ? heapU8(m).slice(ptr, ptr + nbytes) : new Uint8Array(0);  // aligned, owned by JS
        result[name] = new Tensor(type, new DTYPES[type].array(copy.buffer), dims);
      }
      return result;
    } finally {
      if (outArray) {
        for (let i = 0; i < nOut; ++i) {
          const y = heapU32(m)[(outArray >> 2) + i];
          if (y) m._edgerun_tensor_release(y);
        }
        m._free(outArray);
      }
      for (const t of tensors) m._edgerun_tensor_release(t);
      for (const p of owned) m._free(p);
    }
  }

  /** Frees the session's wasm memory. Later run() calls fail; releasing twice is harmless. */
  async release() {
    if (this.#remote) return this.#remote.release();
    if (this.#s) {
      this.#m._edgerun_session_release(this.#s);   // joins the session's pool threads
      this.#m.edgerunThreadsInUse -= this.threads - 1;
      this.#s = 0;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Worker mode (options.worker): the session lives in a module Web Worker (web/js/worker.mjs; under
// node a worker_threads Worker), one worker per session. Messages: { id, op, ... } to the worker,
// { id, ok, result | error } back. Model bytes and output tensors are transferred, inputs copied.

function errorFromWorker(e) {
  if (e && e.name === 'EdgerunError') return new EdgerunError(e.message, e.code);
  const Ctor = { TypeError, RangeError }[e && e.name] ?? Error;
  return new Ctor(e ? e.message : 'edgerun worker failed');
}

/** The env settings a session worker gets from its creator. */
const WORKER_ENV_KEYS = ['moduleUrl', 'wasmUrl', 'threadedModuleUrl', 'threadedWasmUrl', 'variant', 'threads', 'quiet'];

class RemoteSession {
  #worker;      // { post(msg, transfer), terminate(), ref(), unref() }
  #pending = new Map();
  #nextId = 1;
  #dead = null;  // the error that ended the worker, or a released marker

  static async start(urlOrBytes, options) {
    let bytes = toBytes(urlOrBytes);
    if (!bytes) {
      if (typeof urlOrBytes !== 'string' && !(urlOrBytes instanceof URL)) {
        throw new TypeError('InferenceSession.create: expected a URL, a path or the model bytes');
      }
      bytes = await fetchModel(urlOrBytes);   // ours: transferred below
    } else {
      bytes = new Uint8Array(bytes);          // a copy (Buffer.slice would not be): the caller keeps theirs
    }
    const r = new RemoteSession();
    await r.#spawn();
    const { worker, ...sessionOptions } = options;
    try {
      r.info = await r.#call({
        op: 'create', bytes, options: sessionOptions,
        env: Object.fromEntries(WORKER_ENV_KEYS.map((k) => [k, env[k]])),
      }, [bytes.buffer]);
    } catch (e) {
      r.#terminate(e);
      throw e;
    }
    if (!env.runtime) env.runtime = r.info.runtime;
    return r;
  }

  async #spawn() {
    const url = new URL('./worker.mjs', import.meta.url);
    const onMessage = (msg) => {
      const p = this.#pending.get(msg && msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (msg.ok) p.resolve(msg.result); else p.reject(errorFromWorker(msg.error));
    };
    const onFailure = (message) => this.#terminate(new EdgerunError(`edgerun worker failed: ${message}`, 'UNAVAILABLE'));
    if (IS_NODE) {
      const { Worker: NodeWorker } = await import('node:worker_threads');
      const w = new NodeWorker(url);
      w.on('message', onMessage);
      w.on('error', (e) => onFailure(e && e.message));
      w.on('exit', (code) => onFailure(`exited with code ${code}`));
      w.unref();
      this.#worker = { post: (m, t) => w.postMessage(m, t), terminate: () => w.terminate(), ref: () => w.ref(), unref: () => w.unref() };
    } else {
      if (typeof Worker !== 'function') throw new EdgerunError('worker: true needs Web Workers', 'UNAVAILABLE');
      const w = new Worker(url, { type: 'module', name: 'edgerun' });
      w.addEventListener('message', (e) => onMessage(e.data));
      w.addEventListener('error', (e) => { e.preventDefault(); onFailure(e.message || 'could not start worker.mjs'); });
      w.addEventListener('messageerror', () => onFailure('a message could not be deserialised'));
      this.#worker = { post: (m, t) => w.postMessage(m, t), terminate: () => w.terminate(), ref() {}, unref() {} };
    }
  }

  #call(msg, transfer = []) {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.ref();
      this.#worker.post({ ...msg, id }, transfer);
    });
  }

  #terminate(error) {
    if (this.#dead) return;
    this.#dead = error;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
    this.#worker.terminate();
  }

  async run(feeds, fetches) {
    if (this.#dead) throw this.#dead;
    if (typeof feeds !== 'object' || feeds === null) throw new TypeError('run: feeds must be an object { name: Tensor }');
    if (fetches !== undefined && !Array.isArray(fetches)) throw new TypeError('run: fetches must be an array of output names');
    const plain = {};
    for (const [name, t] of Object.entries(feeds)) {
      if (!(t instanceof Tensor)) throw new TypeError(`run: input '${name}' is not a Tensor`);
      plain[name] = { type: t.type, data: t.data, dims: [...t.dims] };   // copied (structured clone)
    }
    const out = await this.#call({ op: 'run', feeds: plain, fetches });
    const result = {};
    for (const [name, t] of Object.entries(out)) result[name] = new Tensor(t.type, t.data, t.dims);
    return result;
  }

  async release() {
    if (this.#dead) return;
    try {
      await this.#call({ op: 'release' });
    } finally {
      this.#terminate(new EdgerunError('the session has been released', 'INVALID_ARGUMENT'));
    }
  }
}

/**
 * Diagnostics: { inUse: bytes allocated on the wasm heap now, heapSize: the wasm memory's size }.
 * Loads the module if needed.
 */
export async function wasmMemoryStats() {
  const m = await getModule();
  return { inUse: m._edgerun_web_heap_in_use(), heapSize: heapU8(m).length };
}
