#!/usr/bin/env bash
# Runs every test_data_set_* of every model under MODELS (default ../shared/models, next to the
# repository) through the native CLI and the WebAssembly CLI (`edgerun run ... --output-dir`) and
# compares the outputs, per output tensor:
#   rel  = max|native - wasm| / max(max|native|, max|wasm|)      (relative error in the max norm)
# plus, for information, the largest elementwise |a - b| / max(|a|, |b|, 1e-6) (large where an
# output is near zero, e.g. after cancellation) and the largest absolute difference. Integer and
# bool outputs must be equal (rel = 1 when they are not). Prints a Markdown table per model and the
# overall maximum; exits 1 when any rel exceeds the tolerance (default 1e-5), 2 on a run failure.
#
# Usage: scripts/compare_native_wasm.sh [--native BIN] [--wasm JS] [--models DIR] [--threads N]
#                                       [--tol T] [--backend B] [--keep DIR]
#   --native  native CLI      (default build/native/native/edgerun)
#   --wasm    wasm CLI (.js)  (default build/wasm/native/edgerun.js; run with node --no-experimental-fetch)
#   --threads threads for both (default 1; >1 needs the wasm-threads build)
#   --backend edgerun backend for both (default auto)
#   --keep    keep the outputs in DIR (default: a temporary folder, removed at exit)
# Needs /usr/bin/python3 with numpy and onnx (Debian python3-numpy, python3-onnx) for the comparison.
set -euo pipefail
cd "$(dirname "$0")/.."

NATIVE=build/native/native/edgerun
WASM=build/wasm/native/edgerun.js
MODELS=../shared/models
THREADS=1
TOL=1e-5
BACKEND=auto
KEEP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --native) NATIVE=$2; shift 2 ;;
    --wasm) WASM=$2; shift 2 ;;
    --models) MODELS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --tol) TOL=$2; shift 2 ;;
    --backend) BACKEND=$2; shift 2 ;;
    --keep) KEEP=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "compare_native_wasm: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$NATIVE" ] || { echo "compare_native_wasm: no native CLI at $NATIVE (cmake --build --preset native)" >&2; exit 2; }
[ -f "$WASM" ] || { echo "compare_native_wasm: no wasm CLI at $WASM (scripts/build_wasm.sh)" >&2; exit 2; }
[ -d "$MODELS" ] || { echo "compare_native_wasm: no models folder $MODELS" >&2; exit 2; }
PY=/usr/bin/python3
"$PY" -c 'import numpy, onnx' 2>/dev/null || { echo "compare_native_wasm: $PY needs numpy and onnx (apt-get install python3-numpy python3-onnx)" >&2; exit 2; }

if [ -n "$KEEP" ]; then OUT=$KEEP; mkdir -p "$OUT"; else OUT=$(mktemp -d); trap 'rm -rf "$OUT"' EXIT; fi

# Input names of a model, one per line, in graph order (from `edgerun info`).
input_names() {
  "$NATIVE" info "$1" | awk '/^inputs:/ {on = 1; next} /^[^ ]/ {on = 0} on { sub(/^  /, ""); sub(/: [a-z0-9]+\[[^]]*\]$/, ""); sub(/: [a-z0-9]+$/, ""); print }'
}

list="$OUT/runs.txt"
: > "$list"
status=0
for dir in "$MODELS"/*/; do
  model="$dir/model.onnx"
  [ -f "$model" ] || continue
  id=$(basename "$dir")
  mapfile -t names < <(input_names "$model")
  for set in "$dir"/test_data_set_*/; do
    [ -d "$set" ] || continue
    sname=$(basename "$set")
    args=()
    for i in "${!names[@]}"; do
      [ -f "$set/input_$i.pb" ] && args+=(--input "${names[$i]}=$set/input_$i.pb")
    done
    for side in native wasm; do
      od="$OUT/$side/$id/$sname"
      mkdir -p "$od"
      if [ $side = native ]; then
        cmd=(timeout 600 "$NATIVE")
      else
        cmd=(timeout 600 node --no-experimental-fetch "$WASM")
      fi
      if ! "${cmd[@]}" run "$model" "${args[@]}" --threads "$THREADS" --backend "$BACKEND" --output-dir "$od" > "$od.log" 2>&1; then
        echo "compare_native_wasm: $side run failed for $id/$sname (log: $od.log)" >&2
        tail -3 "$od.log" >&2
        status=2
        continue 2
      fi
    done
    echo "$id $sname" >> "$list"
  done
