"""Fashion-MNIST from Debian's dataset-fashion-mnist package (IDX files, gzip)."""

import gzip
import os
import subprocess

import numpy as np

CLASSES = ["t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker",
           "bag", "ankle boot"]
DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"


def DataDir():
    """Finds the IDX directory: $FASHION_MNIST_DIR, the default path, or `dpkg -L`."""
    env = os.environ.get("FASHION_MNIST_DIR")
    if env:
        return env
    if os.path.exists(os.path.join(DEFAULT_DIR, "t10k-images-idx3-ubyte.gz")):
        return DEFAULT_DIR
    try:
        files = subprocess.run(["dpkg", "-L", "dataset-fashion-mnist"], check=True,
                               capture_output=True, text=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        files = []
    for f in files:
        if f.endswith("t10k-images-idx3-ubyte.gz"):
            return os.path.dirname(f)
    raise SystemExit("Fashion-MNIST not found: apt-get install dataset-fashion-mnist")


def _ReadIdx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def Paths(split):
    prefix = "train" if split == "train" else "t10k"
    d = DataDir()
    return (os.path.join(d, "%s-images-idx3-ubyte.gz" % prefix),
            os.path.join(d, "%s-labels-idx1-ubyte.gz" % prefix))


def Load(split):
    """Returns (images float32 [n, 1, 28, 28] in [0, 1], labels int64 [n])."""
    images, labels = Paths(split)
    x = _ReadIdx(images).astype(np.float32)[:, None] / 255.0
    return x, _ReadIdx(labels).astype(np.int64)
