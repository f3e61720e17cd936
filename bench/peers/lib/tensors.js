// Loading and saving tensors for the peer harness: .pb (TensorProto) and .npy, and conversion to
// and from onnxruntime-node tensors. Functions throw Error with the file name on bad input.
'use strict';

const fs = require('fs');
const path = require('path');
const { decodeTensorProto, encodeTensorProto, typeInfo, kOrtToOnnx } = require('./tensorproto');
const { readNpy } = require('./npy');

// Reads FILE (.pb TensorProto or .npy) -> {name, dataType, dims, data}.
function loadTensor(file) {
  const buf = fs.readFileSync(file);
  try {
    if (file.endsWith('.npy')) return { name: '', ...readNpy(buf) };
    return decodeTensorProto(buf);
  } catch (e) {
    throw new Error(`${file}: ${e.message}`);
  }
}

function toOrt(ort, t) {
  return new ort.Tensor(typeInfo(t.dataType)[2], t.data, t.dims);
}

function fromOrt(name, tensor) {
  const dataType = kOrtToOnnx[tensor.type];
  if (!dataType) throw new Error(`output '${name}': unsupported type ${tensor.type}`);
  return { name, dataType, dims: tensor.dims.map(Number), data: tensor.data };
}

function saveTensorProto(file, t) {
  fs.writeFileSync(file, encodeTensorProto(t));
}

// Parses the -i arguments (FILE in graph input order, or NAME=FILE) against the session's
// inputs. Returns {feeds: {name: ort.Tensor}, tensors: {name: tensor}}. When a file's shape
// differs from a static model shape only by a leading batch axis of 1, it is reshaped.
function buildFeeds(ort, session, specs) {
  const names = session.inputNames;
  const meta = {};
  for (const m of session.inputMetadata || []) meta[m.name] = m;
  const tensors = {};
  let positional = 0;
  for (const spec of specs) {
    let name; let file;
    const eq = spec.indexOf('=');
    if (eq > 0 && !fs.existsSync(spec) && names.includes(spec.slice(0, eq))) {
      name = spec.slice(0, eq); file = spec.slice(eq + 1);
    } else {
      if (positional >= names.length) throw new Error(`too many inputs: the model has ${names.length}`);
      name = names[positional++]; file = spec;
    }
    if (tensors[name]) throw new Error(`input '${name}' given twice`);
    const t = loadTensor(file);
    const shape = meta[name] && meta[name].shape;
    if (shape && shape.every((d) => typeof d === 'number' && d >= 0)) {
      const want = shape.reduce((a, b) => a * b, 1);
      if (want === t.data.length && shape.join(',') !== t.dims.join(',')) {
        if (t.dims.length + 1 === shape.length && shape[0] === 1) t.dims = shape.slice();
        else throw new Error(`${file}: shape [${t.dims}] does not match input '${name}' [${shape}]`);
      }
    }
    tensors[name] = t;
  }
  const missing = names.filter((n) => !tensors[n]);
  if (missing.length) throw new Error(`missing inputs: ${missing.join(', ')} (graph inputs: ${names.join(', ')})`);
  const feeds = {};
  for (const n of names) feeds[n] = toOrt(ort, tensors[n]);
  return { feeds, tensors };
}

// Inputs of test_data_set_0 next to the model, if present: [file...] in graph input order.
function defaultInputs(modelPath) {
  const dir = path.join(path.dirname(modelPath), 'test_data_set_0');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /^input_\d+\.pb$/.test(f))
    .sort((a, b) => parseInt(a.slice(6), 10) - parseInt(b.slice(6), 10))
    .map((f) => path.join(dir, f));
}

module.exports = { loadTensor, toOrt, fromOrt, saveTensorProto, buildFeeds, defaultInputs };
