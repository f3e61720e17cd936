"""sensor_transformer: 2-layer transformer encoder (multi-head self-attention, LayerNorm, GELU)
over 100-step, 6-channel pump sensor sequences (25 tokens of 4 steps) classifying the fault
(5 classes: pump.FAULTS).

Trains on pump.FaultDataset (synthetic, physically modelled), exports ONNX opset 17 (the exporter
emits LayerNormalization; GELU becomes Erf arithmetic) and writes the test split to
models/sensor_transformer/data/ (input_0.npy [N, 100, 6], labels.npy).
"""

import argparse
import math
import os

import numpy as np
import torch
from torch import nn

import pump
import zoo_common as zc

NAME = "sensor_transformer"
SEED = 1306
N_TRAIN, N_TEST = 5000, 1000
TRAIN_SEED, TEST_SEED = 61, 62
EPOCHS = 20
D_MODEL, HEADS, D_FF, LAYERS = 32, 4, 64, 2
STEPS = pump.STEPS
PATCH = 4  # time steps per token
TOKENS = STEPS // PATCH


class EncoderLayer(nn.Module):
    """Pre-norm encoder layer; reshapes use constants so the exported graph has static shapes."""

    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(D_MODEL)
        self.qkv = nn.Linear(D_MODEL, 3 * D_MODEL)
        self.proj = nn.Linear(D_MODEL, D_MODEL)
        self.ln2 = nn.LayerNorm(D_MODEL)
        self.ff = nn.Sequential(nn.Linear(D_MODEL, D_FF), nn.GELU(), nn.Linear(D_FF, D_MODEL))
        self.scale = 1.0 / math.sqrt(D_MODEL // HEADS)

    def forward(self, x):
        qkv = self.qkv(self.ln1(x)).reshape(-1, TOKENS, 3, HEADS, D_MODEL // HEADS)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # [B, H, T, dh]
        att = torch.softmax(torch.matmul(q, k.transpose(-2, -1)) * self.scale, dim=-1)
        y = torch.matmul(att, v).transpose(1, 2).reshape(-1, TOKENS, D_MODEL)
        x = x + self.proj(y)
        return x + self.ff(self.ln2(x))


class SensorTransformer(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean).reshape(1, 1, -1))
        self.register_buffer("inv_std", torch.as_tensor(1.0 / std).reshape(1, 1, -1))
        self.embed = nn.Linear(PATCH * len(pump.CHANNELS), D_MODEL)
        self.pos = nn.Parameter(0.02 * torch.randn(1, TOKENS, D_MODEL))
        self.layers = nn.Sequential(*[EncoderLayer() for _ in range(LAYERS)])
        self.norm = nn.LayerNorm(D_MODEL)
        self.head = nn.Linear(D_MODEL, len(pump.FAULTS))

    def forward(self, x):
        x = ((x - self.mean) * self.inv_std).reshape(-1, TOKENS, PATCH * len(pump.CHANNELS))
        h = self.embed(x) + self.pos
        h = self.norm(self.layers(h))
        return self.head(h.mean(dim=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(zc.MODELS_DIR, NAME))
    args = ap.parse_args()
    threads = zc.Setup(SEED)
    x_train, y_train = pump.FaultDataset(N_TRAIN, TRAIN_SEED)
    x_test, y_test = pump.FaultDataset(N_TEST, TEST_SEED)
    mean = x_train.mean(axis=(0, 1)).astype(np.float32)
    std = x_train.std(axis=(0, 1)).astype(np.float32)
    model = SensorTransformer(mean, std)
    zc.TrainClassifier(model, torch.from_numpy(x_train), torch.from_numpy(y_train), epochs=EPOCHS,
                       lr=3e-3, batch_size=128, seed=SEED, weight_decay=1e-4, log_every=5)
    acc = float((zc.Predict(model, torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean())
    zc.Log(NAME, ": PyTorch test accuracy %.4f" % acc)

    exported = nn.Sequential(model, nn.Softmax(dim=1))
    proto = zc.Export(exported, (torch.from_numpy(x_test[:1]),), args.out, ["sensors"], ["probs"],
                      opset=17, metadata={"edgerun.labels": ",".join(pump.FAULTS),
                                          "edgerun.channels": ",".join(pump.CHANNELS)})
    zc.SaveNpy(os.path.join(args.out, "data", "input_0.npy"), x_test)
    zc.SaveNpy(os.path.join(args.out, "data", "labels.npy"), y_test)
    zc.Register(NAME, args.out, proto, {
        "task": "classification, 5 pump conditions",
        "use_case": "fault diagnosis of a motor-driven pump from the last 100 s of 1 Hz telemetry "
                    "(speed, flow, pressure, current, winding temperature, vibration)",
        "labels": pump.FAULTS,
        "channels": pump.CHANNELS,
        "preprocess": "none: physical units; standardisation is inside the graph",
        "dataset": {"generator": "tools/zoo/pump.py FaultDataset",
                    "train": {"n": N_TRAIN, "seed": TRAIN_SEED},
                    "test": {"n": N_TEST, "seed": TEST_SEED, "path": "models/%s/data" % NAME}},
        "eval": {"metric": "top1", "data": "models/%s/data" % NAME},
        "pytorch_accuracy": round(acc, 4),
        "made_by": "tools/zoo/%s.py: patches of %d steps (%d tokens), linear embedding + learned "
                   "positions, %d pre-norm encoder layers (d %d, %d heads, FF %d, GELU), "
                   "LayerNorm, mean pool, linear; AdamW lr 3e-3 one-cycle, %d epochs, batch 128, "
                   "seed %d, %d thread(s), torch %s, ONNX opset 17"
                   % (NAME, PATCH, TOKENS, LAYERS, D_MODEL, HEADS, D_FF, EPOCHS, SEED, threads,
                      torch.__version__),
    })


if __name__ == "__main__":
    main()
