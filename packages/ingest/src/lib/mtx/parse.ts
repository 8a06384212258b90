/**
 * A byte-level MatrixMarket coordinate parser: header, size line, then "i j value" triplets
 * delivered in batches of typed arrays (no per-value objects). Integer values are parsed
 * digit by digit; anything else (decimals, exponents) goes through parseFloat.
 */
import { GearsInputError } from '@gears-pipeline/core';
import { readBytes } from '../text.ts';

export interface MtxHeader {
  field: 'integer' | 'real' | 'pattern';
  rows: number;
  cols: number;
  nnz: number;
}

export interface TripletBatch {
  i: Int32Array;
  j: Int32Array;
  v: Float32Array;
  n: number;
}

const BATCH = 1 << 16;

/** Streams the header (first) and then batches of 1-based triplets. */
export async function* parseMtx(path: string): AsyncGenerator<MtxHeader | TripletBatch> {
  let header: MtxHeader | undefined;
  let headerLine = '';
  let inHeader = true;
  let batch: TripletBatch = { i: new Int32Array(BATCH), j: new Int32Array(BATCH), v: new Float32Array(BATCH), n: 0 };
  // parser state for the current triplet line
  let field = 0;
  let num = 0;
  let inNum = false;
  let slow = '';
  let vals = [0, 0, 0];
  let line = 0;
  let count = 0;
  let comment = false;
  const finishNumber = () => {
    if (!inNum) return;
    vals[field] = slow ? Number(slow) : num;
    field++;
    num = 0;
    slow = '';
    inNum = false;
  };
  for await (const chunk of readBytes(path)) {
    let k = 0;
    if (inHeader) {
      // header, comments and the size line are short: handle them as text
      while (k < chunk.length && inHeader) {
        const nl = chunk.indexOf(10, k);
        const end = nl < 0 ? chunk.length : nl;
        headerLine += chunk.toString('latin1', k, end);
        k = nl < 0 ? chunk.length : nl + 1;
        if (nl < 0) break;
        line++;
        // a UTF-8 byte-order mark (read as latin1) before the banner is harmless
        const text = (line === 1 ? headerLine.replace(/^\u00ef\u00bb\u00bf/, '') : headerLine).trim();
        headerLine = '';
        if (line === 1) {
          const m = /^%%MatrixMarket\s+matrix\s+coordinate\s+(integer|real|pattern|double)\s+general/i.exec(text);
          if (!m) {
            throw new GearsInputError({ file: path, field: 'header (line 1)', problem: `is "${text.slice(0, 80)}", expected "%%MatrixMarket matrix coordinate integer|real general"`, fix: 'pass the matrix.mtx written by Cell Ranger / scipy.io.mmwrite (sparse coordinate format)' });
          }
          const f = m[1].toLowerCase();
          header = { field: f === 'double' ? 'real' : (f as MtxHeader['field']), rows: 0, cols: 0, nnz: 0 };
          continue;
        }
        if (text === '' || text.startsWith('%')) continue;
        const parts = text.split(/\s+/).map(Number);
        if (parts.length !== 3 || parts.some((x) => !Number.isInteger(x) || x < 0)) {
          throw new GearsInputError({ file: path, field: `size line (line ${line})`, problem: `is "${text}", expected "rows columns entries"`, fix: 'repair the file header' });
        }
        header!.rows = parts[0];
        header!.cols = parts[1];
        header!.nnz = parts[2];
        inHeader = false;
        yield header!;
      }
    }
    for (; k < chunk.length; k++) {
      const b = chunk[k];
      if (comment) {
        if (b === 10) comment = false;
        continue;
      }
      if (b >= 48 && b <= 57) {
        if (!inNum) inNum = true;
        if (slow) slow += String.fromCharCode(b);
        else num = num * 10 + (b - 48);
      } else if (b === 32 || b === 9 || b === 13) {
        finishNumber();
      } else if (b === 10) {
        finishNumber();
        line++;
        if (field === 0) continue;
        const need = header!.field === 'pattern' ? 2 : 3;
        if (field < need) {
          throw new GearsInputError({ file: path, field: `line ${line}`, problem: `has ${field} fields, expected ${need}`, fix: 'the file is damaged or truncated: copy it again' });
        }
        batch.i[batch.n] = vals[0];
        batch.j[batch.n] = vals[1];
        batch.v[batch.n] = need === 2 ? 1 : vals[2];
        batch.n++;
        count++;
        field = 0;
        if (batch.n === BATCH) {
          yield batch;
          batch = { i: new Int32Array(BATCH), j: new Int32Array(BATCH), v: new Float32Array(BATCH), n: 0 };
        }
      } else if (b === 37 && field === 0 && !inNum) {
        comment = true;
      } else {
        // '.', 'e', '-', '+': a non-integer number, parse it as text
        if (!inNum) {
          inNum = true;
          slow = String.fromCharCode(b);
        } else {
          slow = (slow || String(num)) + String.fromCharCode(b);
        }
      }
    }
  }
  if (inHeader) {
    throw new GearsInputError({ file: path, field: 'header', problem: 'ends before the size line', fix: 'the file is truncated: copy it again' });
  }
  // a last line without newline
  finishNumber();
  if (field > 0) {
    batch.i[batch.n] = vals[0];
    batch.j[batch.n] = vals[1];
    batch.v[batch.n] = header!.field === 'pattern' ? 1 : vals[2];
    batch.n++;
    count++;
  }
  if (batch.n > 0) yield batch;
  if (count !== header!.nnz) {
    throw new GearsInputError({ file: path, field: 'entries', problem: `has ${count} entries but its size line announces ${header!.nnz}`, fix: 'the file is truncated or damaged: copy it again' });
  }
}
