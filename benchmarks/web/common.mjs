// Helpers shared by the node side (ort_web_node.mjs, bench.mjs) and the browser page
// (page/bench_page.mjs): seeded random inputs, percentiles, medians.

// mulberry32: small seeded PRNG, so both runtimes get the same input values.
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Concrete shape of an input: symbolic or unknown dims are taken as 1.
export function concreteShape(shape) {
  return (shape ?? []).map((d) => (typeof d === 'number' && d > 0 ? d : 1));
}

// Float32 values uniform in [-1, 1) (the distribution benchmarks/ort_bench.mjs uses).
export function randomFloats(n, seed) {
  const next = rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = next() * 2 - 1;
  return a;
}

// Percentile p (0..100) with linear interpolation between ranks (as `edgerun bench` computes it).
export function percentile(values, p) {
  const s = [...values].sort((x, y) => x - y);
  if (s.length === 0) return NaN;
  const r = (p / 100) * (s.length - 1);
  const lo = Math.floor(r), hi = Math.ceil(r);
  return s[lo] + (s[hi] - s[lo]) * (r - lo);
}

export function median(values) {
  return percentile(values, 50);
}

// Summary of timed latencies (ms).
export function summarize(lat) {
  return {
    mean_ms: lat.reduce((x, y) => x + y, 0) / lat.length,
    min_ms: Math.min(...lat),
    p50_ms: percentile(lat, 50),
    p95_ms: percentile(lat, 95),
  };
}
