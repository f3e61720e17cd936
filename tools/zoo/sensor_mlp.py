"""sensor_mlp: MLP classifying machine state (4 classes) from 64 vibration features.

Trains on vibration.MachineStateDataset (synthetic, physically modelled), exports ONNX opset 13
with the feature standardisation and the softmax inside the graph, and writes the test split to
models/sensor_mlp/data/ (input_0.npy [N, 64] float32, labels.npy [N] int64).
"""

import argparse
import os

import numpy as np
import torch
from torch import nn

import vibration
import zoo_common as zc

NAME = "sensor_mlp"
SEED = 1301
N_TRAIN, N_TEST = 8000, 2000
TRAIN_SEED, TEST_SEED = 11, 12


class SensorMlp(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean).reshape(1, -1))
        self.register_buffer("inv_std", torch.as_tensor(1.0 / std).reshape(1, -1))
        self.net = nn.Sequential(
            nn.Linear(64, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 4))

    def forward(self, x):
        return self.net((x - self.mean) * self.inv_std)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(zc.MODELS_DIR, NAME))
    args = ap.parse_args()
    threads = zc.Setup(SEED)
    zc.Log(NAME, ": generating data")
    x_train, y_train = vibration.MachineStateDataset(N_TRAIN, TRAIN_SEED)
    x_test, y_test = vibration.MachineStateDataset(N_TEST, TEST_SEED)
    mean = x_train.mean(0).astype(np.float32)
    std = (x_train.std(0) + 1e-6).astype(np.float32)

    model = SensorMlp(mean, std)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    zc.TrainClassifier(model, xt, yt, epochs=40, lr=3e-3, batch_size=128, seed=SEED,
                       weight_decay=1e-4, log_every=10)
    acc = float((zc.Predict(model, torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean())
    zc.Log(NAME, ": PyTorch test accuracy %.4f" % acc)

    exported = nn.Sequential(model, nn.Softmax(dim=1))
    sample = torch.from_numpy(x_test[:1])
    proto = zc.Export(exported, (sample,), args.out, ["features"], ["probs"], opset=13,
                      metadata={"edgerun.labels": ",".join(vibration.MACHINE_STATES)})
    zc.SaveNpy(os.path.join(args.out, "data", "input_0.npy"), x_test)
    zc.SaveNpy(os.path.join(args.out, "data", "labels.npy"), y_test)
    zc.Register(NAME, args.out, proto, {
        "task": "classification, 4 machine states",
        "use_case": "condition monitoring: machine state from a 1 s, 3-axis vibration window "
                    "reduced to 64 features (statistics, shaft orders, envelope lines at bearing "
                    "fault frequencies, spectral bands)",
        "labels": vibration.MACHINE_STATES,
        "feature_names": list(vibration.FEATURE_NAMES),
        "preprocess": "features from vibration.Features(); standardisation is inside the graph",
        "dataset": {"generator": "tools/zoo/vibration.py MachineStateDataset",
                    "train": {"n": N_TRAIN, "seed": TRAIN_SEED},
                    "test": {"n": N_TEST, "seed": TEST_SEED,
                             "path": "models/%s/data" % NAME}},
        "eval": {"metric": "top1", "data": "models/%s/data" % NAME},
        "pytorch_accuracy": round(acc, 4),
        "made_by": "tools/zoo/%s.py: MLP 64-128-64-4 (ReLU), AdamW lr 3e-3 one-cycle, 40 epochs, "
                   "batch 128, seed %d, %d thread(s), torch %s, ONNX opset 13"
                   % (NAME, SEED, threads, torch.__version__),
    })


if __name__ == "__main__":
    main()
