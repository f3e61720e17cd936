"""Shared helpers for the model-zoo scripts: seeding, ONNX export, test data, manifest entries.

Used only to make models (never by edgerun at run time). Every script calls Setup() first so that
training is deterministic for a given machine, package versions and ZOO_THREADS.
"""

import contextlib
import fcntl
import hashlib
import json
import os
import random
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS_DIR = os.path.join(REPO, "models")
# ZOO_MANIFEST redirects manifest updates (for reproducibility checks into scratch dirs).
MANIFEST = os.environ.get("ZOO_MANIFEST") or os.path.join(MODELS_DIR, "manifest.json")
DEFAULT_CACHE = os.path.join(os.path.expanduser("~"), ".cache", "edgerun", "zoo")


def CacheDir():
    return os.environ.get("ZOO_CACHE") or DEFAULT_CACHE


def Setup(seed):
    """Seeds every RNG and pins torch to a fixed thread count (ZOO_THREADS, default 1)."""
    threads = int(os.environ.get("ZOO_THREADS", "1"))
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return threads


def Log(*args):
    print("[zoo]", *args, file=sys.stderr, flush=True)


def Batches(n, batch_size, generator):
    """Shuffled index batches from a torch.Generator (deterministic)."""
    perm = torch.randperm(n, generator=generator)
    for i in range(0, n, batch_size):
        yield perm[i:i + batch_size]


@torch.no_grad()
def Predict(model, x, batch_size=512):
    model.eval()
    outs = []
    for i in range(0, x.shape[0], batch_size):
        outs.append(model(x[i:i + batch_size]))
    return torch.cat(outs)


def CountParams(model_proto):
    return int(sum(int(np.prod(t.dims)) for t in model_proto.graph.initializer))


def Sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _WriteTensor(path, array, name):
    t = numpy_helper.from_array(np.ascontiguousarray(array), name=name)
    with open(path, "wb") as f:
        f.write(t.SerializeToString())


def Export(model, example_inputs, out_dir, input_names, output_names, opset, metadata=None):
    """Exports `model` to out_dir/model.onnx and writes test_data_set_0 from PyTorch's outputs.

    example_inputs: tuple of tensors with a batch axis of 1 (the exported shapes are static).
    Returns the loaded, checked ModelProto.
    """
    import flops  # noqa: local module

    model.eval()
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, example_inputs, path, opset_version=opset,
                          input_names=input_names, output_names=output_names,
                          do_constant_folding=True, export_params=True)
        outputs = model(*example_inputs)
    if isinstance(outputs, torch.Tensor):
        outputs = (outputs,)
    import fold  # noqa: local module

    proto = fold.Fold(onnx.load(path))
    proto.producer_name = "edgerun-zoo (torch %s)" % torch.__version__
    proto.doc_string = ""
    for key, value in sorted((metadata or {}).items()):
        entry = proto.metadata_props.add()
        entry.key = key
        entry.value = value if isinstance(value, str) else json.dumps(value)
    onnx.checker.check_model(proto)
    onnx.save(proto, path)

    data_dir = os.path.join(out_dir, "test_data_set_0")
    os.makedirs(data_dir, exist_ok=True)
    for stale in os.listdir(data_dir):
        os.remove(os.path.join(data_dir, stale))
    for k, (name, x) in enumerate(zip(input_names, example_inputs)):
        _WriteTensor(os.path.join(data_dir, "input_%d.pb" % k), x.detach().numpy(), name)
    for k, (name, y) in enumerate(zip(output_names, outputs)):
        _WriteTensor(os.path.join(data_dir, "output_%d.pb" % k), y.detach().numpy(), name)
    Log("exported", path, "(%d bytes, %s FLOPs)" % (os.path.getsize(path), flops.CountFlops(proto)))
    return proto


