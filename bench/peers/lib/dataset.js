// Datasets in the layout every edgerun tool takes (see docs/models.md, "Dataset layout"):
//   FILE.npy                one array with a leading sample axis (single-input models)
//   DIR/input_<k>.npy       one array per graph input, each with a leading sample axis
//   DIR/<sample>/input_<k>.pb|.npy   a directory per sample (like test_data_set_<n>)
//   DIR/<sample>.npy|.pb    a file per sample (single-input models)
// with optional labels in labels.npy (next to FILE, or inside DIR), one per sample in order
// (sample directories and files sorted by name). IDX image/label files (MNIST, Fashion-MNIST) are
// read with openIdx(). A dataset is {n, labels: number[]|null, sample(i) -> [tensor per input]}.
'use strict';

const fs = require('fs');
const path = require('path');
const { readNpy } = require('./npy');
const { readIdx } = require('./idx');
const { loadTensor } = require('./tensors');

function loadLabels(file) {
  if (!file || !fs.existsSync(file)) return null;
  const t = readNpy(fs.readFileSync(file));
  return Array.from(t.data, Number);
}

function stacked(arrays) {  // [{dataType, dims, data}] each with leading sample axis
  const n = arrays[0].dims[0];
  for (const a of arrays) {
    if (a.dims[0] !== n) throw new Error('dataset: inputs disagree on the number of samples');
  }
  return {
    n,
    sample(i) {
      return arrays.map((a) => {
        const per = a.data.length / n;
        return { name: '', dataType: a.dataType, dims: [1, ...a.dims.slice(1)], data: a.data.subarray(i * per, (i + 1) * per) };
      });
    },
  };
}

function openDataset(p, labelsFile) {
  let ds; let labels;
  if (fs.statSync(p).isFile()) {
    ds = stacked([readNpy(fs.readFileSync(p))]);
    labels = loadLabels(labelsFile || path.join(path.dirname(p), 'labels.npy'));
  } else {
    const entries = fs.readdirSync(p).sort();
    const inputs = entries.filter((f) => /^input_\d+\.npy$/.test(f))
      .sort((a, b) => parseInt(a.slice(6), 10) - parseInt(b.slice(6), 10));
    const dirs = entries.filter((f) => fs.statSync(path.join(p, f)).isDirectory());
    const files = entries.filter((f) => /\.(npy|pb)$/.test(f) && f !== 'labels.npy');
    if (inputs.length) {
      ds = stacked(inputs.map((f) => readNpy(fs.readFileSync(path.join(p, f)))));
    } else if (dirs.length) {
      ds = {
        n: dirs.length,
        sample(i) {
          const d = path.join(p, dirs[i]);
          return fs.readdirSync(d).filter((f) => /^input_\d+\.(pb|npy)$/.test(f))
            .sort((a, b) => parseInt(a.slice(6), 10) - parseInt(b.slice(6), 10))
            .map((f) => loadTensor(path.join(d, f)));
        },
      };
    } else if (files.length) {
      ds = { n: files.length, sample: (i) => [loadTensor(path.join(p, files[i]))] };
    } else {
      throw new Error(`${p}: no samples found`);
    }
    labels = loadLabels(labelsFile || path.join(p, 'labels.npy'));
  }
  if (labels && labels.length !== ds.n) throw new Error(`${p}: ${labels.length} labels for ${ds.n} samples`);
  ds.labels = labels;
  return ds;
}

// IDX images [n, h, w] uint8 -> float32 [1, 1, h, w] scaled by `scale`.
function openIdx(imagesFile, labelsFile, scale) {
  const img = readIdx(imagesFile);
  const n = img.dims[0];
  const per = img.data.length / n;
  const labels = labelsFile ? Array.from(readIdx(labelsFile).data) : null;
  if (labels && labels.length !== n) throw new Error(`${labelsFile}: ${labels.length} labels for ${n} images`);
  return {
    n,
    labels,
    sample(i) {
      const data = new Float32Array(per);
      for (let j = 0; j < per; j++) data[j] = img.data[i * per + j] * scale;
      return [{ name: '', dataType: 1, dims: [1, 1, ...img.dims.slice(1)], data }];
    },
  };
}

module.exports = { openDataset, openIdx };
