"""vibration_cnn1d: 1-D CNN over raw 3-axis accelerometer windows (3 x 256 at 4096 Hz)
classifying bearing condition (5 classes: vibration.BEARING_CONDITIONS).

Trains on vibration.BearingDataset (synthetic, physically modelled), exports ONNX opset 13 with
the per-axis scaling and the softmax inside the graph (BatchNorm folds into the convolutions), and
writes the test split to models/vibration_cnn1d/data/ (input_0.npy [N, 3, 256], labels.npy).
"""

import argparse
import os

import numpy as np
import torch
from torch import nn

import vibration
import zoo_common as zc

NAME = "vibration_cnn1d"
SEED = 1302
N_TRAIN, N_TEST = 20000, 1000
TRAIN_SEED, TEST_SEED = 21, 22
EPOCHS = 20


def ConvBlock(cin, cout, k, pool):
    layers = [nn.Conv1d(cin, cout, k, padding=k // 2, bias=False), nn.BatchNorm1d(cout), nn.ReLU()]
    if pool:
        layers.append(nn.MaxPool1d(2))
    return layers


class VibrationCnn1d(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean).reshape(1, 3, 1))
        self.register_buffer("inv_std", torch.as_tensor(1.0 / std).reshape(1, 3, 1))
        self.features = nn.Sequential(
            *ConvBlock(3, 16, 7, True), *ConvBlock(16, 32, 5, True),
            *ConvBlock(32, 64, 5, True), *ConvBlock(64, 64, 3, False),
            nn.AdaptiveAvgPool1d(1), nn.Flatten())
        self.classifier = nn.Linear(64, len(vibration.BEARING_CONDITIONS))

    def forward(self, x):
        return self.classifier(self.features((x - self.mean) * self.inv_std))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(zc.MODELS_DIR, NAME))
    args = ap.parse_args()
    threads = zc.Setup(SEED)
    zc.Log(NAME, ": generating data")
    x_train, y_train = vibration.BearingDataset(N_TRAIN, TRAIN_SEED)
    x_test, y_test = vibration.BearingDataset(N_TEST, TEST_SEED)
    mean = x_train.mean(axis=(0, 2)).astype(np.float32)
    std = x_train.std(axis=(0, 2)).astype(np.float32)

    model = VibrationCnn1d(mean, std)
    zc.TrainClassifier(model, torch.from_numpy(x_train), torch.from_numpy(y_train),
                       epochs=EPOCHS, lr=3e-3, batch_size=64, seed=SEED, weight_decay=1e-4)
    acc = float((zc.Predict(model, torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean())
    zc.Log(NAME, ": PyTorch test accuracy %.4f" % acc)

    exported = nn.Sequential(model, nn.Softmax(dim=1))
    proto = zc.Export(exported, (torch.from_numpy(x_test[:1]),), args.out, ["accel"], ["probs"],
                      opset=13, metadata={"edgerun.labels": ",".join(vibration.BEARING_CONDITIONS)})
    zc.SaveNpy(os.path.join(args.out, "data", "input_0.npy"), x_test)
    zc.SaveNpy(os.path.join(args.out, "data", "labels.npy"), y_test)
    zc.Register(NAME, args.out, proto, {
        "task": "classification, 5 bearing conditions",
        "use_case": "bearing fault detection on the edge from a raw 62.5 ms window of a 3-axis "
                    "MEMS accelerometer (x, y radial, z axial; g; 4096 Hz)",
        "labels": vibration.BEARING_CONDITIONS,
        "preprocess": "none: raw samples in g (y carries +1 g gravity); scaling is inside the "
                      "graph",
        "dataset": {"generator": "tools/zoo/vibration.py BearingDataset",
                    "train": {"n": N_TRAIN, "seed": TRAIN_SEED},
                    "test": {"n": N_TEST, "seed": TEST_SEED, "path": "models/%s/data" % NAME}},
        "eval": {"metric": "top1", "data": "models/%s/data" % NAME},
        "pytorch_accuracy": round(acc, 4),
        "made_by": "tools/zoo/%s.py: 4 x (Conv1d+BN+ReLU), 3 max-pools, global average pool, "
                   "linear; AdamW lr 3e-3 one-cycle, %d epochs, batch 64, seed %d, %d thread(s), "
                   "torch %s, ONNX opset 13" % (NAME, EPOCHS, SEED, threads, torch.__version__),
    })


if __name__ == "__main__":
    main()
