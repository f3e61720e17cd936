// Unit tests of the hand-written TensorProto and .npy codecs: `npm test` in bench/peers.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { decodeTensorProto, encodeTensorProto } = require('../lib/tensorproto');
const { readNpy, writeNpy } = require('../lib/npy');

test('float tensor round-trips through raw_data with name and dims', () => {
  const t = { name: 'probs', dataType: 1, dims: [1, 3], data: new Float32Array([0.5, -1, 3e-8]) };
  const back = decodeTensorProto(encodeTensorProto(t));
  assert.strictEqual(back.name, 'probs');
  assert.deepStrictEqual(back.dims, [1, 3]);
  assert.deepStrictEqual(Array.from(back.data), Array.from(t.data));
});

test('int64 tensor keeps negative and large values', () => {
  const t = { name: 'i', dataType: 7, dims: [3], data: new BigInt64Array([-1n, 1n << 40n, 0n]) };
  const back = decodeTensorProto(encodeTensorProto(t));
  assert.deepStrictEqual(Array.from(back.data), [-1n, 1n << 40n, 0n]);
});

test('decodes unpacked dims and float_data written field by field', () => {
  // dims: 2 (field 1 varint), dims: 1, data_type: FLOAT, float_data: 1.0, 2.0 (field 4, fixed32)
  const f = Buffer.alloc(4);
  const parts = [Buffer.from([0x08, 0x02, 0x08, 0x01, 0x10, 0x01])];
  for (const v of [1.0, 2.0]) {
    f.writeFloatLE(v, 0);
    parts.push(Buffer.from([0x25]), Buffer.from(f));
  }
  const t = decodeTensorProto(Buffer.concat(parts));
  assert.deepStrictEqual(t.dims, [2, 1]);
  assert.deepStrictEqual(Array.from(t.data), [1, 2]);
});

test('decodes packed int64_data with negative values', () => {
  // dims [2] packed, data_type INT64, int64_data packed [-2, 300]
  const neg = [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  const body = [...neg, 0xac, 0x02];
  const buf = Buffer.from([0x0a, 0x01, 0x02, 0x10, 0x07, 0x3a, body.length, ...body]);
  assert.deepStrictEqual(Array.from(decodeTensorProto(buf).data), [-2n, 300n]);
});

test('rejects raw_data whose size does not match dims', () => {
  const buf = Buffer.from([0x0a, 0x01, 0x04, 0x10, 0x01, 0x4a, 0x04, 0, 0, 0, 0]);
  assert.throws(() => decodeTensorProto(buf), /raw_data has 4 bytes/);
});

test('rejects truncated input', () => {
  assert.throws(() => decodeTensorProto(Buffer.from([0x0a, 0x05, 0x01])), /truncated/);
});

test('npy round-trip keeps dtype and shape', () => {
  const t = { dataType: 1, dims: [2, 2], data: new Float32Array([1, 2, 3, 4]) };
  const back = readNpy(writeNpy(t));
  assert.strictEqual(back.dataType, 1);
  assert.deepStrictEqual(back.dims, [2, 2]);
  assert.deepStrictEqual(Array.from(back.data), [1, 2, 3, 4]);
});
