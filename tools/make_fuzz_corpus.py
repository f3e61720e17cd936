#!/usr/bin/python3
"""Writes the committed libFuzzer seed corpus (tests/fuzz/corpus/): small, valid models that reach
the loader's paths (initializers in typed and raw form, attributes of every kind, subgraphs,
sequences). Uses Debian's python3-onnx; never used at run time."""
import os
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fuzz", "corpus")
os.makedirs(out, exist_ok=True)
F = TensorProto.FLOAT


def save(name, nodes, inputs, outputs, inits=(), opset=13):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(m.SerializeToString())


rng = np.random.default_rng(1)
save("conv_relu",
     [helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1], strides=[1, 1]),
      helper.make_node("Relu", ["c"], ["y"])],
     [helper.make_tensor_value_info("x", F, [1, 2, 5, 5])],
     [helper.make_tensor_value_info("y", F, [1, 3, 5, 5])],
     [numpy_helper.from_array(rng.standard_normal((3, 2, 3, 3)).astype(np.float32), "w"),
      helper.make_tensor("b", F, [3], [0.1, 0.2, 0.3])])
then_g = helper.make_graph([helper.make_node("Constant", [], ["t"], value=helper.make_tensor("v", F, [1], [1.0]))],
                           "then", [], [helper.make_tensor_value_info("t", F, [1])])
else_g = helper.make_graph([helper.make_node("Neg", ["x"], ["e"])], "else", [],
                           [helper.make_tensor_value_info("e", F, [1])])
save("if_branch",
     [helper.make_node("If", ["c"], ["y"], then_branch=then_g, else_branch=else_g)],
     [helper.make_tensor_value_info("c", TensorProto.BOOL, []), helper.make_tensor_value_info("x", F, [1])],
     [helper.make_tensor_value_info("y", F, [1])])
body = helper.make_graph(
    [helper.make_node("Identity", ["cond_in"], ["cond_out"]), helper.make_node("Add", ["v_in", "one"], ["v_out"])],
    "body",
    [helper.make_tensor_value_info("i", TensorProto.INT64, []), helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
     helper.make_tensor_value_info("v_in", F, [1])],
    [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []), helper.make_tensor_value_info("v_out", F, [1])])
save("loop_counter",
     [helper.make_node("Loop", ["m", "", "v0"], ["v"], body=body)],
     [helper.make_tensor_value_info("m", TensorProto.INT64, []), helper.make_tensor_value_info("v0", F, [1])],
     [helper.make_tensor_value_info("v", F, [1])],
     [helper.make_tensor("one", F, [1], [1.0])])
save("reshape_transpose",
     [helper.make_node("Reshape", ["x", "shape"], ["r"]), helper.make_node("Transpose", ["r"], ["y"], perm=[1, 0]),],
     [helper.make_tensor_value_info("x", F, [2, 3])],
     [helper.make_tensor_value_info("y", F, [3, 2])],
     [numpy_helper.from_array(np.array([2, 3], dtype=np.int64), "shape")])
save("split_seq",
     [helper.make_node("SplitToSequence", ["x"], ["s"], axis=0),
      helper.make_node("ConcatFromSequence", ["s"], ["y"], axis=0)],
     [helper.make_tensor_value_info("x", F, [4, 2])],
     [helper.make_tensor_value_info("y", F, [4, 2])])
print("wrote", out)
