import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formsLine, noChangeVerdict, type HeadlineRow } from './summary.ts';

const rows = (gears: [string, number, number][], none: [string, number, number][]): HeadlineRow[] =>
  [...gears.map(([s, p, d]) => ['gears', s, p, d] as const), ...none.map(([s, p, d]) => ['no_change', s, p, d] as const)].flatMap(([model, subgroup, p, d]) => [
    { model, subgroup, metric: 'pearson_delta', value: p },
    { model, subgroup, metric: 'mse_de', value: d },
  ]);

test('the run summary says per subgroup whether GEARS beats no change, and why not where it does not', () => {
  const forms = {
    composition: 'auto',
    unseen_single: { form: 'kernel', own_expression: true, decided_on: 'leave-one-out', reason: '1 validation singles (< 3)' },
    combo_seen1: { form: 'network', decided_on: 'fallback', reason: '2 validation combinations (< 3): too few to choose' },
  };
  const lines = noChangeVerdict(rows([['unseen_single', 0.3, 0.1], ['combo_seen1', 0.2, 0.5], ['overall', 0.25, 0.3]], [['unseen_single', 0, 0.2], ['combo_seen1', 0, 0.4], ['overall', 0, 0.3]]), forms);
  assert.match(lines[0], /combo_seen1 no \(Pearson δ 0\.200 vs 0\.000, DE MSE 0\.500 vs 0\.400\); unseen_single yes/);
  assert.equal(lines.length, 2);
  assert.match(lines[1], /why not on combo_seen1: predicted by network, chosen on fallback: 2 validation combinations \(< 3\): too few to choose/);
  assert.equal(formsLine(forms), '  forms (train.composition auto): unseen_single → kernel + own expression (leave-one-out); combo_seen1 → network (fallback)');
  assert.deepEqual(noChangeVerdict([], forms), []);
  assert.equal(formsLine(undefined), undefined);
});
