"""Counts FLOPs of an ONNX model from its graph after shape inference.

FLOPs = 2 x multiply-accumulates of Conv, ConvTranspose, Gemm, MatMul, LSTM and GRU (the work
that dominates every zoo model); element-wise ops, pooling and normalisation are not counted.
Usage: python3 flops.py model.onnx
"""

import sys

import numpy as np
import onnx
from onnx import shape_inference


def _Shapes(model):
    inferred = shape_inference.infer_shapes(model)
    shapes = {}
    g = inferred.graph
    for v in list(g.input) + list(g.value_info) + list(g.output):
        dims = v.type.tensor_type.shape.dim
        if all(d.HasField("dim_value") for d in dims):
            shapes[v.name] = [d.dim_value for d in dims]
    for t in g.initializer:
        shapes[t.name] = list(t.dims)
    return shapes


def _Attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def CountFlops(model):
    shapes = _Shapes(model)
    total = 0
    for node in model.graph.node:
        op = node.op_type
        try:
            if op == "Conv":
                w = shapes[node.input[1]]
                y = shapes[node.output[0]]
                total += 2 * int(np.prod(y)) * int(np.prod(w[1:]))
            elif op == "ConvTranspose":
                x = shapes[node.input[0]]
                w = shapes[node.input[1]]
                total += 2 * int(np.prod(x)) * int(np.prod(w[1:]))
            elif op == "Gemm":
                a = shapes[node.input[0]]
                y = shapes[node.output[0]]
                k = a[0] if _Attr(node, "transA", 0) else a[1]
                total += 2 * int(np.prod(y)) * k
            elif op == "MatMul":
                a = shapes[node.input[0]]
                y = shapes[node.output[0]]
                total += 2 * int(np.prod(y)) * a[-1]
            elif op in ("LSTM", "GRU"):
                x = shapes[node.input[0]]  # [seq, batch, input]
                w = shapes[node.input[1]]  # [dirs, gates*hidden, input]
                r = shapes[node.input[2]]  # [dirs, gates*hidden, hidden]
                seq, batch = x[0], x[1]
                total += 2 * seq * batch * (int(np.prod(w)) + int(np.prod(r)))
        except KeyError:
            raise ValueError("flops: no static shape for node %s (%s)" % (node.name, op))
    return int(total)


if __name__ == "__main__":
    print(CountFlops(onnx.load(sys.argv[1])))