def _ValueInfo(v):
    tt = v.type.tensor_type
    dims = [d.dim_value if d.HasField("dim_value") else d.dim_param for d in tt.shape.dim]
    dtype = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[tt.elem_type].name
    return {"name": v.name, "dtype": dtype, "shape": dims}


@contextlib.contextmanager
def ManifestLock():
    """Serialises read-modify-write of the manifest between concurrently running scripts."""
    os.makedirs(CacheDir(), exist_ok=True)
    with open(os.path.join(CacheDir(), "manifest.lock"), "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def LoadManifest():
    if os.path.exists(MANIFEST):
        with open(MANIFEST) as f:
            return json.load(f)
    return {"schema": 1, "models": []}


def SaveManifest(manifest):
    manifest["models"].sort(key=lambda m: (not m.get("committed", True), m["name"]))
    tmp = MANIFEST + ".tmp"
    os.makedirs(os.path.dirname(MANIFEST), exist_ok=True)
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=False)
        f.write("\n")
    os.replace(tmp, MANIFEST)


def Register(name, out_dir, proto, entry):
    """Adds or replaces the manifest entry of `name` with facts read from the exported model.

    entry holds the hand-written fields (task, use_case, labels, eval, made_by, ...);
    accuracy is filled in later by manifest.py from ONNX Runtime's run over the test split.
    """
    import flops  # noqa: local module

    path = os.path.join(out_dir, "model.onnx")
    committed = os.path.abspath(out_dir).startswith(MODELS_DIR + os.sep)
    rel = os.path.relpath(out_dir, REPO) if committed else "${ZOO_CACHE}/" + name
    initializer_names = {t.name for t in proto.graph.initializer}
    opset = max(o.version for o in proto.opset_import if o.domain in ("", "ai.onnx"))
    record = {
        "name": name,
        "committed": committed,
        "path": rel + "/model.onnx",
        "test_data": rel + "/test_data_set_0",
        "task": entry.pop("task"),
        "use_case": entry.pop("use_case"),
        "opset": opset,
        "inputs": [_ValueInfo(v) for v in proto.graph.input if v.name not in initializer_names],
        "outputs": [_ValueInfo(v) for v in proto.graph.output],
        "params": CountParams(proto),
        "flops": flops.CountFlops(proto),
        "bytes": os.path.getsize(path),
        "sha256": Sha256(path),
        "ops": sorted({n.op_type for n in proto.graph.node}),
    }
    record.update(entry)
    record.setdefault("accuracy", None)
    with ManifestLock():
        manifest = LoadManifest()
        old = [m for m in manifest["models"] if m["name"] == name]
        if old and old[0].get("accuracy") and old[0].get("sha256") == record["sha256"]:
            record["accuracy"] = old[0]["accuracy"]
        manifest["models"] = [m for m in manifest["models"] if m["name"] != name] + [record]
        SaveManifest(manifest)
    return record


def TrainClassifier(model, x, y, epochs, lr, batch_size, seed, weight_decay=0.0, log_every=1,
                    augment=None):
    """Adam + cosine schedule + cross-entropy on logits; deterministic given seed."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps = epochs * ((x.shape[0] + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps,
                                                pct_start=0.15)
    loss_fn = torch.nn.CrossEntropyLoss()
    for epoch in range(epochs):
        model.train()
        total, correct, loss_sum = 0, 0, 0.0
        for idx in Batches(x.shape[0], batch_size, gen):
            xb, yb = x[idx], y[idx]
            if augment is not None:
                xb = augment(xb, gen)
            logits = model(xb)
            loss = loss_fn(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += float(loss) * len(idx)
            correct += int((logits.argmax(1) == yb).sum())
            total += len(idx)
        if (epoch + 1) % log_every == 0 or epoch + 1 == epochs:
            Log("epoch %d/%d loss %.4f train acc %.4f" % (epoch + 1, epochs, loss_sum / total,
                                                          correct / total))
    model.eval()
    return model


def SaveNpy(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, np.ascontiguousarray(array))
