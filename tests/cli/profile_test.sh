#!/usr/bin/env bash
# `edgerun run/bench --profile FILE` writes a Chrome trace: the file is valid JSON, each run has one
# node event per node of the optimised graph (`edgerun info` says how many) laid inside its
# "run #k" event with durations >= 0; on a GPU backend, node events on the "gpu queue" track carry
# gpu_ms and the "host<->gpu" track has upload/download events with their bytes; on cpu/reference
# there is no GPU track. Node names with quotes, backslashes, control characters and bytes that
# are not UTF-8 come out escaped. `bench` on a GPU prints pipeline creation cold vs warm and GPU
# memory. An unwritable profile path is an error (non-zero exit).
#
#   tests/cli/profile_test.sh EDGERUN BACKEND      (BACKEND: cpu, reference or vulkan)
set -u
[ $# -ge 2 ] || { echo "usage: $0 EDGERUN BACKEND" >&2; exit 2; }
EDGERUN=$(realpath "$1")
BACKEND=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
GPU=0
[ "$BACKEND" = vulkan ] && GPU=1
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }
check() {  # check LABEL WANT_RC WANT_TEXT RC OUTPUT
  if [ "$4" -eq "$2" ] && grep -qF -- "$3" <<<"$5"; then ok "$1"
  else bad "$1" "want exit $2 and '$3', got exit $4: $(head -c 800 <<<"$5" | tr '\n' ' ')"; fi
}

# The trace checker: check.py FILE RUNS NODES GPU NAME (see verify_trace).
cat >"$TMP/check.py" <<'EOF'
import json, sys
path, runs, nodes, gpu, want_name = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
errors = []
with open(path, encoding="utf-8") as f:          # strict UTF-8
    doc = json.load(f)                           # raises on invalid JSON
events = doc["traceEvents"]
assert doc["displayTimeUnit"] == "ms", doc.get("displayTimeUnit")
for k in ("model", "backend", "device"):
    assert k in doc["otherData"], "otherData lacks " + k
threads = {e["tid"]: e["args"]["name"] for e in events if e.get("ph") == "M" and e["name"] == "thread_name"}
procs = [e["args"]["name"] for e in events if e.get("ph") == "M" and e["name"] == "process_name"]
if procs != ["edgerun"]: errors.append("process names %r" % procs)
tid_of = {v: k for k, v in threads.items()}
X = [e for e in events if e.get("ph") == "X"]
for e in X:
    if e["dur"] < 0 or e["ts"] < 0: errors.append("negative time: %r" % e)
    if e["tid"] not in threads: errors.append("event on an unnamed track: %r" % e)
run_ev = sorted([e for e in X if e["cat"] == "run"], key=lambda e: e["ts"])
if len(run_ev) != runs: errors.append("%d run events, want %d" % (len(run_ev), runs))
for a, b in zip(run_ev, run_ev[1:]):
    if a["ts"] + a["dur"] > b["ts"] + 0.002: errors.append("runs overlap: %s / %s" % (a["name"], b["name"]))
span = {e["args"]["run"]: (e["ts"], e["ts"] + e["dur"]) for e in run_ev}
if sorted(span) != list(range(1, runs + 1)): errors.append("run numbers %r" % sorted(span))
for e in X:
    if e["cat"] == "run": continue
    r = e["args"].get("run")
    if r not in span: errors.append("event without its run: %r" % e); continue
    lo, hi = span[r]
    if e["ts"] < lo - 0.002 or e["ts"] + e["dur"] > hi + 0.002:
        errors.append("%s [%.3f, %.3f] outside run #%d [%.3f, %.3f]" % (e["name"], e["ts"], e["ts"] + e["dur"], r, lo, hi))
node_ev = [e for e in X if e["cat"] == "node"]
for r in range(1, runs + 1):
    idx = sorted(e["args"]["node"] for e in node_ev if e["args"]["run"] == r)
    if idx != list(range(nodes)): errors.append("run #%d: node events %r, want one for each of %d nodes" % (r, idx, nodes))
for e in node_ev:
    a = e["args"]
    for k in ("op_type", "name", "backend", "cpu_ms"):
        if k not in a: errors.append("node event without %s: %r" % (k, e))
    if a.get("cpu_ms", 0) < 0: errors.append("negative cpu_ms: %r" % e)
