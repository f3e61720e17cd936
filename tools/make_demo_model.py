#!/usr/bin/python3
"""Writes models/demo/: a small fixed-weight sensor classifier used by `make demo` and the CLI tests.

64 vibration features -> Gemm(32) -> Relu -> Gemm(4) -> Softmax, opset 13, with one input file.
Deterministic (fixed seed). Uses Debian's python3-onnx and numpy; never used at run time.
"""
import os
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)
w1 = rng.standard_normal((32, 64)).astype(np.float32) * 0.2
b1 = rng.standard_normal(32).astype(np.float32) * 0.1
w2 = rng.standard_normal((4, 32)).astype(np.float32) * 0.3
b2 = rng.standard_normal(4).astype(np.float32) * 0.1
nodes = [
    helper.make_node("Gemm", ["features", "w1", "b1"], ["h"], name="fc1", transB=1),
    helper.make_node("Relu", ["h"], ["h_relu"], name="relu1"),
    helper.make_node("Gemm", ["h_relu", "w2", "b2"], ["logits"], name="fc2", transB=1),
    helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=-1),
]
graph = helper.make_graph(
    nodes, "sensor_demo",
    [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", 64])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 4])],
    [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(b1, "b1"),
     numpy_helper.from_array(w2, "w2"), numpy_helper.from_array(b2, "b2")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="edgerun-demo")
model.ir_version = 8
onnx.checker.check_model(model)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "demo")
os.makedirs(os.path.join(out, "test_data_set_0"), exist_ok=True)
onnx.save(model, os.path.join(out, "sensor_demo.onnx"))
x = rng.standard_normal((1, 64)).astype(np.float32)
h = np.maximum(x @ w1.T + b1, 0)
logits = h @ w2.T + b2
e = np.exp(logits - logits.max(axis=-1, keepdims=True))
y = (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)
with open(os.path.join(out, "test_data_set_0", "input_0.pb"), "wb") as f:
    f.write(numpy_helper.from_array(x, "features").SerializeToString())
with open(os.path.join(out, "test_data_set_0", "output_0.pb"), "wb") as f:
    f.write(numpy_helper.from_array(y, "probabilities").SerializeToString())
np.save(os.path.join(out, "test_data_set_0", "input_0.npy"), x)
print("wrote", out)
