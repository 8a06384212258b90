/**
 * A minimal writer of ONNX models (protobuf wire format) for the graphs this package builds by
 * hand: float32 tensors, int64 constants, nodes with int / ints / float attributes. Field numbers
 * follow onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, ValueInfoProto,
 * TensorProto). Written here rather than depending on a protobuf library: the subset is small.
 */

/** protobuf wire types */
const VARINT = 0;
const FIXED32 = 5;
const LEN = 2;

class Writer {
  private bytes: number[] = [];
  varint(v: number | bigint): this {
    let x = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) b |= 0x80;
      this.bytes.push(b);
    } while (x !== 0n);
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }
  int(field: number, v: number): this {
    return this.tag(field, VARINT).varint(v);
  }
  float(field: number, v: number): this {
    this.tag(field, FIXED32);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.bytes.push(...b);
    return this;
  }
  raw(field: number, data: Uint8Array): this {
    this.tag(field, LEN).varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }
  string(field: number, s: string): this {
    return this.raw(field, new TextEncoder().encode(s));
  }
  message(field: number, w: Writer): this {
    return this.raw(field, w.finish());
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export type Attr = { name: string; int?: number; ints?: number[]; float?: number };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Attr[];
}

export interface OnnxInit {
  name: string;
  dims: number[];
  /** int64 values (shapes, axes) or float32 values */
  int64?: number[];
  float?: number[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  /** inputs and outputs as (name, shape) with symbolic dimensions as strings; all float32 */
  inputs: [string, (number | string)[]][];
  outputs: [string, (number | string)[]][];
  initializers: OnnxInit[];
}

const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;
const FLOAT = 1;
const INT64 = 7;

function attribute(a: Attr): Writer {
  const w = new Writer().string(1, a.name);
  if (a.float !== undefined) w.float(2, a.float).int(20, ATTR_FLOAT);
  else if (a.int !== undefined) w.int(3, a.int).int(20, ATTR_INT);
  else {
    for (const v of a.ints ?? []) w.int(8, v);
    w.int(20, ATTR_INTS);
  }
  return w;
}

function valueInfo(name: string, shape: (number | string)[]): Writer {
  const dims = new Writer();
  for (const d of shape) dims.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
  const tensorType = new Writer().int(1, FLOAT).message(2, dims);
  return new Writer().string(1, name).message(2, new Writer().message(1, tensorType));
}

function initializer(t: OnnxInit): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  if (t.int64) {
    w.int(2, INT64).string(8, t.name);
    const raw = new BigInt64Array(t.int64.map((v) => BigInt(v)));
    w.raw(9, new Uint8Array(raw.buffer));
  } else {
    w.int(2, FLOAT).string(8, t.name);
    w.raw(9, new Uint8Array(new Float32Array(t.float ?? []).buffer));
  }
  return w;
}

/** Serialises a graph as an ONNX model (IR version 8, default-domain opset `opset`). */
export function encodeModel(g: OnnxGraph, opset = 17): Uint8Array {
  const graph = new Writer();
  g.nodes.forEach((n, i) => {
    const w = new Writer();
    for (const x of n.inputs) w.string(1, x);
    for (const y of n.outputs) w.string(2, y);
    w.string(3, `${n.op}_${i}`).string(4, n.op);
    for (const a of n.attrs ?? []) w.message(5, attribute(a));
    graph.message(1, w);
  });
  graph.string(2, g.name);
  for (const t of g.initializers) graph.message(5, initializer(t));
  for (const [name, shape] of g.inputs) graph.message(11, valueInfo(name, shape));
  for (const [name, shape] of g.outputs) graph.message(12, valueInfo(name, shape));
  return new Writer().int(1, 8).string(2, 'gears-pipeline').message(7, graph).message(8, new Writer().string(1, '').int(2, opset)).finish();
}
