#!/usr/bin/env node
// Compares output tensors: compare.js ACTUAL EXPECTED [--rtol R]
// ACTUAL and EXPECTED are .pb/.npy files or directories holding output_<k>.pb. For each output the
// relative error is max|actual - expected| / max|expected| (max-norm, so outputs near zero do not
// dominate); integer and bool outputs must match exactly. Names, types and shapes must match when
// both sides carry them. Prints one line per output; exit 0 when all pass, 1 otherwise, 2 usage.
'use strict';

const fs = require('fs');
const path = require('path');
const { loadTensor } = require('./lib/tensors');

function listOutputs(p) {
  if (!fs.statSync(p).isDirectory()) return [p];
  return fs.readdirSync(p).filter((f) => /^output_\d+\.(pb|npy)$/.test(f))
    .sort((a, b) => parseInt(a.slice(7), 10) - parseInt(b.slice(7), 10))
    .map((f) => path.join(p, f));
}

function compareTensors(a, e) {
  const problems = [];
  if (a.name && e.name && a.name !== e.name) problems.push(`name '${a.name}' != '${e.name}'`);
  if (a.dataType !== e.dataType) problems.push(`data_type ${a.dataType} != ${e.dataType}`);
  if (a.dims.join(',') !== e.dims.join(',')) problems.push(`shape [${a.dims}] != [${e.dims}]`);
  if (problems.length) return { ok: false, detail: problems.join('; ') };
  const isFloat = [1, 10, 11].includes(e.dataType);
  if (!isFloat || e.dataType === 10) {
    if (e.dataType === 10) return { ok: false, detail: 'float16 comparison is not supported' };
    for (let i = 0; i < e.data.length; i++) {
      if (a.data[i] !== e.data[i]) return { ok: false, detail: `element ${i}: ${a.data[i]} != ${e.data[i]}` };
    }
    return { ok: true, rel: 0, detail: 'exact' };
  }
  let maxDiff = 0; let maxRef = 0; let at = -1;
  for (let i = 0; i < e.data.length; i++) {
    const d = Math.abs(a.data[i] - e.data[i]);
    if (!(d <= maxDiff)) { maxDiff = d; at = i; }  // also catches NaN
    maxRef = Math.max(maxRef, Math.abs(e.data[i]));
  }
  const rel = maxRef > 0 ? maxDiff / maxRef : maxDiff;
  return { rel, maxDiff, maxRef, at };
}

function main() {
  const args = process.argv.slice(2);
  let rtol = 1e-4;
  const paths = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--rtol') rtol = Number(args[++i]);
    else paths.push(args[i]);
  }
  if (paths.length !== 2 || !(rtol >= 0)) {
    process.stderr.write('usage: compare.js ACTUAL EXPECTED [--rtol R]\n');
    process.exit(2);
  }
  const actual = listOutputs(paths[0]);
  const expected = listOutputs(paths[1]);
  let ok = actual.length === expected.length && expected.length > 0;
  if (!ok) console.log(`FAIL output count: ${actual.length} actual, ${expected.length} expected`);
  for (let k = 0; k < Math.min(actual.length, expected.length); k++) {
    const a = loadTensor(actual[k]);
    const e = loadTensor(expected[k]);
    const r = compareTensors(a, e);
    const label = `output_${k} '${e.name || a.name}' [${e.dims}]`;
    let pass;
    if (r.ok !== undefined) pass = r.ok;
    else pass = Number.isFinite(r.rel) && r.rel <= rtol;
    if (!pass) ok = false;
    const detail = r.detail || `rel ${r.rel.toExponential(3)} (max |diff| ${r.maxDiff.toExponential(3)}${r.at >= 0 ? ` at ${r.at}` : ''}, max |ref| ${r.maxRef.toExponential(3)})`;
    console.log(`${pass ? 'ok  ' : 'FAIL'} ${label}: ${detail}${pass ? '' : ` > rtol ${rtol}`}`);
  }
  process.exit(ok ? 0 : 1);
}

main();
