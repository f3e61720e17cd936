// IDX files (MNIST / Fashion-MNIST), optionally gzip-compressed.
//
// readIdx(path) -> {dims, data: Uint8Array}; only the unsigned-byte type (0x08) is supported.
'use strict';

const fs = require('fs');
const zlib = require('zlib');

function readIdx(path) {
  let buf = fs.readFileSync(path);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
  if (buf[0] !== 0 || buf[1] !== 0) throw new Error(`${path}: not an IDX file`);
  if (buf[2] !== 0x08) throw new Error(`${path}: IDX type 0x${buf[2].toString(16)} is not supported`);
  const rank = buf[3];
  const dims = [];
  for (let i = 0; i < rank; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const start = 4 + 4 * rank;
  const count = dims.reduce((a, b) => a * b, 1);
  if (buf.length - start < count) throw new Error(`${path}: truncated`);
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + start, count) };
}

module.exports = { readIdx };
