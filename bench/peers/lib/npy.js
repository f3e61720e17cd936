// NumPy .npy read/write (format versions 1-3, little-endian, C order).
//
// readNpy(buf) -> {dtype: onnx data type number, dims, data: TypedArray}
// writeNpy({dataType, dims, data}) -> Buffer
// Fortran order, big-endian and object dtypes are rejected with an Error.
'use strict';

const { typeInfo } = require('./tensorproto');

const kDescr = {
  '<f4': 1, '|u1': 2, '<u1': 2, '|i1': 3, '<i1': 3, '<u2': 4, '<i2': 5, '<i4': 6, '<i8': 7,
  '|b1': 9, '<b1': 9, '<f2': 10, '<f8': 11, '<u4': 12, '<u8': 13,
};
const kDescrOf = { 1: '<f4', 2: '|u1', 3: '|i1', 4: '<u2', 5: '<i2', 6: '<i4', 7: '<i8', 9: '|b1', 10: '<f2', 11: '<f8', 12: '<u4', 13: '<u8' };

function readNpy(buf) {
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error('npy: bad magic');
  const major = buf[6];
  let headerLen; let off;
  if (major === 1) { headerLen = buf.readUInt16LE(8); off = 10; } else { headerLen = buf.readUInt32LE(8); off = 12; }
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', off, off + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const fortran = /'fortran_order':\s*(True|False)/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) throw new Error(`npy: cannot parse header ${header}`);
  if (fortran[1] === 'True') throw new Error('npy: fortran_order arrays are not supported');
  const dataType = kDescr[descr[1]];
  if (!dataType) throw new Error(`npy: unsupported dtype ${descr[1]}`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const [Arr, size] = typeInfo(dataType);
  const count = dims.reduce((a, b) => a * b, 1);
  const start = off + headerLen;
  if (buf.length - start < count * size) throw new Error('npy: truncated data');
  const copy = new Uint8Array(count * size);
  copy.set(buf.subarray(start, start + count * size));
  return { dataType, dims, data: new Arr(copy.buffer, 0, count) };
}

function writeNpy({ dataType, dims, data }) {
  const [, size] = typeInfo(dataType);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${kDescrOf[dataType]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1'); head[6] = 1; head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.length * size)]);
}

module.exports = { readNpy, writeNpy };
