/**
 * Snappy compression of one Parquet page, writing straight into a caller's buffer.
 *
 * The output is byte for byte what hyparquet-writer's built-in compressor produces (tested in
 * snappy.test.ts), so files written through either path stay identical; only the cost differs.
 * That compressor follows the reference Snappy algorithm with two particularities that are
 * reproduced here: the whole page is one block (no 64 KiB fragments; copies are limited to
 * offsets ≤ 65,535 instead), and the hash table has 2^min(14, ⌊log2 n⌋) slots.
 * Format facts used (Snappy format description): a varint of the uncompressed length, then
 * literals (tag 0) and copies with 1-byte (tag 1: length 4–11, offset < 2048) or 2-byte
 * (tag 2: length 1–64) offsets; matches are found with the multiplicative hash 0x1e35a7bd of
 * 4-byte words, and the search step grows by one byte every 32 misses.
 *
 * Why not the library's own: it appends every output byte through a growable writer (a bounds
 * check and a DataView store per byte) and compares bytes one at a time; at 410 MB of cell
 * values per ingest that was ≈ 3 CPU-s of the writer thread (node --cpu-prof).
 */

const MAX_TABLE_BITS = 14;
const MAX_OFFSET = 0xffff;
/** the last 15 bytes are never the start of a match (they are emitted as the final literal) */
const INPUT_MARGIN = 15;
const HASH_MULTIPLIER = 0x1e35a7bd;

const tables: Int32Array[] = [];

/** Upper bound of the compressed size of `n` bytes (for sizing the output buffer). */
export function snappyMaxLength(n: number): number {
  return 32 + n + Math.ceil(n / 6);
}


/**
 * Compresses `input` into `out` starting at `at`; returns the end position. `out` must have
 * `snappyMaxLength(input.length)` bytes free after `at`.
 */
export function snappyCompressInto(input: Uint8Array, out: Uint8Array, at = 0): number {
  const n = input.length;
  let op = at;
  // uncompressed length as a varint
  let len = n;
  while (len > 0x7f) {
    out[op++] = (len & 0x7f) | 0x80;
    len >>>= 7;
  }
  out[op++] = len;
  let nextEmit = 0;
  if (n >= INPUT_MARGIN) {
    // 4-byte loads through a DataView compile to single unaligned loads (≈ 1.5× the speed of four byte loads)
    const view = new DataView(input.buffer, input.byteOffset, n);
    let bits = 1;
    while (1 << bits <= n && bits <= MAX_TABLE_BITS) bits++;
    bits--;
    const shift = 32 - bits;
    const table = (tables[bits] ??= new Int32Array(1 << bits));
    table.fill(0);
    const ipLimit = n - INPUT_MARGIN;
    let ip = 1;
    let nextWord = view.getInt32(ip, true);
    search: for (;;) {
      // look for a 4-byte match, stepping further the longer nothing matches
      let skip = 32;
      let nextIp = ip;
      let candidate: number;
      for (;;) {
        ip = nextIp;
        const word = nextWord;
        nextIp = ip + (skip >>> 5);
        skip++;
        if (ip > ipLimit) break search;
        if (nextIp <= ipLimit) nextWord = view.getInt32(nextIp, true);
        const hash = Math.imul(word, HASH_MULTIPLIER) >>> shift;
        candidate = table[hash];
        table[hash] = ip;
        if (ip - candidate <= MAX_OFFSET && word === view.getInt32(candidate, true)) break;
      }
      op = emitLiteral(input, nextEmit, ip - nextEmit, out, op);
      // emit copies as long as the next position matches too
      for (;;) {
        const base = ip;
        let matched = 4;
        // four bytes at a time while they fit, then byte by byte: the same length either way
        while (ip + matched + 4 <= n && view.getInt32(ip + matched, true) === view.getInt32(candidate + matched, true)) matched += 4;
        while (ip + matched < n && input[ip + matched] === input[candidate + matched]) matched++;
        ip += matched;
        op = emitCopy(base - candidate, matched, out, op);
        nextEmit = ip;
        if (ip >= ipLimit) break search;
        table[Math.imul(view.getInt32(ip - 1, true), HASH_MULTIPLIER) >>> shift] = ip - 1;
        const cur = view.getInt32(ip, true);
        const h = Math.imul(cur, HASH_MULTIPLIER) >>> shift;
        candidate = table[h];
        table[h] = ip;
        if (!(ip - candidate <= MAX_OFFSET && cur === view.getInt32(candidate, true))) break;
      }
      ip++;
      nextWord = view.getInt32(ip, true);
    }
  }
  if (nextEmit < n) op = emitLiteral(input, nextEmit, n - nextEmit, out, op);
  return op;
}