done

"$PY" - "$OUT" "$TOL" "$list" <<'EOF' || status=$(( status > $? ? status : $? ))
import glob, os, sys
import numpy as np
from onnx import TensorProto, numpy_helper

out, tol, runs = sys.argv[1], float(sys.argv[2]), [l.split() for l in open(sys.argv[3]) if l.strip()]

def load(base):
    if os.path.exists(base + '.npy'):
        return np.load(base + '.npy', allow_pickle=False)
    t = TensorProto()
    with open(base + '.pb', 'rb') as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)

rows, worst = {}, (0.0, '')
for mid, sname in runs:
    nd, wd = os.path.join(out, 'native', mid, sname), os.path.join(out, 'wasm', mid, sname)
    bases = sorted({os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(nd, '*.pb'))})
    r = rows.setdefault(mid, {'sets': 0, 'outputs': 0, 'rel': 0.0, 'elem': 0.0, 'abs': 0.0, 'scale': 0.0})
    r['sets'] += 1
    for b in bases:
        a, w = load(os.path.join(nd, b)), load(os.path.join(wd, b))
        r['outputs'] += 1
        if a.shape != w.shape or a.dtype != w.dtype:
            rel, elem, ad, scale = 1.0, 1.0, float('inf'), 0.0
        elif a.dtype.kind in 'fc':
            a64, w64 = a.astype(np.float64), w.astype(np.float64)
            if not (np.array_equal(np.isnan(a64), np.isnan(w64))):
                rel, elem, ad, scale = 1.0, 1.0, float('inf'), 0.0
            else:
                m = ~np.isnan(a64)
                a64, w64 = a64[m], w64[m]
                d = np.abs(a64 - w64)
                d[a64 == w64] = 0.0  # equal infinities
                scale = float(max(np.abs(a64[np.isfinite(a64)]).max(initial=0), np.abs(w64[np.isfinite(w64)]).max(initial=0)))
                ad = float(d.max(initial=0))
                rel = ad / scale if scale > 0 else (0.0 if ad == 0 else 1.0)
                elem = float((d / np.maximum(np.maximum(np.abs(a64), np.abs(w64)), 1e-6)).max(initial=0))
        else:
            eq = np.array_equal(a, w)
            rel, elem, ad, scale = (0.0 if eq else 1.0), (0.0 if eq else 1.0), (0.0 if eq else float('inf')), 0.0
        if rel > r['rel']:
            r['rel'] = rel
        r['elem'] = max(r['elem'], elem)
        r['abs'] = max(r['abs'], ad)
        r['scale'] = max(r['scale'], scale)
        if rel >= worst[0]:
            worst = (rel, f'{mid}/{sname}/{b}')

print('| model | test sets | outputs | max rel (max-norm) | max abs diff | largest output | max elementwise rel (1e-6 floor) | within ' + f'{tol:g}' + ' |')
print('|---|---:|---:|---:|---:|---:|---:|---|')
for mid, r in sorted(rows.items()):
    print(f"| {mid} | {r['sets']} | {r['outputs']} | {r['rel']:.2e} | {r['abs']:.2e} | {r['scale']:.3g} | {r['elem']:.2e} | {'yes' if r['rel'] <= tol else 'NO'} |")
print(f'\noverall max rel (max-norm): {worst[0]:.2e} ({worst[1]}); tolerance {tol:g}')
sys.exit(0 if worst[0] <= tol else 1)
EOF
exit $status
