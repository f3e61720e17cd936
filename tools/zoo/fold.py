"""Post-export clean-up of torch's ONNX graphs for static shapes.

torch's exporter leaves shape arithmetic on tensors whose shapes are static (Shape -> Slice ->
Concat feeding Resize, for example), Identity nodes aliasing deduplicated initializers, and
Constant nodes. Fold() evaluates those on the host and stores the results as initializers, so
every zoo model has static shapes that ONNX shape inference can follow. Only shape-sized integer
arithmetic is folded; weights are never transformed.
"""

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference

_INT_OPS = {"Gather", "Slice", "Concat", "Unsqueeze", "Squeeze", "Cast", "Add", "Sub", "Mul"}


def _Attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _Eval(node, xs):
    a = _Attrs(node)
    op = node.op_type
    if op == "Gather":
        return np.take(xs[0], xs[1], axis=a.get("axis", 0))
    if op == "Slice":
        data, starts, ends = xs[0], xs[1], xs[2]
        axes = xs[3] if len(xs) > 3 and xs[3] is not None else np.arange(len(starts))
        steps = xs[4] if len(xs) > 4 and xs[4] is not None else np.ones(len(starts), np.int64)
        index = [slice(None)] * data.ndim
        for s, e, ax, st in zip(starts, ends, axes, steps):
            index[int(ax)] = slice(int(s), int(e), int(st))
        return data[tuple(index)]
    if op == "Concat":
        return np.concatenate(xs, axis=a["axis"])
    if op == "Unsqueeze":
        out = xs[0]
        rank = out.ndim + len(xs[1])
        for ax in sorted(int(v) % rank for v in xs[1]):
            out = np.expand_dims(out, ax)
        return out
    if op == "Squeeze":
        axes = tuple(int(v) % xs[0].ndim for v in xs[1]) if len(xs) > 1 else None
        return np.squeeze(xs[0], axis=axes)
    if op == "Cast":
        return xs[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]])
    if op == "Add":
        return xs[0] + xs[1]
    if op == "Sub":
        return xs[0] - xs[1]
    if op == "Mul":
        return xs[0] * xs[1]
    raise AssertionError(op)


def Fold(model):
    """Returns a new ModelProto with static shape arithmetic folded into initializers."""
    inferred = shape_inference.infer_shapes(model)
    static = {}
    g = inferred.graph
    for v in list(g.input) + list(g.value_info) + list(g.output):
        dims = v.type.tensor_type.shape.dim
        if all(d.HasField("dim_value") for d in dims):
            static[v.name] = [d.dim_value for d in dims]

    graph = model.graph
    consts = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    weights = set(consts)
    alias = {}  # Identity output -> source initializer
    kept = []
    for node in graph.node:
        ins = [alias.get(i, i) for i in node.input]
        value = None
        if node.op_type == "Constant" and "value" in _Attrs(node):
            value = numpy_helper.to_array(_Attrs(node)["value"])
        elif node.op_type == "Identity" and ins[0] in consts:
            alias[node.output[0]] = ins[0]
            continue
        elif node.op_type == "Shape" and ins[0] in static:
            a = _Attrs(node)
            shape = static[ins[0]]
            value = np.array(shape[a.get("start", 0):a.get("end", len(shape))], dtype=np.int64)
        elif (node.op_type in _INT_OPS and all(i == "" or i in consts for i in ins) and
              all(consts[i].dtype.kind in "iu" and consts[i].size <= 64 for i in ins if i)):
            value = _Eval(node, [consts[i] if i else None for i in ins])
        if value is not None:
            consts[node.output[0]] = np.asarray(value)
            continue
        del node.input[:]
        node.input.extend(ins)
        kept.append(node)

    for out in graph.output:
        if out.name in alias or (out.name in consts and out.name not in weights):
            raise ValueError("fold: graph output %s would become a constant" % out.name)
    used = {i for n in kept for i in n.input if i}
    initializers = [t for t in graph.initializer if t.name in used]
    for name, value in consts.items():
        if name in used and name not in weights:
            initializers.append(numpy_helper.from_array(value, name=name))
    del graph.node[:]
    graph.node.extend(kept)
    del graph.initializer[:]
    graph.initializer.extend(initializers)
    del graph.value_info[:]
    input_names = {t.name for t in initializers}
    keep_inputs = [v for v in graph.input if v.name not in input_names]
    del graph.input[:]
    graph.input.extend(keep_inputs)
    onnx.checker.check_model(model)
    return model
