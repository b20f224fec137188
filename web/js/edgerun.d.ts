// Types for edgerun's JavaScript API (web/js/edgerun.mjs).

/** Element type names (ONNX Runtime Web's names, plus 'bfloat16'). */
export type TensorType =
  | 'float32' | 'float64' | 'float16' | 'bfloat16'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool';

/** The typed array each element type is held in (float16/bfloat16: raw bits; bool: 0/1 bytes). */
export interface TensorDataTypeMap {
  float32: Float32Array;
  float64: Float64Array;
  float16: Uint16Array;
  bfloat16: Uint16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
}

export type TensorData = TensorDataTypeMap[TensorType];

/** A dense, row-major tensor. The data array is kept as given (not copied). */
export class Tensor<T extends TensorType = TensorType> {
  constructor(type: T, data: TensorDataTypeMap[T] | readonly (number | bigint | boolean)[], dims?: readonly number[]);
  constructor(data: TensorData, dims?: readonly number[]);
  readonly type: T;
  readonly data: TensorDataTypeMap[T];
  readonly dims: readonly number[];
  /** Number of elements. */
  readonly size: number;
}

/** An error from the runtime: `message` is the C++ message, `code` its status code. */
export class EdgerunError extends Error {
  readonly name: 'EdgerunError';
  readonly code:
    | 'INVALID_ARGUMENT' | 'INVALID_MODEL' | 'UNSUPPORTED' | 'NOT_FOUND' | 'OUT_OF_RANGE'
    | 'RESOURCE_EXHAUSTED' | 'INTEGRITY' | 'INTERNAL' | 'IO' | 'UNAVAILABLE';
}

/** A model input or output as declared by the model. */
export interface ValueMetadata {
  readonly name: string;
  readonly isTensor: true;
  readonly type: TensorType | string;
  /** Dimensions, -1 where unknown (symbolic); null when even the rank is unknown. */
  readonly shape: readonly number[] | null;
}

export interface SessionOptions {
  /** 64 hex digits: the model bytes must hash to this (SHA-256) before anything is parsed. */
  sha256?: string;
  /** Which backend runs the nodes (default 'auto'). */
  backend?: 'auto' | 'cpu' | 'reference';
  /**
   * Intra-op threads, the calling thread included (0 or absent: the threaded build's maximum,
   * `env.runtime.maxThreads`). Capped by the pthread workers free when the session is created
   * (`session.threads` and `session.threadsNote` say what it got); the single-threaded build
   * always runs on the calling thread (threads = 1).
   */
  threads?: number;
  /**
   * Run the session in its own module Web Worker (web/js/worker.mjs; a worker_threads Worker under
   * node), behind the same API: the calling thread never blocks on inference. The model bytes are
   * copied and transferred to the worker, inputs copied, outputs transferred back. The worker
   * loads its own copy of the wasm module and picks its variant by the same rule.
   */
  worker?: boolean;
}

export type Feeds = Record<string, Tensor>;
export type Results = Record<string, Tensor>;

/** The two builds of the library module. */
export type Variant = 'threaded' | 'single-threaded';

/** Where one node of the optimised graph runs (in execution order). */
export interface NodePlacement {
  readonly name: string;
  readonly op: string;
  /** '' for the default ONNX domain. */
  readonly domain: string;
  /** 'cpu' or 'reference'. */
  readonly backend: string;
  /** Why the node is on that backend (e.g. why the cpu backend refused it); '' when there is nothing to say. */
  readonly reason: string;
}

export class InferenceSession {
  /**
   * Loads a model from its bytes, a URL (fetched) or, under node, a file path or file: URL.
   * Rejects with an EdgerunError carrying the runtime's message (invalid model, SHA-256 mismatch...).
   */
  static create(urlOrBytes: string | URL | ArrayBuffer | ArrayBufferView, options?: SessionOptions): Promise<InferenceSession>;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ValueMetadata[];
  readonly outputMetadata: readonly ValueMetadata[];
  /** Which backend runs each node of the optimised graph, and why. */
  readonly placement: readonly NodePlacement[];
  /** Which wasm build runs this session (the worker's, with `worker: true`). */
  readonly variant: Variant;
  /** Intra-op threads this session runs with (1 in the single-threaded build). */
  readonly threads: number;
  /** Why `threads` is less than asked ('' when it is not). */
  readonly threadsNote: string;
  /**
   * Runs the model on `feeds` ({ inputName: Tensor }); resolves to all outputs, or to those named
   * in `fetches`. Inputs are copied into the wasm heap and outputs out of it.
   */
  run(feeds: Feeds, fetches?: readonly string[]): Promise<Results>;
  /** Frees the session's wasm memory (and its threads); later run() calls reject. Releasing twice is harmless. */
  release(): Promise<void>;
}

export interface RuntimeInfo {
  readonly variant: Variant;
  /** Why this variant was loaded (e.g. 'crossOriginIsolated is true'). */
  readonly reason: string;
  readonly version: string;
  /** The most threads a session can use (pthread pool + the calling thread); 1 when single-threaded. */
  readonly maxThreads: number;
}

/** Loader settings, read when the wasm module is first loaded (by the first create()). */
export const env: {
  /** URL of the single-threaded module (default: ../dist/edgerun_web.mjs next to edgerun.mjs). */
  moduleUrl: string;
  /** URL of its .wasm (default: edgerun_web.wasm next to moduleUrl). */
  wasmUrl: string | undefined;
  /** URL of the threaded module (default: ../dist/edgerun_web_threads.mjs; its .worker.js next to it). */
  threadedModuleUrl: string;
  /** URL of its .wasm (default: edgerun_web_threads.wasm next to threadedModuleUrl). */
  threadedWasmUrl: string | undefined;
  /**
   * 'auto' (default): threaded when `crossOriginIsolated`, else single-threaded. A forced variant
   * that cannot run makes create() reject (no silent fallback).
   */
  variant: 'auto' | Variant;
  /**
   * Threaded build: the most threads any session may use; the module starts threads - 1 pthread
   * workers. Default: the larger of the first create()'s `threads` and min(hardwareConcurrency, 4),
   * at least 2.
   */
  threads: number | undefined;
  /** No console line saying which variant was loaded. */
  quiet: boolean;
  /** Set once the module is loaded. */
  readonly runtime: RuntimeInfo | undefined;
};

/** Diagnostics: bytes allocated on the wasm heap now and the wasm memory's size. */
export function wasmMemoryStats(): Promise<{ inUse: number; heapSize: number }>;
