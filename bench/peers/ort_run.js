#!/usr/bin/env node
// Peer runtime: runs an ONNX model with ONNX Runtime (onnxruntime-node), taking and writing
// tensors the way `edgerun run` does, with an optional timing mode.
'use strict';

const fs = require('fs');
const path = require('path');
const { requireOrt, sessionOptions, ortVersion } = require('./lib/ort');
const { buildFeeds, fromOrt, saveTensorProto, defaultInputs } = require('./lib/tensors');

const kUsage = `usage: ort_run.js MODEL [options]

Runs MODEL with ONNX Runtime (CPU) and writes DIR/output_<k>.pb (TensorProto carrying the
output's name, in graph output order), like \`edgerun run MODEL -i ... -o DIR\`.

  -i FILE | -i NAME=FILE  input tensor (.pb TensorProto or .npy); FILE alone binds graph inputs
                          in order. Default: MODEL's directory test_data_set_0/input_<k>.pb
  -o DIR                  write outputs here (created if missing)
  --threads N             intra-op threads (default 1)
  --opt-level L           disabled|basic|extended|all (default all)
  --bench                 timing mode: prints JSON with session create time, first inference
                          time and latency percentiles (ms)
  --warmup N              warm-up runs before timing (default 10)
  --iters N               timed runs (default 100)
  --json FILE             write the timing JSON to FILE instead of stdout
Exit status: 0 ok, 1 error, 2 usage, 77 onnxruntime-node missing (skip).`;

function parseArgs(argv) {
  const o = { inputs: [], threads: 1, warmup: 10, iters: 100, bench: false, optLevel: 'all' };
  const need = (i) => {
    if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`);
    return argv[i + 1];
  };
  const int = (s, flag) => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < 0) usage(`${flag}: expected a non-negative integer, got '${s}'`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-i' || a === '--input') o.inputs.push(need(i++));
    else if (a === '-o' || a === '--output') o.outDir = need(i++);
    else if (a === '--threads') o.threads = int(need(i++), a);
    else if (a === '--opt-level') o.optLevel = need(i++);
    else if (a === '--bench') o.bench = true;
    else if (a === '--warmup') o.warmup = int(need(i++), a);
    else if (a === '--iters') o.iters = int(need(i++), a);
    else if (a === '--json') o.json = need(i++);
    else if (a === '-h' || a === '--help') { console.log(kUsage); process.exit(0); }
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (!o.model) o.model = a;
    else usage(`unexpected argument ${a}`);
  }
  if (!o.model) usage('MODEL is required');
  if (o.bench && o.iters < 1) usage('--iters must be >= 1');
  return o;
}

function usage(msg) {
  process.stderr.write(`ort_run: ${msg}\n${kUsage}\n`);
  process.exit(2);
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function percentile(sorted, p) {
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

function summarize(times) {
  const s = times.slice().sort((a, b) => a - b);
  const r = (x) => Math.round(x * 1e4) / 1e4;
  const p50 = percentile(s, 0.5);
  const p99 = percentile(s, 0.99);
  return {
    min: r(s[0]), mean: r(s.reduce((a, b) => a + b, 0) / s.length), p50: r(p50),
    p90: r(percentile(s, 0.9)), p99: r(p99), p999: r(percentile(s, 0.999)),
    max: r(s[s.length - 1]), tail_ratio_p99_p50: r(p99 / p50),
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  // Node.js's own peak RSS before ONNX Runtime is loaded: subtracted to get ONNX Runtime's share.
  const baselineRssKb = process.resourceUsage().maxRSS;
  const ort = requireOrt();
  if (!fs.existsSync(o.model)) throw new Error(`${o.model}: no such file`);
  const specs = o.inputs.length ? o.inputs : defaultInputs(o.model);
  const t0 = nowMs();
  const session = await ort.InferenceSession.create(o.model, sessionOptions(o));
  const createMs = nowMs() - t0;
  const { feeds } = buildFeeds(ort, session, specs);

  const t1 = nowMs();
  const results = await session.run(feeds);
  const firstMs = nowMs() - t1;

  if (o.outDir) {
    fs.mkdirSync(o.outDir, { recursive: true });
    session.outputNames.forEach((name, k) => {
      saveTensorProto(path.join(o.outDir, `output_${k}.pb`), fromOrt(name, results[name]));
    });
  }
  if (!o.bench) return;

  for (let i = 0; i < o.warmup; i++) await session.run(feeds);
  const times = new Array(o.iters);
  for (let i = 0; i < o.iters; i++) {
    const s = nowMs();
    await session.run(feeds);
    times[i] = nowMs() - s;
  }
  const report = {
    runtime: 'onnxruntime-node',
    version: ortVersion(ort),
    model: o.model,
    threads: o.threads,
    opt_level: o.optLevel,
    warmup: o.warmup,
    iterations: o.iters,
    session_create_ms: Math.round(createMs * 1e4) / 1e4,
    first_inference_ms: Math.round(firstMs * 1e4) / 1e4,
    latency_ms: summarize(times),
    peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
    node_baseline_rss_bytes: baselineRssKb * 1024,
    node: process.version,
    date: new Date().toISOString(),
  };
  const text = JSON.stringify(report, null, 2) + '\n';
  if (o.json) fs.writeFileSync(o.json, text); else process.stdout.write(text);
}

main().catch((e) => {
  process.stderr.write(`ort_run: ${e.message}\n`);
  process.exit(1);
});
