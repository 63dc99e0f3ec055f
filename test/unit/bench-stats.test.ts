import { strict as assert } from 'node:assert';
import { test } from 'node:test';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stats = require('../../bench/stats.js') as {
  summary(values: number[]): { n: number; p50: number; p99: number; max: number; mean: number };
  histogram(values: number[], buckets?: number): { from: number; to: number; count: number }[];
  parseTimestamp(text: string): number;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compare } = require('../../bench/compare.js') as {
  compare(a: unknown, b: unknown, noise: number): { lines: string[]; regressions: string[] };
};

test('percentiles are nearest-rank over every value', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  const s = stats.summary(values);
  assert.deepEqual([s.n, s.p50, s.p99, s.max, s.mean], [100, 50, 99, 100, 50.5]);
});

test('a histogram puts every value in one bucket', () => {
  const h = stats.histogram([1, 2, 3, 10], 3);
  assert.equal(h.reduce((n, b) => n + b.count, 0), 4);
  assert.equal(h[2].count, 1);
});

test('PostgreSQL timestamps keep their microseconds', () => {
  const fraction = stats.parseTimestamp('2026-12-07T06:42:52.835123+00:00') - Date.parse('2026-12-07T06:42:52.835Z');
  assert.ok(Math.abs(fraction - 0.123) < 1e-3, String(fraction));
});

test('a slower figure beyond the noise bound is a regression, within it is not', () => {
  const base = { figures: { latency: { execute_to_completed_ms: { p50: 20, p99: 40 } }, throughput: { knee_per_s: 200 } } };
  const worse = { figures: { latency: { execute_to_completed_ms: { p50: 30, p99: 44 } }, throughput: { knee_per_s: 100 } } };
  assert.deepEqual(compare(base, worse, 0.25).regressions, ['execute → completed p50', 'throughput knee']);
});
