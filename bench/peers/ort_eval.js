#!/usr/bin/env node
// Measures a model's accuracy with ONNX Runtime over a whole dataset split.
//
//   ort_eval.js MODEL --data PATH [--labels FILE] [--metric top1|binary] [--threads N]
//   ort_eval.js MODEL --idx-images FILE --idx-labels FILE [--scale S] ...
// Metrics: top1 (argmax of output 0 over its last axis equals the label) and binary (output 0 is
// a score in [0, 1]; accuracy at threshold 0.5 and ROC AUC). Prints one JSON object; exit 77 when
// onnxruntime-node is missing.
'use strict';

const { requireOrt, sessionOptions, ortVersion } = require('./lib/ort');
const { openDataset, openIdx } = require('./lib/dataset');
const { toOrt } = require('./lib/tensors');

function parseArgs(argv) {
  const o = { metric: 'top1', threads: 1, scale: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--data') o.data = v();
    else if (a === '--labels') o.labels = v();
    else if (a === '--idx-images') o.idxImages = v();
    else if (a === '--idx-labels') o.idxLabels = v();
    else if (a === '--scale') o.scale = Number(v());
    else if (a === '--metric') o.metric = v();
    else if (a === '--threads') o.threads = Number(v());
    else if (a === '--limit') o.limit = Number(v());
    else if (!a.startsWith('-') && !o.model) o.model = a;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.model || (!o.data && !o.idxImages)) {
    throw new Error('usage: ort_eval.js MODEL (--data PATH [--labels FILE] | --idx-images F --idx-labels F [--scale S]) [--metric top1|binary]');
  }
  if (!['top1', 'binary'].includes(o.metric)) throw new Error(`unknown metric ${o.metric}`);
  return o;
}

function rocAuc(scores, labels) {
  const idx = scores.map((s, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0; let nPos = 0;
  let i = 0;
  while (i < idx.length) {  // average ranks over ties
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[idx[k]] === 1) { rankSumPos += rank; nPos++; }
    i = j + 1;
  }
  const nNeg = labels.length - nPos;
  if (!nPos || !nNeg) return null;
  return (rankSumPos - nPos * (nPos + 1) / 2) / (nPos * nNeg);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const ort = requireOrt();
  const ds = o.idxImages ? openIdx(o.idxImages, o.idxLabels, o.scale) : openDataset(o.data, o.labels);
  if (!ds.labels) throw new Error('dataset has no labels');
  const session = await ort.InferenceSession.create(o.model, sessionOptions(o));
  const n = o.limit ? Math.min(o.limit, ds.n) : ds.n;
  const outName = session.outputNames[0];
  let correct = 0;
  const scores = [];
  let classes = 0;
  const confusion = [];
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const tensors = ds.sample(i);
    const feeds = {};
    session.inputNames.forEach((name, k) => {
      const t = tensors[k];
      const meta = (session.inputMetadata || [])[k];
      if (meta && meta.shape && meta.shape.length === t.dims.length + 1) t.dims = [1, ...t.dims];
      feeds[name] = toOrt(ort, t);
    });
    const y = (await session.run(feeds))[outName].data;
    const label = ds.labels[i];
    if (o.metric === 'top1') {
      let best = 0;
      for (let c = 1; c < y.length; c++) if (y[c] > y[best]) best = c;
      classes = Math.max(classes, y.length);
      while (confusion.length < classes) confusion.push([]);
      confusion[label][best] = (confusion[label][best] || 0) + 1;
      if (best === label) correct++;
    } else {
      scores.push(y[0]);
      if ((y[0] >= 0.5 ? 1 : 0) === label) correct++;
    }
  }
  const report = {
    model: o.model,
    metric: o.metric,
    accuracy: correct / n,
    n,
    runtime: `onnxruntime-node ${ortVersion(ort)}`,
    seconds: (Date.now() - t0) / 1000,
  };
  if (o.metric === 'binary') report.roc_auc = rocAuc(scores, ds.labels.slice(0, n));
  else report.confusion = confusion.map((row) => Array.from({ length: classes }, (_, c) => row[c] || 0));
  process.stdout.write(JSON.stringify(report) + '\n');
}

main().catch((e) => {
  process.stderr.write(`ort_eval: ${e.message}\n`);
  process.exit(1);
});
