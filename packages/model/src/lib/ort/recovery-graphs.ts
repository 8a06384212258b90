/**
 * The per-condition block of the GEARS forward pass, where 83 % of the FLOPs are, as ONNX graphs
 * with a hand-derived backward (no autodiff in onnxruntime's inference build):
 *
 *   X  = rows[g] + fused[b]                          [B, G, H]  (step 5: perturbation added to every gene)
 *   A0 = relu(BN0(X))                                bn_pert_base
 *   A1 = relu(BN1(A0·W1 + c1))                       recovery_w.network.0/1
 *   Hd = BN2(A1·W2 + c2)                             recovery_w.network.3/4
 *   out1[b, g] = Σ_h Hd[b, g, h]·w[g, h] + v[g]      indv_w1, indv_b1 (gene-specific head 1)
 *
 * BatchNorm in train mode normalises over the B·G rows (axes 0, 1) with the biased variance; eval
 * mode uses running statistics. Backward (train mode), with x̂ the normalised input and
 * inv = 1/√(var + eps):  dβ = Σ dy, dγ = Σ dy·x̂, dx = γ·inv·(dy − dβ/N − x̂·dγ/N); relu passes the
 * gradient where its output is > 0 (sign of the output); the Linear bias before a train-mode
 * BatchNorm has zero gradient; dW = Aᵀ·dZ over the flattened rows.
 */
import { BN_EPS } from '../config.ts';
import type { OnnxGraph, OnnxInit, OnnxNode } from './onnx-proto.ts';

class Builder {
  nodes: OnnxNode[] = [];
  inits: OnnxInit[] = [];
  private n = 0;
  private consts = new Map<string, string>();
  op(op: string, inputs: string[], attrs?: OnnxNode['attrs'], out?: string): string {
    const name = out ?? `t${this.n++}`;
    this.nodes.push({ op, inputs, outputs: [name], attrs });
    return name;
  }
  ints(values: number[]): string {
    const key = `i:${values.join(',')}`;
    let name = this.consts.get(key);
    if (!name) {
      name = `const${this.consts.size}`;
      this.inits.push({ name, dims: [values.length], int64: values });
      this.consts.set(key, name);
    }
    return name;
  }
  scalar(v: number): string {
    const key = `f:${v}`;
    let name = this.consts.get(key);
    if (!name) {
      name = `const${this.consts.size}`;
      this.inits.push({ name, dims: [], float: [v] });
      this.consts.set(key, name);
    }
    return name;
  }
  add = (a: string, b: string, out?: string) => this.op('Add', [a, b], undefined, out);
  sub = (a: string, b: string, out?: string) => this.op('Sub', [a, b], undefined, out);
  mul = (a: string, b: string, out?: string) => this.op('Mul', [a, b], undefined, out);
  matmul = (a: string, b: string, out?: string) => this.op('MatMul', [a, b], undefined, out);
  sum = (a: string, axes: number[], keep: boolean, out?: string) => this.op('ReduceSum', [a, this.ints(axes)], [{ name: 'keepdims', int: keep ? 1 : 0 }], out);
  mean = (a: string, axes: number[], out?: string) => this.op('ReduceMean', [a], [{ name: 'axes', ints: axes }, { name: 'keepdims', int: 0 }], out);
  reshape = (a: string, shape: number[], out?: string) => this.op('Reshape', [a, this.ints(shape)], undefined, out);
  transpose = (a: string, out?: string) => this.op('Transpose', [a], [{ name: 'perm', ints: [1, 0] }], out);
}

type Shape = (number | string)[];

/** Parameter inputs of the block: name in the graph → shape (H hidden size, G genes). */
export function blockParams(G: number, H: number): [string, Shape][] {
  return [
    ['g0', [H]], ['b0', [H]],
    ['W1', [H, 2 * H]], ['c1', [2 * H]], ['g1', [2 * H]], ['b1', [2 * H]],
    ['W2', [2 * H, H]], ['c2', [H]], ['g2', [H]], ['b2', [H]],
    ['w', [G, H]], ['v', [G]],
  ];
}

/** Running-statistic inputs of the eval graph. */
export const EVAL_STATS = ['rm0', 'rv0', 'rm1', 'rv1', 'rm2', 'rv2'] as const;

function bnTrain(b: Builder, x: string, g: string, beta: string, k: number): string {
  const mean = b.mean(x, [0, 1], `mean${k}`);
  const xc = b.sub(x, mean);
  const variance = b.mean(b.mul(xc, xc), [0, 1], `var${k}`);
  const inv = b.op('Reciprocal', [b.op('Sqrt', [b.add(variance, b.scalar(BN_EPS))])], undefined, `inv${k}`);
  const xhat = b.mul(xc, inv, `xhat${k}`);
  return b.add(b.mul(xhat, g), beta);
}

function bnEval(b: Builder, x: string, g: string, beta: string, k: number): string {
  const scale = b.mul(g, b.op('Reciprocal', [b.op('Sqrt', [b.add(`rv${k}`, b.scalar(BN_EPS))])]));
  return b.add(b.mul(x, scale), b.sub(beta, b.mul(`rm${k}`, scale)));
}

