"""sensor_lstm: LSTM over 100-step, 6-channel pump sensor sequences giving an anomaly
score in [0, 1] (probability that a fault has started within the window).

Trains on pump.AnomalyDataset (synthetic, physically modelled), exports ONNX opset 13 (LSTM op,
zero initial state as initializers, channel standardisation and sigmoid inside the graph) and
writes the test split to models/sensor_lstm/data/ (input_0.npy [N, 100, 6], labels.npy 0/1).
"""

import argparse
import os

import numpy as np
import torch
from torch import nn

import pump
import zoo_common as zc

NAME = "sensor_lstm"
SEED = 1305
N_TRAIN, N_TEST = 5000, 1000
TRAIN_SEED, TEST_SEED = 51, 52
EPOCHS = 20
HIDDEN, LAYERS = 32, 1


class SensorLstm(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean).reshape(1, 1, -1))
        self.register_buffer("inv_std", torch.as_tensor(1.0 / std).reshape(1, 1, -1))
        self.register_buffer("state0", torch.zeros(LAYERS, 1, HIDDEN))  # export: batch 1
        self.lstm = nn.LSTM(len(pump.CHANNELS), HIDDEN, num_layers=LAYERS, batch_first=True)
        self.head = nn.Linear(HIDDEN, 1)

    def forward(self, x):
        x = (x - self.mean) * self.inv_std
        if torch.onnx.is_in_onnx_export():
            state = (self.state0, self.state0)
        else:
            z = torch.zeros(LAYERS, x.shape[0], HIDDEN)
            state = (z, z)
        y, _ = self.lstm(x, state)
        return self.head(y[:, -1])


def Train(model, x, y, epochs, lr, batch_size, seed):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps = epochs * ((x.shape[0] + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    loss_fn = nn.BCEWithLogitsLoss()
    for epoch in range(epochs):
        model.train()
        loss_sum, correct = 0.0, 0
        for idx in zc.Batches(x.shape[0], batch_size, gen):
            logit = model(x[idx])[:, 0]
            loss = loss_fn(logit, y[idx])
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            loss_sum += float(loss) * len(idx)
            correct += int(((logit > 0).float() == y[idx]).sum())
        if (epoch + 1) % 5 == 0:
            zc.Log("epoch %d/%d loss %.4f train acc %.4f"
                   % (epoch + 1, epochs, loss_sum / x.shape[0], correct / x.shape[0]))
    model.eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(zc.MODELS_DIR, NAME))
    args = ap.parse_args()
    threads = zc.Setup(SEED)
    x_train, y_train = pump.AnomalyDataset(N_TRAIN, TRAIN_SEED)
    x_test, y_test = pump.AnomalyDataset(N_TEST, TEST_SEED)
    mean = x_train.mean(axis=(0, 1)).astype(np.float32)
    std = x_train.std(axis=(0, 1)).astype(np.float32)
    model = SensorLstm(mean, std)
    Train(model, torch.from_numpy(x_train), torch.from_numpy(y_train).float(), EPOCHS, 5e-3, 128,
          SEED)
    score = torch.sigmoid(zc.Predict(model, torch.from_numpy(x_test)))[:, 0].numpy()
    acc = float(((score >= 0.5) == (y_test == 1)).mean())
    zc.Log(NAME, ": PyTorch test accuracy %.4f" % acc)

    exported = nn.Sequential(model, nn.Sigmoid())
    proto = zc.Export(exported, (torch.from_numpy(x_test[:1]),), args.out, ["sensors"],
                      ["anomaly_score"], opset=13,
                      metadata={"edgerun.channels": ",".join(pump.CHANNELS)})
    zc.SaveNpy(os.path.join(args.out, "data", "input_0.npy"), x_test)
    zc.SaveNpy(os.path.join(args.out, "data", "labels.npy"), y_test)
    zc.Register(NAME, args.out, proto, {
        "task": "anomaly score (binary: fault present)",
        "use_case": "predictive maintenance of a motor-driven pump: scores the last 100 s of 1 Hz "
                    "telemetry (speed, flow, pressure, current, winding temperature, vibration)",
        "channels": pump.CHANNELS,
        "preprocess": "none: physical units; standardisation is inside the graph",
        "dataset": {"generator": "tools/zoo/pump.py AnomalyDataset",
                    "train": {"n": N_TRAIN, "seed": TRAIN_SEED},
                    "test": {"n": N_TEST, "seed": TEST_SEED, "path": "models/%s/data" % NAME}},
        "eval": {"metric": "binary", "data": "models/%s/data" % NAME},
        "pytorch_accuracy": round(acc, 4),
        "made_by": "tools/zoo/%s.py: LSTM %d layer(s) x %d hidden, last step -> linear -> sigmoid; "
                   "AdamW lr 5e-3 one-cycle, %d epochs, batch 128, seed %d, %d thread(s), "
                   "torch %s, ONNX opset 13" % (NAME, LAYERS, HIDDEN, EPOCHS, SEED, threads,
                                      torch.__version__),
    })


if __name__ == "__main__":
    main()