function emitLiteral(input: Uint8Array, from: number, len: number, out: Uint8Array, op: number): number {
  if (len <= 60) {
    out[op++] = (len - 1) << 2;
  } else {
    const v = len - 1;
    const bytes = v < 0x100 ? 1 : v < 0x10000 ? 2 : v < 0x1000000 ? 3 : 4;
    out[op++] = (59 + bytes) << 2;
    for (let i = 0; i < bytes; i++) out[op++] = (v >>> (i * 8)) & 0xff;
  }
  if (len < 32) {
    for (let i = 0; i < len; i++) out[op + i] = input[from + i];
  } else {
    out.set(input.subarray(from, from + len), op);
  }
  return op + len;
}

function emitCopy(offset: number, len: number, out: Uint8Array, op: number): number {
  while (len >= 68) {
    op = emitCopyBelow64(offset, 64, out, op);
    len -= 64;
  }
  if (len > 64) {
    op = emitCopyBelow64(offset, 60, out, op);
    len -= 60;
  }
  return emitCopyBelow64(offset, len, out, op);
}

function emitCopyBelow64(offset: number, len: number, out: Uint8Array, op: number): number {
  if (len < 12 && offset < 2048) {
    out[op++] = 1 + ((len - 4) << 2) + ((offset >>> 8) << 5);
    out[op++] = offset & 0xff;
  } else {
    out[op++] = (2 + ((len - 1) << 2)) & 0xff;
    out[op++] = offset & 0xff;
    out[op++] = (offset >>> 8) & 0xff;
  }
  return op;
}

/** Compresses `input` into a new array (exactly sized). */
export function snappyCompress(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(snappyMaxLength(input.length));
  const end = snappyCompressInto(input, out);
  return out.slice(0, end);
}

/**
 * Decompresses a Snappy block into `out` (exactly the uncompressed length, which the block's
 * varint preamble states). Throws on a damaged block.
 */
export function snappyUncompressInto(input: Uint8Array, out: Uint8Array): void {
  const n = input.length;
  const outLength = out.length;
  let ip = 0;
  let expected = 0;
  for (let shift = 0; ; shift += 7) {
    if (ip >= n || shift > 28) throw new Error('snappy: damaged length preamble');
    const b = input[ip++];
    expected += (b & 0x7f) * Math.pow(2, shift);
    if (b < 0x80) break;
  }
  if (expected !== outLength) throw new Error(`snappy: block holds ${expected} bytes, expected ${outLength}`);
  // 4 bytes at a time through DataViews where the ranges allow (one load and store instead of four)
  const inView = new DataView(input.buffer, input.byteOffset, n);
  const outView = new DataView(out.buffer, out.byteOffset, outLength);
  let op = 0;
  while (ip < n) {
    const tag = input[ip++];
    const kind = tag & 3;
    let len = (tag >>> 2) + 1;
    if (kind === 0) {
      if (len > 60) {
        const bytes = len - 60;
        if (ip + bytes > n) throw new Error('snappy: damaged literal length');
        len = input[ip];
        if (bytes > 1) len |= input[ip + 1] << 8;
        if (bytes > 2) len |= input[ip + 2] << 16;
        if (bytes > 3) len = (len | (input[ip + 3] << 24)) >>> 0;
        len += 1;
        ip += bytes;
      }
      if (ip + len > n || op + len > outLength) throw new Error('snappy: literal runs past the end');
      if (len <= 64) {
        let i = 0;
        for (; i + 4 <= len; i += 4) outView.setInt32(op + i, inView.getInt32(ip + i));
        for (; i < len; i++) out[op + i] = input[ip + i];
      } else {
        out.set(input.subarray(ip, ip + len), op);
      }
      ip += len;
      op += len;
      continue;
    }
    let offset: number;
    if (kind === 1) {
      if (ip >= n) throw new Error('snappy: damaged copy');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[ip++];
    } else if (kind === 2) {
      if (ip + 2 > n) throw new Error('snappy: damaged copy');
      offset = input[ip] | (input[ip + 1] << 8);
      ip += 2;
    } else {
      if (ip + 4 > n) throw new Error('snappy: damaged copy');
      offset = (input[ip] | (input[ip + 1] << 8) | (input[ip + 2] << 16) | (input[ip + 3] << 24)) >>> 0;
      ip += 4;
    }
    if (offset === 0 || offset > op || op + len > outLength) throw new Error('snappy: copy outside the output');
    // overlapping copies repeat the pattern, as the format means: 4 bytes at a time only when
    // every word read was written before (offset ≥ 4), else byte by byte
    const from = op - offset;
    let i = 0;
    if (offset >= 4) for (; i + 4 <= len; i += 4) outView.setInt32(op + i, outView.getInt32(from + i));
    for (; i < len; i++) out[op + i] = out[from + i];
    op += len;
  }
  if (op !== outLength) throw new Error(`snappy: block ends after ${op} of ${outLength} bytes`);
}
