"""fashion_mobilenet: MobileNetV2-style network (inverted residuals, depthwise convolutions,
ReLU6, linear bottlenecks) classifying Fashion-MNIST upsampled to 64 x 64.

Input: float32 [1, 1, 28, 28] = pixel / 255; the graph upsamples to 64 x 64 (bilinear Resize)
before the stem, so the model takes the IDX images directly. Output: probabilities [1, 10].
ONNX opset 13.
"""

import argparse
import os

import torch
from torch import nn
import torch.nn.functional as F

import fashion
import zoo_common as zc
from fashion_cnn import Flip

NAME = "fashion_mobilenet"
SEED = 1304
EPOCHS = 2
SIZE = 64


def ConvBnRelu6(cin, cout, k, stride, groups=1):
    return [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout), nn.ReLU6()]


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        layers = ConvBnRelu6(cin, hidden, 1, 1) if expand != 1 else []
        layers += ConvBnRelu6(hidden, hidden, 3, stride, groups=hidden)
        layers += [nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.conv(x)
        return x + y if self.residual else y


class FashionMobileNet(nn.Module):
    # (expansion, output channels, stride) per inverted-residual block
    BLOCKS = [(1, 16, 2), (4, 24, 1), (4, 32, 2), (4, 32, 1), (4, 64, 2), (4, 64, 1)]

    def __init__(self):
        super().__init__()
        layers = ConvBnRelu6(1, 16, 3, 2)  # 64 -> 32
        cin = 16
        for t, c, s in self.BLOCKS:
            layers.append(InvertedResidual(cin, c, s, t))
            cin = c
        layers += ConvBnRelu6(cin, 160, 1, 1)
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(160, 10))

    def forward(self, x):
        x = F.interpolate(x, size=(SIZE, SIZE), mode="bilinear", align_corners=False)
        x = self.features((x - 0.2860) * (1.0 / 0.3530))
        return self.classifier(x.mean(dim=(2, 3)))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(zc.MODELS_DIR, NAME))
    args = ap.parse_args()
    threads = zc.Setup(SEED)
    x_train, y_train = fashion.Load("train")
    x_test, y_test = fashion.Load("test")
    model = FashionMobileNet()
    zc.TrainClassifier(model, torch.from_numpy(x_train), torch.from_numpy(y_train), epochs=EPOCHS,
                       lr=5e-3, batch_size=128, seed=SEED, weight_decay=1e-4, augment=Flip)
    acc = float((zc.Predict(model, torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean())
    zc.Log(NAME, ": PyTorch test accuracy %.4f" % acc)

    exported = nn.Sequential(model, nn.Softmax(dim=1))
    proto = zc.Export(exported, (torch.from_numpy(x_test[:1]),), args.out, ["image"], ["probs"],
                      opset=13, metadata={"edgerun.labels": ",".join(fashion.CLASSES)})
    images, labels = fashion.Paths("test")
    zc.Register(NAME, args.out, proto, {
        "task": "classification, 10 Fashion-MNIST classes",
        "use_case": "mobile-style vision backbone (MobileNetV2 building blocks) at 64 x 64",
        "labels": fashion.CLASSES,
        "preprocess": "pixel / 255 as float32 [1, 1, 28, 28]; bilinear upsampling to 64 x 64 "
                      "and normalisation are inside the graph",
        "dataset": {"name": "Fashion-MNIST (Debian dataset-fashion-mnist), upsampled to 64 x 64",
                    "train": {"n": int(len(y_train)), "path": fashion.Paths("train")[0]},
                    "test": {"n": int(len(y_test)), "path": images, "labels": labels}},
        "eval": {"metric": "top1", "idx_images": images, "idx_labels": labels, "scale": 1 / 255},
        "pytorch_accuracy": round(acc, 4),
        "made_by": "tools/zoo/%s.py: Resize to 64x64, stem Conv3x3/2, %d inverted residual "
                   "blocks (expansion, output channels, stride) %s with depthwise 3x3, ReLU6 and "
                   "linear bottlenecks, Conv1x1 to 160, global average pool, linear; AdamW lr "
                   "5e-3 one-cycle, %d epochs, batch 128, horizontal flips, seed %d, %d thread(s), "
                   "torch %s, ONNX opset 13"
                   % (NAME, len(FashionMobileNet.BLOCKS), FashionMobileNet.BLOCKS, EPOCHS, SEED,
                      threads, torch.__version__),
    })


if __name__ == "__main__":
    main()
