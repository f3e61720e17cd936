"""mobilenet_v2, resnet18, squeezenet1_1 from torchvision at 1 x 3 x 224 x 224 with random
weights (fixed seed; no pretrained weights are downloaded), exported to ONNX opset 13 into the
zoo cache ($ZOO_CACHE, default ~/.cache/edgerun/zoo) with test_data_set_0 (a seeded random
normal input and PyTorch's output). Not committed: too big for git; `make zoo` regenerates them.

usage: torchvision_models.py [NAME...]   (default: all three)
"""

import os
import sys

import torch
import torchvision

import zoo_common as zc

MODELS = {
    "mobilenet_v2": (torchvision.models.mobilenet_v2, 1401),
    "resnet18": (torchvision.models.resnet18, 1402),
    "squeezenet1_1": (torchvision.models.squeezenet1_1, 1403),
}


def Make(name):
    factory, seed = MODELS[name]
    threads = zc.Setup(seed)
    model = factory(weights=None).eval()
    # Random BatchNorm statistics so folding them into the convolutions is exercised.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(seed))
    out = os.path.join(zc.CacheDir(), name)
    proto = zc.Export(model, (x,), out, ["input"], ["logits"], opset=13)
    zc.Register(name, out, proto, {
        "task": "classification, 1000 ImageNet classes (random weights)",
        "use_case": "benchmark of a standard vision backbone; outputs are meaningless",
        "preprocess": "float32 [1, 3, 224, 224]; test input is N(0, 1)",
        "made_by": "tools/zoo/torchvision_models.py: torchvision %s %s(weights=None), seed %d, "
                   "random BatchNorm statistics, %d thread(s), torch %s, ONNX opset 13"
                   % (torchvision.__version__, name, seed, threads, torch.__version__),
    })


def main():
    names = sys.argv[1:] or list(MODELS)
    for name in names:
        if name not in MODELS:
            raise SystemExit("unknown model %s (known: %s)" % (name, ", ".join(MODELS)))
        Make(name)


if __name__ == "__main__":
    main()
