#!/bin/sh
# Runs each committed zoo model through `edgerun run` and through ONNX Runtime (bench/peers) on its
# test_data_set_0 inputs and compares the two (relative error max|diff| / max|expected| <= 1e-4).
# Usage: check_edgerun_vs_peer.sh PATH/TO/edgerun
# Exit 0 all match, 1 a mismatch or failure, 77 skipped (Node.js or onnxruntime-node missing).
set -u
EDGERUN=$(realpath "${1:?usage: check_edgerun_vs_peer.sh PATH/TO/edgerun}")
cd "$(dirname "$0")/../.."
RTOL=${ZOO_RTOL:-1e-4}
if ! command -v node >/dev/null 2>&1; then
  echo "SKIP: Node.js is not installed" >&2
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
for model in models/*/model.onnx; do
  dir=$(dirname "$model")
  name=$(basename "$dir")
  set --
  k=0
  while [ -f "$dir/test_data_set_0/input_$k.pb" ]; do
    set -- "$@" -i "$dir/test_data_set_0/input_$k.pb"
    k=$((k + 1))
  done
  count=$((count + 1))
  if ! "$EDGERUN" run "$model" "$@" -o "$tmp/$name/edgerun" >/dev/null; then
    echo "FAIL $name: edgerun run failed"; fail=1; continue
  fi
  if ! node bench/peers/ort_run.js "$model" "$@" -o "$tmp/$name/ort" >/dev/null; then
    echo "FAIL $name: onnxruntime could not run it"; fail=1; continue
  fi
  if report=$(node bench/peers/compare.js "$tmp/$name/edgerun" "$tmp/$name/ort" --rtol "$RTOL"); then
    echo "ok   $name"
  else
    echo "FAIL $name"; fail=1
  fi
  echo "$report" | sed 's/^/     /'
done
echo "$count models compared with ONNX Runtime"
[ "$count" -gt 0 ] || exit 1
exit $fail
