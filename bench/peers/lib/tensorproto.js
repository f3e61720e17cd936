// ONNX TensorProto encode/decode (protobuf wire format), written by hand: no protobuf dependency.
//
// decodeTensorProto(buf) -> {name, dataType, dims: number[], data: TypedArray}
// encodeTensorProto({name, dataType, dims, data}) -> Buffer (dims, data_type, name, raw_data)
// Supports raw_data and the typed repeated fields (float_data, int32_data, int64_data,
// double_data, uint64_data); string tensors, segments and external data are rejected with an
// Error. Pure functions, safe to call from anywhere.
'use strict';

const DataType = Object.freeze({
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13,
});

// dataType -> [ArrayType, bytes per element, onnxruntime tensor type name]
const kTypes = {
  1: [Float32Array, 4, 'float32'],
  2: [Uint8Array, 1, 'uint8'],
  3: [Int8Array, 1, 'int8'],
  4: [Uint16Array, 2, 'uint16'],
  5: [Int16Array, 2, 'int16'],
  6: [Int32Array, 4, 'int32'],
  7: [BigInt64Array, 8, 'int64'],
  9: [Uint8Array, 1, 'bool'],
  10: [Uint16Array, 2, 'float16'],
  11: [Float64Array, 8, 'float64'],
  12: [Uint32Array, 4, 'uint32'],
  13: [BigUint64Array, 8, 'uint64'],
};

const kOrtToOnnx = {
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, bool: 9,
  float16: 10, float64: 11, uint32: 12, uint64: 13,
};

function typeInfo(dataType) {
  const t = kTypes[dataType];
  if (!t) throw new Error(`TensorProto: unsupported data_type ${dataType}`);
  return t;
}

class Reader {
  constructor(buf) { this.buf = buf; this.pos = 0; }
  done() { return this.pos >= this.buf.length; }
  varint() {  // returns BigInt
    let result = 0n; let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('TensorProto: truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('TensorProto: varint too long');
    }
  }
  bytes() {
    const n = Number(this.varint());
    if (this.pos + n > this.buf.length) throw new Error('TensorProto: truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire) {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`TensorProto: unsupported wire type ${wire}`);
  }
}

// Reads a repeated scalar field that may be packed (wire 2) or not.
function readRepeated(r, wire, fixedBytes, out, decodeFixed) {
  if (wire === 2) {
    const sub = r.bytes();
    if (fixedBytes) {
      for (let i = 0; i + fixedBytes <= sub.length; i += fixedBytes) out.push(decodeFixed(sub, i));
    } else {
      const rr = new Reader(sub);
      while (!rr.done()) out.push(rr.varint());
    }
  } else if (fixedBytes) {
    out.push(decodeFixed(r.buf, r.pos));
    r.pos += fixedBytes;
  } else {
    out.push(r.varint());
  }
}

const asInt64 = (v) => BigInt.asIntN(64, v);

function decodeTensorProto(buf) {
  const r = new Reader(Buffer.isBuffer(buf) ? buf : Buffer.from(buf));
  const t = { name: '', dataType: 0, dims: [], raw: null };
  const dims = []; const floats = []; const ints32 = []; const ints64 = [];
  const doubles = []; const uints64 = [];
  while (!r.done()) {
    const key = Number(r.varint());
    const field = key >>> 3; const wire = key & 7;
    switch (field) {
      case 1: readRepeated(r, wire, 0, dims); break;
      case 2: t.dataType = Number(r.varint()); break;
      case 3: throw new Error('TensorProto: segmented tensors are not supported');
      case 4: readRepeated(r, wire, 4, floats, (b, i) => b.readFloatLE(i)); break;
      case 5: readRepeated(r, wire, 0, ints32); break;
      case 6: throw new Error('TensorProto: string tensors are not supported');
      case 7: readRepeated(r, wire, 0, ints64); break;
      case 8: t.name = r.bytes().toString('utf8'); break;
      case 9: t.raw = r.bytes(); break;
      case 10: readRepeated(r, wire, 8, doubles, (b, i) => b.readDoubleLE(i)); break;
      case 11: readRepeated(r, wire, 0, uints64); break;
      case 13: throw new Error('TensorProto: external data is not supported');
      case 14: if (Number(r.varint()) !== 0) throw new Error('TensorProto: external data is not supported'); break;
      default: r.skip(wire);
    }
  }
  t.dims = dims.map((d) => Number(asInt64(d)));
  const [Arr, size] = typeInfo(t.dataType);
  const count = t.dims.reduce((a, b) => a * b, 1);
  let data;
  if (t.raw) {
    if (t.raw.length !== count * size) {
      throw new Error(`TensorProto '${t.name}': raw_data has ${t.raw.length} bytes, dims need ${count * size}`);
    }
    const copy = new Uint8Array(t.raw.length);  // aligned copy
    copy.set(t.raw);
    data = new Arr(copy.buffer, 0, count);
  } else {
    data = new Arr(count);
    let src;
    switch (t.dataType) {
      case 1: src = floats; break;
      case 11: src = doubles; break;
      case 7: src = ints64.map(asInt64); break;
      case 12: case 13: src = uints64.length ? uints64 : ints64; break;
      default: src = ints32.map((v) => Number(BigInt.asIntN(32, v)));
    }
    if (src.length !== count) {
      throw new Error(`TensorProto '${t.name}': ${src.length} values, dims need ${count}`);
    }
    for (let i = 0; i < count; i++) {
      data[i] = (Arr === BigInt64Array || Arr === BigUint64Array) ? BigInt(src[i]) : Number(src[i]);
    }
  }
  return { name: t.name, dataType: t.dataType, dims: t.dims, data };
}

function writeVarint(out, value) {
  let v = BigInt.asUintN(64, BigInt(value));
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
}

function encodeTensorProto({ name = '', dataType, dims, data }) {
  const [Arr, size] = typeInfo(dataType);
  const count = dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new Error(`encodeTensorProto '${name}': ${data.length} values for dims [${dims}]`);
  let typed = data;
  if (!(data instanceof Arr)) typed = Arr.from(data);
  const head = [];
  if (dims.length) {
    const packed = [];
    for (const d of dims) writeVarint(packed, d);
    head.push(0x0a); writeVarint(head, packed.length); head.push(...packed);
  }
  head.push(0x10); writeVarint(head, dataType);
  if (name) {
    const nb = Buffer.from(name, 'utf8');
    head.push(0x42); writeVarint(head, nb.length);
    head.push(...nb);
  }
  head.push(0x4a); writeVarint(head, count * size);
  const raw = Buffer.from(typed.buffer, typed.byteOffset, count * size);
  return Buffer.concat([Buffer.from(head), raw]);
}

module.exports = { DataType, decodeTensorProto, encodeTensorProto, typeInfo, kOrtToOnnx };
