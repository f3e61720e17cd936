#!/usr/bin/python3
"""`make bench`: edgerun vs ONNX Runtime (bench/peers/ort_run.js), side by side, alternating.

For every zoo model present (models/manifest.json plus models/demo), runs `edgerun bench` and
`node bench/peers/ort_run.js --bench` in alternating order for --rounds rounds, takes the median
of each statistic over rounds, and writes docs/performance.md with p50/p99/max of both runtimes,
the ratios (ours / theirs), thread count, machine and date. ONNX Runtime is called through
Node.js, which adds a per-call floor: it is measured on an Identity model, with the same thread
count and in the same rounds as each model, and the p50 ratio is also given with that floor
subtracted from ONNX Runtime's figure. Beside each 1-thread model, edgerun_jitter_floor runs a
fixed amount of arithmetic as long as the model's p50, 2000 times: its p99/p50 is the machine's
own jitter, against which the tail figures can be read.

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


def iterations_for(args, model, tmp, threads=None):
    """(iterations, edgerun's p50 in ms from a short probe): args.iterations, fewer where one
    edgerun run is slow: each runtime gets about args.budget_s seconds per round (at least 20
    runs), so the slow models stay measurable."""
    out = os.path.join(tmp, "probe.json")
    cmd = [args.edgerun, "bench", model, "-q", "--threads", str(threads or args.threads), "--providers", args.providers,
           "--warmup", "1", "--iterations", "3", "--profile-runs", "0", "--json", out]
    for f in args.inputs.get(model, []):
        cmd += ["-i", f]
    rep, _ = run_json(cmd, out)
    if rep is None:
        return args.iterations, None
    p50_s = rep["latency_us"]["p50"] / 1e6
    return max(20, min(args.iterations, int(args.budget_s / max(p50_s, 1e-9)))), p50_s * 1e3


STATS = ("p50", "p99", "max", "cold", "rss")


def jitter_floor(args, us, out):
    """The machine's p99/p50 for fixed work of `us` microseconds (bench/jitter_floor.cc)."""
    exe = os.path.join(os.path.dirname(args.edgerun), "edgerun_jitter_floor")
    if not os.access(exe, os.X_OK):
        return None, f"{exe} is not built"
    rep, err = run_json([exe, "--us", f"{max(us, 0.1):.3f}", "--runs", str(args.iterations), "--json", out], out)
    if rep is None:
        return None, err
    l = rep["latency_us"]
    return {"p50": l["p50"] / 1e3, "p99": l["p99"] / 1e3, "max": l["max"] / 1e3, "cold": 0, "rss": 0}, None


def ours(args, model, out):
    cmd = [args.edgerun, "bench", model, "-q", "--threads", str(args.threads), "--providers", args.providers,
           "--warmup", str(args.warmup), "--iterations", str(args.iterations), "--profile-runs", "0", "--json", out]
    for f in args.inputs.get(model, []):
        cmd += ["-i", f]
    rep, err = run_json(cmd, out)
    if rep is None:
        return None, err
    l = rep["latency_us"]
    cold = (rep.get("session_create_ms") or 0) + (rep.get("first_inference_ms") or 0)
    return {"p50": l["p50"] / 1e3, "p99": l["p99"] / 1e3, "max": l["max"] / 1e3, "cold": cold,
            "rss": rep.get("peak_rss_bytes") or 0, "machine": rep["machine"],
            "allocs": rep.get("allocations_per_run"), "arena": rep.get("arena_bytes")}, None


def theirs(args, model, out):
    cmd = ["node", os.path.join(ROOT, "bench", "peers", "ort_run.js"), model, "--bench", "--threads", str(args.threads),
           "--warmup", str(args.warmup), "--iters", str(args.iterations), "--json", out]
    for f in args.inputs.get(model, []):
        cmd += ["-i", f]
    rep, err = run_json(cmd, out)
    if rep is None:
        return None, err
    l = rep["latency_ms"]
    cold = rep.get("session_create_ms", 0) + rep.get("first_inference_ms", 0)
    rss = max(0, rep.get("peak_rss_bytes", 0) - rep.get("node_baseline_rss_bytes", 0))
    return {"p50": l["p50"], "p99": l["p99"], "max": l["max"], "cold": cold, "rss": rss,
            "version": rep.get("version", "?")}, None


def measure(args, model, tmp, probe_ms=None):
    """Alternates the two runtimes for args.rounds rounds; medians per statistic. Each round also
    measures the Node.js floor (ONNX Runtime on the Identity model, same thread count) and, given
    probe_ms (edgerun's p50 estimate) at 1 thread, the machine's jitter for that much fixed work."""
    runs = {"ours": [], "theirs": [], "floor": [], "machine": []}
    errors = {}
    ident = args.identity
    for r in range(args.rounds):
        order = [("ours", lambda a, out: ours(a, model, out)), ("theirs", lambda a, out: theirs(a, model, out))]
        if r % 2:
            order.reverse()
        order.append(("floor", lambda a, out: theirs(a, ident, out)))
        if probe_ms is not None and args.threads == 1:
            order.append(("machine", lambda a, out: jitter_floor(a, probe_ms * 1e3, out)))
        for name, fn in order:
            if name in errors:
                continue
            res, err = fn(args, os.path.join(tmp, f"{name}.json"))
            if res is None:
                errors[name] = err
            else:
                runs[name].append(res)
    med = {}
    for name, rs in runs.items():
        if rs:
            med[name] = {k: statistics.median(x[k] for x in rs) for k in STATS}
            med[name]["max"] = max(x["max"] for x in rs)  # the worst case over all rounds
            med[name].update({k: v for k, v in rs[0].items() if k not in STATS})
    return med, errors


def fmt(v):
    return "n/a" if v is None else (f"{v * 1e3:.1f} us" if v < 1 else f"{v:.3f} ms")


def ratio(a, b):
    return "n/a" if a is None or b is None or b <= 0 else f"{a / b:.2f}"


def mib(b):
    return "n/a" if not b else f"{b / 2**20:.1f} MiB"


def bench_set(args, models, tmp, threads):
    """Measures every model with `threads` intra-op threads for both runtimes."""
    saved_threads, requested = args.threads, args.iterations
    args.threads = threads
    rows, failed = [], False
    for name, path in models:
        args.iterations, probe_ms = iterations_for(args, path, tmp)
        print(f"bench {name}, {threads} thread(s) ({args.iterations} iterations) ...", file=sys.stderr)
        med, errs = measure(args, path, tmp, probe_ms)
        med["iterations"] = args.iterations
        args.iterations = requested
        for who, e in errs.items():
            print(f"  {who}: {e}", file=sys.stderr)
            failed = failed or who in ("ours", "machine")
        rows.append((name, med, errs))
    args.threads = saved_threads
    return rows, failed


def floor_removed(med):
    """ONNX Runtime's p50 less the Node.js floor measured in the same rounds (None if not above it)."""
    t, f = med.get("theirs", {}).get("p50"), med.get("floor", {}).get("p50")
    return t - f if t is not None and f is not None and t > f else None


def latency_table(rows, with_machine):
    head = "| model | runs | edgerun p50 | p99 | max | p99/p50 | ORT p50 | p99 | max | p99/p50 | p50 ratio | p99 ratio | max ratio | Node.js floor | p50 ratio, floor removed |"
    rule = "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    if with_machine:
        head += " machine p99/p50, fixed work of edgerun's p50 |"
        rule += "---|"
    lines = [head, rule]
    for name, med, errs in rows:
        o, t, f, m = med.get("ours", {}), med.get("theirs", {}), med.get("floor", {}), med.get("machine", {})
        line = (f"| {name} | {med.get('iterations')} | {fmt(o.get('p50'))} | {fmt(o.get('p99'))} | {fmt(o.get('max'))} | "
                f"{ratio(o.get('p99'), o.get('p50'))} | {fmt(t.get('p50'))} | {fmt(t.get('p99'))} | {fmt(t.get('max'))} | "
                f"{ratio(t.get('p99'), t.get('p50'))} | {ratio(o.get('p50'), t.get('p50'))} | "
                f"{ratio(o.get('p99'), t.get('p99'))} | {ratio(o.get('max'), t.get('max'))} | {fmt(f.get('p50'))} | "
                f"{ratio(o.get('p50'), floor_removed(med))} |")
        if with_machine:
            line += f" {ratio(m.get('p99'), m.get('p50'))} |"
        lines.append(line)
    return lines


def agent_section(args):
    """Runs build/edgerun_agent_bench (the edge agent's targets) and formats its JSON."""
    exe = os.path.join(os.path.dirname(args.edgerun), "edgerun_agent_bench")
    if not os.access(exe, os.X_OK):
        return ["", "## Edge agent", "", f"Not measured: {exe} is not built."]
    with tempfile.TemporaryDirectory(prefix="edgerun_agent_bench_") as tmp:
        out = os.path.join(tmp, "agent.json")
        print("bench edge agent ...", file=sys.stderr)
        r = subprocess.run([exe, "--json", out], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            return ["", "## Edge agent", "", f"Not measured: edgerun_agent_bench exit {r.returncode}: {r.stderr.strip()[-300:]}"]
        with open(out) as f:
            j = json.load(f)
    lat, thr, com = j["latency"], j["throughput"], j["commit"]

    def st(ok):
        return "met" if ok else "NOT met"

    off, on = lat["sync_off"], lat["sync_on"]
    return [
        "",
        "## Edge agent (sensor_mlp, `edgerun_agent_bench`)",
        "",
        f"The agent's Infer path with the uploader off and on (paced at {lat['rate_hz']:g} Hz, {lat['rounds']} rounds of "
        f"{lat['runs_per_round']} alternating off/on, p99 = median of the rounds' p99), sustained Infer throughput "
        "with about 20% of results routed to the outbox while syncing to a loopback HTTP endpoint, and the outbox's "
        "commit rate (SQLite WAL, one transaction per batch).",
        "",
        "| measure | value | target | status |",
        "|---|---|---|---|",
        f"| Infer p99, sync off / on | {lat['median_round_p99_off_us']:.1f} us / {lat['median_round_p99_on_us']:.1f} us "
        f"(ratio {lat['p99_ratio_on_over_off']:.3f}) | ratio <= 1.1 | {st(lat['p99_ratio_on_over_off'] <= 1.1)} |",
        f"| Infer p50 / max, sync off | {off.get('p50_us', 0):.1f} us / {off.get('max_us', 0):.1f} us | | |",
        f"| Infer p50 / max, sync on | {on.get('p50_us', 0):.1f} us / {on.get('max_us', 0):.1f} us | | |",
        f"| sustained Infer/s, {100 * thr['routed_fraction']:.1f}% routed, syncing | {thr['inferences_per_s']:.0f}/s "
        f"({thr['uploaded_during_run']} events uploaded, {thr['queue_full_drops']} queue-full drops) | >= 10,000/s | "
        f"{st(thr['inferences_per_s'] >= 10000)} |",
        f"| outbox commits, synchronous=FULL | {com['full']['events_per_s']:.0f} events/s | >= 20,000/s | "
        f"{st(com['full']['events_per_s'] >= 20000)} |",
        f"| outbox commits, synchronous=NORMAL | {com['normal']['events_per_s']:.0f} events/s | | |",
    ]


def get(rows, name, who, key):
    for n, med, _ in rows:
        if n == name:
            return med.get(who, {}).get(key)
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--edgerun", default=os.path.join(ROOT, "build", "edgerun"))
    p.add_argument("--providers", default="xnnpack,cpu", help="edgerun's provider list")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--iterations", type=int, default=2000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--budget-s", type=float, default=75.0,
                   help="seconds per runtime per round that bound the iterations of slow models")
    p.add_argument("--two-thread-models", default="sensor_mlp,vibration_cnn1d,mobilenet_v2,squeezenet1_1,resnet18",
                   help="models measured again with 2 threads")
    p.add_argument("--out", default=os.path.join(ROOT, "docs", "performance.md"))
    args = p.parse_args()
    args.threads = 1
    if not os.access(args.edgerun, os.X_OK):
        print(f"error: {args.edgerun} is not built (make build)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="edgerun_bench_") as tmp:
        ident = os.path.join(tmp, "identity.onnx")
        with open(ident, "wb") as f:
            f.write(identity_model())
        ident_in = os.path.join(tmp, "identity_x.npy")
        write_npy_zeros(ident_in)
        args.inputs = {ident: [ident_in]}
        args.identity = ident
        models = zoo_models()
        for _, path in models:
            args.inputs[path] = test_inputs(path)
        rows1, failed1 = bench_set(args, models, tmp, 1)
        two = [m for m in models if m[0] in args.two_thread_models.split(",")]
        rows2, failed2 = bench_set(args, two, tmp, 2)
    failed = failed1 or failed2
    machine = next((m["ours"]["machine"] for _, m, _ in rows1 if "ours" in m), "unknown")
    ort_version = next((m["theirs"].get("version") for _, m, _ in rows1 if "theirs" in m), None)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Performance: edgerun vs ONNX Runtime",
        "",
        f"Generated by `make bench` (bench/run_bench.py) on {now}.",
        "",
        f"- machine: {machine}; batch 1, fp32; edgerun providers: {args.providers} (graph optimization: all)",
        f"- ONNX Runtime: onnxruntime-node {ort_version or 'not available'} through Node.js "
        f"(bench/peers/ort_run.js, sequential, all graph optimizations)",
        f"- method: {args.warmup} warm-up runs, then up to {args.iterations} timed runs (fewer only where a model is too slow "
        f"for about {args.budget_s:g} s per runtime per round; the count is in the table); the two runtimes alternate "
        f"(order flipped every round) for {args.rounds} rounds; each figure is the median over rounds, except max, "
        "which is the worst over all rounds",
        "- Node.js floor: ONNX Runtime's p50 on a float[1,64] Identity model, measured with the same thread count in "
        "every round of every model (the median over that model's rounds is in its row)",
        "- ratio = edgerun / ONNX Runtime (below 1: edgerun is faster); 'p50 ratio, floor removed' subtracts the "
        "row's Node.js floor from ONNX Runtime's p50 (n/a where the floor measured above ONNX Runtime's own p50)",
        "- machine p99/p50: in every 1-thread round, `edgerun_jitter_floor` (bench/jitter_floor.cc) times a fixed "
        "chain of multiply-adds as long as edgerun's p50, as many times as the model runs; every run does the same "
        "work, so its p99/p50 is the machine's own jitter at that duration, the floor under any runtime's tail",
        "",
        "## Latency, 1 thread",
        "",
    ] + latency_table(rows1, True) + [
        "",
        "## Latency, 2 threads",
        "",
    ] + latency_table(rows2, False) + [
        "",
        "## Cold start and memory (1 thread)",
        "",
        "Cold start = session creation (load, optimize, compile) + first inference, in the benchmarking process. "
        "Peak RSS: edgerun's whole process; ONNX Runtime's Node.js process minus Node.js's own peak before loading "
        "ONNX Runtime.",
        "",
        "| model | edgerun cold start | ORT cold start | ratio | edgerun peak RSS | ORT peak RSS - Node.js | ratio | edgerun arena | heap allocations per run |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, med, _ in rows1:
        o, t = med.get("ours", {}), med.get("theirs", {})
        allocs = o.get("allocs")
        lines.append(f"| {name} | {fmt(o.get('cold'))} | {fmt(t.get('cold'))} | {ratio(o.get('cold'), t.get('cold'))} | "
                     f"{mib(o.get('rss'))} | {mib(t.get('rss'))} | {ratio(o.get('rss'), t.get('rss'))} | "
                     f"{mib(o.get('arena')) if o.get('arena') else 'none'} | {'n/a' if allocs is None else f'{allocs:g}'} |")

    # The issue's targets, evaluated from the tables above.
    def check(ok):
        return "n/a" if ok is None else ("met" if ok else "NOT met")

    def le(a, b, k=1.0):
        return None if a is None or b is None or b <= 0 else a / b <= k

    targets = []
    for th, rows in ((1, rows1), (2, rows2)):
        for m in ("mobilenet_v2", "squeezenet1_1", "resnet18"):
            o, t = get(rows, m, "ours", "p50"), get(rows, m, "theirs", "p50")
            targets.append((f"{m} p50 <= 1.0x ORT, {th} thread(s)", ratio(o, t), check(le(o, t))))
        for m in ("sensor_mlp", "vibration_cnn1d"):
            o, t = get(rows, m, "ours", "p50"), get(rows, m, "theirs", "p50")
            tf = next((floor_removed(med) for n, med, _ in rows if n == m), None)
            targets.append((f"{m} p50 <= 0.5x ORT minus Node.js floor, {th} thread(s) (raw ratio {ratio(o, t)})",
                            ratio(o, tf), check(le(o, tf, 0.5)) if tf else "n/a: ORT p50 is below the floor"))
    for name, med, _ in rows1:
        o = med.get("ours", {})
        mach = med.get("machine", {})
        mtr = f"; machine's, fixed work: {ratio(mach.get('p99'), mach.get('p50'))}" if mach.get("p50") else ""
        if o.get("p50") and med.get("iterations", 0) >= 2000:
            tr = o["p99"] / o["p50"]
            targets.append((f"{name} p99/p50 <= 1.15 over {med['iterations']} runs, 1 thread (max {fmt(o.get('max'))}{mtr})",
                            f"{tr:.2f}", check(tr <= 1.15)))
        elif o.get("p50"):
            targets.append((f"{name} p99/p50 <= 1.15, 1 thread", f"{o['p99'] / o['p50']:.2f} over {med.get('iterations')} runs",
                            "n/a: fewer than 2,000 runs"))
        c, tc = o.get("cold"), med.get("theirs", {}).get("cold")
        targets.append((f"{name} cold start <= 0.5x ORT", ratio(c, tc), check(le(c, tc, 0.5))))
    o, t = get(rows1, "mobilenet_v2", "ours", "rss"), get(rows1, "mobilenet_v2", "theirs", "rss")
    targets.append(("mobilenet_v2 peak RSS <= ORT's (minus Node.js)", ratio(o, t), check(le(o, t))))
    a, b = get(rows1, "resnet18", "ours", "p50"), get(rows2, "resnet18", "ours", "p50")
    sp = a / b if a and b else None
    targets.append(("resnet18: 2 threads >= 1.7x faster than 1", "n/a" if sp is None else f"{sp:.2f}x",
                    check(None if sp is None else sp >= 1.7)))
    lines += ["", "## Targets (fast CPU path issue)", "", "| target | measured | status |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in targets]
    notes = sorted({f"{who}: {e}" for rows in (rows1, rows2) for _, _, errs in rows for who, e in errs.items()})
    if notes:
        lines += ["", "Not measured:", ""] + [f"- {n}" for n in notes]
    if SKIPPED:
        lines += ["", "Zoo models not present when this ran (make zoo builds them): " + ", ".join(sorted(SKIPPED)) + "."]
    lines += ["", "The machines are shared and noisy: compare ratios from the same run, not absolute figures across runs.", ""]
    lines += agent_section(args)
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {args.out}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
