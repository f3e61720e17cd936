#!/bin/sh
# Regenerates the model zoo (`make zoo`): trains and exports every model with fixed seeds, writes
# models/<name>/ (committed) and $ZOO_CACHE/<name>/ (big torchvision models, not committed),
# measures accuracy over each full test split with ONNX Runtime (bench/peers), and rewrites
# models/manifest.json and the table in docs/models.md.
#
# Environment:
#   ZOO_CACHE    where the big models go (default $HOME/.cache/edgerun/zoo)
#   ZOO_MODELS   space-separated subset to rebuild (default: all)
#   ZOO_THREADS  torch threads used for training (default 1; results depend on it)
#   ZOO_PYTHON   Python with Debian's torch/torchvision/onnx (default /usr/bin/python3)
set -eu

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
PY=${ZOO_PYTHON:-/usr/bin/python3}
ZOO_CACHE=${ZOO_CACHE:-$HOME/.cache/edgerun/zoo}
ZOO_THREADS=${ZOO_THREADS:-1}
ALL="sensor_mlp vibration_cnn1d fashion_cnn fashion_mobilenet sensor_lstm sensor_transformer mobilenet_v2 resnet18 squeezenet1_1"
MODELS=${ZOO_MODELS:-$ALL}
export ZOO_CACHE ZOO_THREADS PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0

die() { echo "make_zoo: $*" >&2; exit 1; }

"$PY" -c 'import torch, torchvision, onnx, numpy' 2>/dev/null ||
  die "$PY lacks torch/torchvision/onnx/numpy: apt-get install python3-torch python3-torchvision python3-onnx python3-numpy"
command -v node >/dev/null 2>&1 || die "node is required to measure accuracy with ONNX Runtime: apt-get install nodejs"
if [ ! -d bench/peers/node_modules/onnxruntime-node ]; then
  echo "make_zoo: installing onnxruntime-node into bench/peers" >&2
  (cd bench/peers && ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm ci --no-audit --no-fund) ||
    die "npm ci failed in bench/peers"
fi
mkdir -p "$ZOO_CACHE"

for m in $MODELS; do
  case " $ALL " in *" $m "*) ;; *) die "unknown model '$m' (known: $ALL)";; esac
  echo "make_zoo: === $m" >&2
  start=$(date +%s)
  case $m in
    mobilenet_v2|resnet18|squeezenet1_1) "$PY" tools/zoo/torchvision_models.py "$m" ;;
    *) "$PY" tools/zoo/"$m".py ;;
  esac
  echo "make_zoo: $m took $(( $(date +%s) - start )) s" >&2
done

"$PY" tools/zoo/manifest.py eval $MODELS
"$PY" tools/zoo/manifest.py docs
"$PY" tools/zoo/manifest.py check
sh tools/zoo/check_peer.sh
echo "make_zoo: done; committed models in $ROOT/models, big models in $ZOO_CACHE" >&2
