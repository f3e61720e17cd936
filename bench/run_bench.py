#!/usr/bin/python3
"""`make bench`: edgerun vs ONNX Runtime (bench/peers/ort_run.js), side by side, alternating.

For every zoo model present (models/manifest.json plus models/demo), runs `edgerun bench` and
`node bench/peers/ort_run.js --bench` in alternating order for --rounds rounds, takes the median
of each statistic over rounds, and writes docs/performance.md with p50/p99/max of both runtimes,
the ratios (ours / theirs), thread count, machine and date. ONNX Runtime is called through
Node.js, which adds a per-call floor: it is measured on an Identity model and the p50 ratio is
also given with that floor subtracted from ONNX Runtime's figure.

Exit status: 0 ok, 1 a run failed, 2 usage.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIPPED = set()  # zoo models listed in the manifest but not present (make zoo)


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(num, payload):
    """Length-delimited protobuf field (payload bytes or str)."""
    if isinstance(payload, str):
        payload = payload.encode()
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def int_field(num, value):
    return varint(num << 3) + varint(value)


def identity_model(n=64):
    """ModelProto bytes: y = Identity(x), float[1, n], opset 13 (written by hand: no onnx module)."""
    dims = field(1, int_field(1, 1)) + field(1, int_field(1, n))
    vtype = field(1, int_field(1, 1) + field(2, dims))  # TypeProto.tensor_type{elem_type, shape}
    node = field(1, "x") + field(2, "y") + field(3, "identity") + field(4, "Identity")
    graph = field(1, node) + field(2, "identity") + field(11, field(1, "x") + field(2, vtype)) + \
        field(12, field(1, "y") + field(2, vtype))
    return int_field(1, 8) + field(2, "edgerun-bench") + field(7, graph) + field(8, field(1, "") + int_field(2, 13))


def write_npy_zeros(path, n=64):
    """float32 [1, n] zeros as .npy (version 1.0), the Identity model's input."""
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, %d), }" % n
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + bytes(4 * n))


def test_inputs(model):
    """Inputs from test_data_set_0 beside the model, so both runtimes see the same data."""
    d = os.path.join(os.path.dirname(model), "test_data_set_0")
    files, k = [], 0
    while os.path.exists(os.path.join(d, f"input_{k}.pb")):
        files.append(os.path.join(d, f"input_{k}.pb"))
        k += 1
    return files


def zoo_models():
    models = []
    cache = os.environ.get("ZOO_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "edgerun", "zoo"))
    with open(os.path.join(ROOT, "models", "manifest.json")) as f:
        for m in json.load(f)["models"]:
            path = os.path.join(ROOT, m["path"].replace("${ZOO_CACHE}", cache))
            if os.path.exists(path):
                models.append((m["name"], path))
            else:
                print(f"skip {m['name']}: {m['path']} not present (make zoo)", file=sys.stderr)
                SKIPPED.add(m["name"])
    demo = os.path.join(ROOT, "models", "demo", "sensor_demo.onnx")
    if os.path.exists(demo):
        models.insert(0, ("sensor_demo", demo))
    return models


def run_json(cmd, out_path):
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode == 77:
        return None, "onnxruntime-node not installed (cd bench/peers && npm ci)"
    if r.returncode != 0:
        return None, f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()[-300:]}"
    with open(out_path) as f:
        return json.load(f), None


def iterations_for(args, model, tmp):
    """args.iterations, fewer where one edgerun run is slow: each runtime gets about
    args.budget_s seconds per round (at least 20 runs), so the slow models stay measurable."""
    out = os.path.join(tmp, "probe.json")
    cmd = [args.edgerun, "bench", model, "-q", "--threads", str(args.threads), "--warmup", "1", "--iterations", "3",
           "--profile-runs", "0", "--json", out]
    for f in args.inputs.get(model, []):
        cmd += ["-i", f]
    rep, _ = run_json(cmd, out)
    if rep is None:
        return args.iterations
    p50_s = rep["latency_us"]["p50"] / 1e6
    return max(20, min(args.iterations, int(args.budget_s / max(p50_s, 1e-9))))


def ours(args, model, out):
    cmd = [args.edgerun, "bench", model, "-q", "--threads", str(args.threads), "--warmup", str(args.warmup),
           "--iterations", str(args.iterations), "--profile-runs", "0", "--json", out]
    for f in args.inputs.get(model, []):
        cmd += ["-i", f]
    rep, err = run_json(cmd, out)
    if rep is None:
        return None, err
    l = rep["latency_us"]
    return {"p50": l["p50"] / 1e3, "p99": l["p99"] / 1e3, "max": l["max"] / 1e3, "machine": rep["machine"]}, None


def theirs(args, model, out):
    cmd = ["node", os.path.join(ROOT, "bench", "peers", "ort_run.js"), model, "--bench", "--threads", str(args.threads),
           "--warmup", str(args.warmup), "--iters", str(args.iterations), "--json", out]
    for f in args.inputs.get(model, []):
        cmd += ["-i", f]
    rep, err = run_json(cmd, out)
    if rep is None:
        return None, err
    l = rep["latency_ms"]
    return {"p50": l["p50"], "p99": l["p99"], "max": l["max"], "version": rep.get("version", "?")}, None