gpu_nodes = [e for e in node_ev if threads.get(e["tid"]) == "gpu queue"]
transfers = [e for e in X if e["cat"] == "transfer" and e["name"] in ("upload", "download")]
regions = [e for e in X if e["cat"] == "region"]
if gpu:
    if not gpu_nodes: errors.append("no node events on the gpu queue track")
    if any("gpu_ms" not in e["args"] or e["args"]["gpu_ms"] < 0 for e in gpu_nodes):
        errors.append("gpu queue node events without gpu_ms")
    if any((threads[e["tid"]] == "gpu queue") != (e["args"]["backend"] == "vulkan") for e in node_ev):
        errors.append("GPU nodes must be on the gpu queue track and host nodes on the host track")
    if not regions or any(threads[e["tid"]] != "host<->gpu" for e in regions + transfers): errors.append("regions/transfers not on host<->gpu")
    for name in ("upload", "download"):
        ev = [e for e in transfers if e["name"] == name]
        if len(ev) < runs: errors.append("%d %s events for %d runs" % (len(ev), name, runs))
        if any(not isinstance(e["args"].get("bytes"), int) or e["args"]["bytes"] <= 0 for e in ev):
            errors.append("%s events without bytes" % name)
    if any(e["args"].get("commands") not in ("recorded", "replayed") or e["args"]["commands"] not in e["name"] for e in regions):
        errors.append("region events without record/replay")
else:
    if "gpu queue" in tid_of or gpu_nodes or regions or transfers: errors.append("GPU tracks on a host backend")
    if any(threads[e["tid"]] != "host (cpu backend)" for e in node_ev): errors.append("host node off the host track")
if want_name and not any(e["args"].get("name") == want_name for e in node_ev):
    errors.append("no node named %r; names: %r" % (want_name, sorted({e["args"].get("name") for e in node_ev})))
print("\n".join(errors) if errors else "trace ok: %d events, %d runs, %d nodes, %d on the gpu queue" % (len(X), runs, nodes, len(gpu_nodes)))
sys.exit(1 if errors else 0)
EOF

# verify_trace LABEL FILE RUNS NODES GPU [NAME]: the trace's structure (see the header); NAME, if
# given, must be the `name` of some node event exactly (after JSON decoding).
verify_trace() {
  local out rc
  out=$("$PY" "$TMP/check.py" "$2" "$3" "$4" "$5" "${6-}" 2>&1)
  rc=$?
  if [ $rc -eq 0 ]; then ok "$1: $out"; else bad "$1" "$(head -c 2000 <<<"$out")"; fi
}

nodes_of() {  # nodes after optimisation, as `edgerun info` reports them
  timeout 120 "$EDGERUN" info "$1" --backend "$BACKEND" --no-pipeline-cache 2>/dev/null | sed -n 's/^after optimisation: \([0-9]*\) nodes$/\1/p'
}

profile_model() {  # profile_model LABEL MODEL [NAME]
  local label=$1 model=$2 n out rc
  n=$(nodes_of "$model")
  [ -n "$n" ] || { bad "$label: info" "no node count from 'edgerun info'"; return; }
  out=$(timeout 300 "$EDGERUN" run "$model" --backend "$BACKEND" --cache-dir "$TMP/cache" --profile "$TMP/run.json" 2>&1); rc=$?
  check "$label: run --profile" 0 "profile: $TMP/run.json (" $rc "$out"
  [ $rc -eq 0 ] && verify_trace "$label: run trace" "$TMP/run.json" 1 "$n" $GPU "${3-}"
  out=$(timeout 600 "$EDGERUN" bench "$model" --backend "$BACKEND" --cache-dir "$TMP/cache" --iters 2 --warmup 1 --profile "$TMP/bench.json" 2>&1); rc=$?
  check "$label: bench --profile" 0 "profile: $TMP/bench.json (" $rc "$out"
  [ $rc -eq 0 ] && verify_trace "$label: bench trace (5 runs)" "$TMP/bench.json" 5 "$n" $GPU "${3-}"
}

