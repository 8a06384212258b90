import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addRidge, gram, inverseSPD, matmul, matrix, symmetricEigen, transpose } from './dense.ts';
import { mulberry32 } from '@gears-pipeline/core';

function randomMatrix(r: number, c: number, seed: number) {
  const rand = mulberry32(seed);
  return matrix(r, c, Float64Array.from({ length: r * c }, () => rand() * 2 - 1));
}

test('symmetricEigen reconstructs a symmetric matrix and orders eigenvalues descending', () => {
  const X = randomMatrix(40, 25, 3);
  const S = gram(X);
  const { values, vectors } = symmetricEigen(S);
  for (let i = 1; i < values.length; i++) assert.ok(values[i - 1] >= values[i] - 1e-12);
  // V Λ Vᵀ == S
  const L = matrix(25, 25);
  for (let i = 0; i < 25; i++) L.data[i * 25 + i] = values[i];
  const R = matmul(matmul(vectors, L), transpose(vectors));
  for (let k = 0; k < S.data.length; k++) assert.ok(Math.abs(R.data[k] - S.data[k]) < 1e-9, `entry ${k}`);
  // columns orthonormal
  const I = matmul(transpose(vectors), vectors);
  for (let i = 0; i < 25; i++) for (let j = 0; j < 25; j++) assert.ok(Math.abs(I.data[i * 25 + j] - (i === j ? 1 : 0)) < 1e-10);
});

test('gram equals XᵀX', () => {
  const X = randomMatrix(7, 4, 9);
  const a = gram(X);
  const b = matmul(transpose(X), X);
  for (let k = 0; k < a.data.length; k++) assert.ok(Math.abs(a.data[k] - b.data[k]) < 1e-12);
});

test('inverseSPD inverts a ridge-regularised Gram matrix and rejects an indefinite one', () => {
  const A = addRidge(gram(randomMatrix(12, 10, 5)), 0.1);
  const P = matmul(A, inverseSPD(A));
  for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) assert.ok(Math.abs(P.data[i * 10 + j] - (i === j ? 1 : 0)) < 1e-9);
  assert.throws(() => inverseSPD(matrix(2, 2, Float64Array.from([1, 2, 2, 1]))), /positive definite/);
});