def measure(args, model, tmp):
    """Alternates the two runtimes for args.rounds rounds; medians per statistic."""
    runs = {"ours": [], "theirs": []}
    errors = {}
    for r in range(args.rounds):
        order = [("ours", ours), ("theirs", theirs)]
        if r % 2:
            order.reverse()
        for name, fn in order:
            if name in errors:
                continue
            res, err = fn(args, model, os.path.join(tmp, f"{name}.json"))
            if res is None:
                errors[name] = err
            else:
                runs[name].append(res)
    med = {}
    for name, rs in runs.items():
        if rs:
            med[name] = {k: statistics.median(x[k] for x in rs) for k in ("p50", "p99", "max")}
            med[name].update({k: v for k, v in rs[0].items() if k not in ("p50", "p99", "max")})
    return med, errors


def fmt(v):
    return "n/a" if v is None else (f"{v * 1e3:.1f} us" if v < 1 else f"{v:.3f} ms")


def ratio(a, b):
    return "n/a" if a is None or b is None or b <= 0 else f"{a / b:.2f}"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--edgerun", default=os.path.join(ROOT, "build", "edgerun"))
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--iterations", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--budget-s", type=float, default=30.0,
                   help="seconds per runtime per round that bound the iterations of slow models")
    p.add_argument("--out", default=os.path.join(ROOT, "docs", "performance.md"))
    args = p.parse_args()
    if not os.access(args.edgerun, os.X_OK):
        print(f"error: {args.edgerun} is not built (make build)", file=sys.stderr)
        return 1
    failed = False
    rows = []
    with tempfile.TemporaryDirectory(prefix="edgerun_bench_") as tmp:
        ident = os.path.join(tmp, "identity.onnx")
        with open(ident, "wb") as f:
            f.write(identity_model())
        ident_in = os.path.join(tmp, "identity_x.npy")
        write_npy_zeros(ident_in)
        args.inputs = {ident: [ident_in]}
        for _, path in zoo_models():
            args.inputs[path] = test_inputs(path)
        floor, floor_err = measure(args, ident, tmp)
        floor_p50 = floor.get("theirs", {}).get("p50")
        requested = args.iterations
        for name, path in zoo_models():
            args.iterations = iterations_for(args, path, tmp)
            print(f"bench {name} ({args.iterations} iterations) ...", file=sys.stderr)
            med, errs = measure(args, path, tmp)
            med["iterations"] = args.iterations
            args.iterations = requested
            for who, e in errs.items():
                print(f"  {who}: {e}", file=sys.stderr)
                failed = failed or who == "ours"
            rows.append((name, med, errs))
    machine = next((m["ours"]["machine"] for _, m, _ in rows if "ours" in m), "unknown")
    ort_version = next((m["theirs"].get("version") for _, m, _ in rows if "theirs" in m), None)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Performance: edgerun vs ONNX Runtime",
        "",
        f"Generated by `make bench` (bench/run_bench.py) on {now}.",
        "",
        f"- machine: {machine}; intra-op threads: {args.threads} for both runtimes",
        f"- ONNX Runtime: onnxruntime-node {ort_version or 'not available'} through Node.js "
        f"(bench/peers/ort_run.js, sequential, all graph optimizations)",
        f"- method: {args.warmup} warm-up runs, then up to {args.iterations} timed runs (fewer for slow models: about "
        f"{args.budget_s:g} s per runtime per round, at least 20; the count is in the table); the two runtimes alternate "
        f"(order flipped every round) for {args.rounds} rounds; each figure is the median over rounds",
        f"- Node.js per-call floor (ONNX Runtime p50 on a float[1,64] Identity model): {fmt(floor_p50)}"
        + (f" ({floor_err.get('theirs')})" if floor_err.get("theirs") else ""),
        "- ratio = edgerun / ONNX Runtime (below 1: edgerun is faster); 'p50 ratio, floor removed' subtracts the "
        "Node.js floor from ONNX Runtime's p50 (n/a where the floor measured above ONNX Runtime's own p50)",
        "",
        "| model | runs | edgerun p50 | p99 | max | ORT p50 | p99 | max | p50 ratio | p99 ratio | max ratio | p50 ratio, floor removed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, med, errs in rows:
        o, t = med.get("ours", {}), med.get("theirs", {})
        tf = t.get("p50") - floor_p50 if t.get("p50") is not None and floor_p50 is not None else None
        lines.append(f"| {name} | {med.get('iterations')} | {fmt(o.get('p50'))} | {fmt(o.get('p99'))} | {fmt(o.get('max'))} | {fmt(t.get('p50'))} | "
                     f"{fmt(t.get('p99'))} | {fmt(t.get('max'))} | {ratio(o.get('p50'), t.get('p50'))} | "
                     f"{ratio(o.get('p99'), t.get('p99'))} | {ratio(o.get('max'), t.get('max'))} | {ratio(o.get('p50'), tf)} |")
    notes = sorted({f"{who}: {e}" for _, _, errs in rows for who, e in errs.items()})
    if notes:
        lines += ["", "Not measured:", ""] + [f"- {n}" for n in notes]
    if SKIPPED:
        lines += ["", "Zoo models not present when this ran (make zoo builds them): " + ", ".join(sorted(SKIPPED)) + "."]
    lines += ["", "The machines are shared and noisy: compare ratios from the same run, not absolute figures across runs.", ""]
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {args.out}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