# 1. The bundled digits model.
profile_model digits "$ROOT/models/digits/digits.onnx"

# 2. Models from ../shared when present: mnist-8 (all on the GPU with vulkan) and byte-sb-bidi-lstm
#    (with vulkan: 3 GPU regions with host nodes between them).
for m in mnist-8 byte-sb-bidi-lstm; do
  SHARED="$ROOT/../shared/models/$m/model.onnx"
  if [ -f "$SHARED" ]; then profile_model "$m" "$SHARED"
  else echo "NOTE: $SHARED not present: profiling of $m not checked"; fi
done

# 3. Node names that need escaping (quote, backslash, newline, tab, control char, non-ASCII, bytes
#    that are not UTF-8, which must come out as U+FFFD).
if "$PY" - "$TMP/names.onnx" <<'EOF'
import sys
from onnx import TensorProto, helper
name = 'odd "name" \\ back\nslash\t\x01 é @@'
node = helper.make_node("Relu", ["x"], ["y"], name=name)
node2 = helper.make_node("Neg", ["y"], ["z"], name="plain")
g = helper.make_graph([node, node2], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
                      [helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 3])])
data = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString()
assert data.count(b"@@") == 1
open(sys.argv[1], "wb").write(data.replace(b"@@", b"\xff\xfe"))  # same length: not UTF-8
EOF
then
  profile_model "escaped names" "$TMP/names.onnx" $'odd "name" \\ back\nslash\t\x01 é \ufffd\ufffd'
else
  echo "NOTE: $PY cannot build the escaping model (python3-onnx missing?): escaping not checked"
fi

# 4. bench on a GPU: pipeline creation cold vs warm, GPU memory, both in --json.
if [ $GPU -eq 1 ]; then
  MODEL="$ROOT/models/digits/digits.onnx"
  out=$(timeout 300 "$EDGERUN" bench "$MODEL" --backend vulkan --cache-dir "$TMP/cache2" --iters 2 --warmup 0 2>&1); rc=$?
  check "bench: cold pipelines" 0 "ms (no cache), warm " $rc "$out"
  check "bench: warm pipelines load the saved cache" 0 "(cache $TMP/cache2/" $rc "$out"
  check "bench: GPU memory" 0 "gpu memory: weights " $rc "$out"
  out=$(timeout 300 "$EDGERUN" bench "$MODEL" --backend vulkan --no-pipeline-cache --iters 2 --warmup 0 2>&1); rc=$?
  check "bench --no-pipeline-cache: warm not measured" 0 "warm not measured: --no-pipeline-cache" $rc "$out"
  out=$(timeout 300 "$EDGERUN" bench "$MODEL" --backend vulkan --cache-dir "$TMP/cache3" --iters 2 --warmup 0 --json 2>/dev/null); rc=$?
  if [ $rc -eq 0 ] && "$PY" -c '
import json, sys
d = json.loads(sys.stdin.read())
assert d["pipelines_cold_ms"] > 0 and d["pipelines_warm_ms"] > 0, d
assert d["pipeline_cache_bytes_loaded"] > 0 and d["gpu_weight_bytes"] > 0 and d["gpu_activation_bytes"] > 0, d
' <<<"$out"; then ok "bench --json: cold/warm pipelines, GPU memory"
  else bad "bench --json: cold/warm pipelines, GPU memory" "exit $rc: $(head -c 800 <<<"$out")"; fi
else
  echo "NOTE: backend $BACKEND has no GPU: pipeline cold/warm lines not checked"
fi

# 5. Unwritable profile paths fail, before and without running.
MODEL="$ROOT/models/digits/digits.onnx"
for cmd in run bench; do
  out=$(timeout 120 "$EDGERUN" $cmd "$MODEL" --backend "$BACKEND" --profile "$TMP/no/such/dir/p.json" 2>&1); rc=$?
  check "$cmd: unwritable --profile (missing folder)" 1 "cannot write the profile" $rc "$out"
  out=$(timeout 120 "$EDGERUN" $cmd "$MODEL" --backend "$BACKEND" --profile "$TMP" 2>&1); rc=$?
  check "$cmd: unwritable --profile (a folder)" 1 "cannot write the profile" $rc "$out"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
