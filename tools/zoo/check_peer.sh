#!/bin/sh
# Runs each zoo model through ONNX Runtime (bench/peers/ort_run.js) on its test_data_set_0 inputs
# and compares with the recorded PyTorch outputs: relative error (max |diff| / max |expected|)
# must be <= ZOO_RTOL (default 1e-4). Covers models/*/ and, when present, $ZOO_CACHE/*/.
# No Python needed. Exit 0 all pass, 1 a mismatch, 77 skipped (node or onnxruntime-node missing).
set -u

cd "$(dirname "$0")/../.."
RTOL=${ZOO_RTOL:-1e-4}
ZOO_CACHE=${ZOO_CACHE:-$HOME/.cache/edgerun/zoo}

if ! command -v node >/dev/null 2>&1; then
  echo "SKIP: Node.js is not installed (apt-get install nodejs)" >&2
  exit 77
fi
if [ ! -d bench/peers/node_modules/onnxruntime-node ]; then
  echo "SKIP: onnxruntime-node is not installed; run: (cd bench/peers && ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm ci)" >&2
  exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
count=0
for model in models/*/model.onnx "$ZOO_CACHE"/*/model.onnx; do
  [ -f "$model" ] || continue
  dir=$(dirname "$model")
  name=$(basename "$dir")
  [ -d "$dir/test_data_set_0" ] || { echo "FAIL $name: no test_data_set_0"; fail=1; continue; }
  set --
  k=0
  while [ -f "$dir/test_data_set_0/input_$k.pb" ]; do
    set -- "$@" -i "$dir/test_data_set_0/input_$k.pb"
    k=$((k + 1))
  done
  out="$tmp/$name"
  count=$((count + 1))
  if ! node bench/peers/ort_run.js "$model" "$@" -o "$out"; then
    echo "FAIL $name: onnxruntime could not run it"
    fail=1
    continue
  fi
  if report=$(node bench/peers/compare.js "$out" "$dir/test_data_set_0" --rtol "$RTOL"); then
    echo "ok   $name"
  else
    echo "FAIL $name"
    fail=1
  fi
  echo "$report" | sed 's/^/     /'
done
[ "$count" -gt 0 ] || { echo "FAIL: no models found under models/" >&2; exit 1; }
exit $fail