/** Forward graph (train: also the batch statistics and what the backward needs; eval: running statistics). */
export function forwardGraph(G: number, H: number, mode: 'train' | 'eval'): OnnxGraph {
  const b = new Builder();
  const bn = mode === 'train' ? bnTrain : bnEval;
  const x = b.add(b.reshape('rows', [1, G, H]), b.reshape('fused', [-1, 1, H]));
  const a0 = b.op('Relu', [bn(b, x, 'g0', 'b0', 0)], undefined, 'A0');
  const a1 = b.op('Relu', [bn(b, b.add(b.matmul(a0, 'W1'), 'c1'), 'g1', 'b1', 1)], undefined, 'A1');
  const hd = bn(b, b.add(b.matmul(a1, 'W2'), 'c2'), 'g2', 'b2', 2);
  b.add(b.sum(b.mul(hd, 'w'), [2], false), 'v', 'out1');
  const outputs: [string, Shape][] = [['out1', ['B', G]]];
  if (mode === 'train') {
    outputs.push(['A0', ['B', G, H]], ['A1', ['B', G, 2 * H]], ['xhat0', ['B', G, H]], ['xhat1', ['B', G, 2 * H]], ['xhat2', ['B', G, H]]);
    for (const [k, C] of [[0, H], [1, 2 * H], [2, H]]) outputs.push([`mean${k}`, [C]], [`var${k}`, [C]], [`inv${k}`, [C]]);
  }
  const inputs: [string, Shape][] = [['rows', [G, H]], ['fused', ['B', H]], ...blockParams(G, H)];
  if (mode === 'eval') for (const [k, C] of [[0, H], [1, 2 * H], [2, H]] as const) inputs.push([`rm${k}`, [C]], [`rv${k}`, [C]]);
  return { name: `gears_block_${mode}`, nodes: b.nodes, inputs, outputs, initializers: b.inits };
}

function bnBackward(b: Builder, dy: string, k: number, g: string, n: string): { dx: string; dg: string; db: string } {
  const xhat = `xhat${k}`;
  const db = b.sum(dy, [0, 1], false, `d_b${k}`);
  const dg = b.sum(b.mul(dy, xhat), [0, 1], false, `d_g${k}`);
  const centred = b.sub(b.sub(dy, b.op('Div', [db, n])), b.mul(xhat, b.op('Div', [dg, n])));
  return { dx: b.mul(centred, b.mul(g, `inv${k}`)), dg, db };
}

/** Backward graph of the train-mode forward: d out1 → gradients of rows, fused and every parameter. */
export function backwardGraph(G: number, H: number): OnnxGraph {
  const b = new Builder();
  const n = 'N'; // number of rows B·G, fed as a float scalar
  const dout = b.reshape('d_out1', [-1, G, 1]);
  // head: Hd = xhat2·g2 + b2
  const hd = b.add(b.mul('xhat2', 'g2'), 'b2');
  b.sum(b.mul(hd, dout), [0], false, 'd_w');
  b.sum('d_out1', [0], false, 'd_v');
  const dhd = b.mul(dout, 'w');
  const bn2 = bnBackward(b, dhd, 2, 'g2', n);
  const dz2 = bn2.dx;
  b.matmul(b.transpose(b.reshape('A1', [-1, 2 * H])), b.reshape(dz2, [-1, H]), 'd_W2');
  const da1 = b.matmul(dz2, b.transpose('W2'));
  const bn1 = bnBackward(b, b.mul(da1, b.op('Sign', ['A1'])), 1, 'g1', n);
  b.matmul(b.transpose(b.reshape('A0', [-1, H])), b.reshape(bn1.dx, [-1, 2 * H]), 'd_W1');
  const da0 = b.matmul(bn1.dx, b.transpose('W1'));
  const bn0 = bnBackward(b, b.mul(da0, b.op('Sign', ['A0'])), 0, 'g0', n);
  b.sum(bn0.dx, [0], false, 'd_rows');
  b.sum(bn0.dx, [1], false, 'd_fused');
  const inputs: [string, Shape][] = [
    ['d_out1', ['B', G]], ['N', []],
    ['A0', ['B', G, H]], ['A1', ['B', G, 2 * H]], ['xhat0', ['B', G, H]], ['xhat1', ['B', G, 2 * H]], ['xhat2', ['B', G, H]],
    ['inv0', [H]], ['inv1', [2 * H]], ['inv2', [H]],
    ['g0', [H]], ['W1', [H, 2 * H]], ['g1', [2 * H]], ['W2', [2 * H, H]], ['g2', [H]], ['b2', [H]], ['w', [G, H]],
  ];
  const outputs: [string, Shape][] = [
    ['d_rows', [G, H]], ['d_fused', ['B', H]], ['d_g0', [H]], ['d_b0', [H]], ['d_W1', [H, 2 * H]], ['d_g1', [2 * H]], ['d_b1', [2 * H]],
    ['d_W2', [2 * H, H]], ['d_g2', [H]], ['d_b2', [H]], ['d_w', [G, H]], ['d_v', [G]],
  ];
  return { name: 'gears_block_backward', nodes: b.nodes, inputs, outputs, initializers: b.inits };
}
