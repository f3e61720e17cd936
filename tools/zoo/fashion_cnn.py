"""fashion_cnn: small CNN classifying Fashion-MNIST (10 classes) from a 28 x 28 image.

Input: float32 [1, 1, 28, 28] = pixel / 255 (IDX straight from Debian's dataset-fashion-mnist);
output: class probabilities [1, 10]. ONNX opset 13, BatchNorm folded into the convolutions.
"""

import argparse
import os

import torch
from torch import nn

import fashion
import zoo_common as zc

NAME = "fashion_cnn"
SEED = 1303
EPOCHS = 3


class FashionCnn(nn.Module):
    def __init__(self):
        super().__init__()

        def Block(cin, cout):
            return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

        self.features = nn.Sequential(
            *Block(1, 16), nn.MaxPool2d(2),
            *Block(16, 32), nn.MaxPool2d(2),
            *Block(32, 64), nn.Flatten())
        self.classifier = nn.Sequential(nn.Dropout(0.3), nn.Linear(64 * 7 * 7, 128), nn.ReLU(),
                                        nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(self.features((x - 0.2860) * (1.0 / 0.3530)))


def Flip(xb, gen):
    """Random horizontal flip of half the batch (Fashion-MNIST items are left-right symmetric)."""
    mask = torch.rand(xb.shape[0], generator=gen) < 0.5
    xb = xb.clone()
    xb[mask] = xb[mask].flip(-1)
    return xb


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(zc.MODELS_DIR, NAME))
    args = ap.parse_args()
    threads = zc.Setup(SEED)
    x_train, y_train = fashion.Load("train")
    x_test, y_test = fashion.Load("test")
    model = FashionCnn()
    zc.TrainClassifier(model, torch.from_numpy(x_train), torch.from_numpy(y_train), epochs=EPOCHS,
                       lr=4e-3, batch_size=128, seed=SEED, weight_decay=5e-4, augment=Flip)
    acc = float((zc.Predict(model, torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean())
    zc.Log(NAME, ": PyTorch test accuracy %.4f" % acc)

    exported = nn.Sequential(model, nn.Softmax(dim=1))
    proto = zc.Export(exported, (torch.from_numpy(x_test[:1]),), args.out, ["image"], ["probs"],
                      opset=13, metadata={"edgerun.labels": ",".join(fashion.CLASSES)})
    images, labels = fashion.Paths("test")
    zc.Register(NAME, args.out, proto, {
        "task": "classification, 10 Fashion-MNIST classes",
        "use_case": "image classification on a microcontroller-class budget (28 x 28 grey)",
        "labels": fashion.CLASSES,
        "preprocess": "pixel / 255 as float32 [1, 1, 28, 28]; normalisation is inside the graph",
        "dataset": {"name": "Fashion-MNIST (Debian dataset-fashion-mnist)",
                    "train": {"n": int(len(y_train)), "path": fashion.Paths("train")[0]},
                    "test": {"n": int(len(y_test)), "path": images, "labels": labels}},
        "eval": {"metric": "top1", "idx_images": images, "idx_labels": labels, "scale": 1 / 255},
        "pytorch_accuracy": round(acc, 4),
        "made_by": "tools/zoo/%s.py: 3 x (Conv3x3+BN+ReLU) with 2 max-pools, FC 3136-128-10, "
                   "AdamW lr 4e-3 one-cycle, %d epochs, batch 128, horizontal flips, seed %d, "
                   "%d thread(s), torch %s, ONNX opset 13"
                   % (NAME, EPOCHS, SEED, threads, torch.__version__),
    })


if __name__ == "__main__":
    main()
