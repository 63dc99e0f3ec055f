/**
 * A bench result against a baseline: the ratio of each comparable figure (new / old) and the ones beyond the noise
 * bound in the bad direction (slower, less throughput, more memory).
 */
'use strict';

/** [name, path into the result, 'lower' | 'higher' is better] */
const FIGURES = [
  ['execute → completed p50', ['latency', 'execute_to_completed_ms', 'p50'], 'lower'],
  ['execute → completed p99', ['latency', 'execute_to_completed_ms', 'p99'], 'lower'],
  ['webhook → completed p50', ['webhook', 'post_to_completed_ms', 'p50'], 'lower'],
  ['webhook → completed p99', ['webhook', 'post_to_completed_ms', 'p99'], 'lower'],
  ['timer deviation mean', ['timer', 'deviation_from_schedule_ms', 'mean'], 'lower'],
  ['notification delay idle p99', ['notifications', 'idle_ms', 'p99'], 'lower'],
  ['notification delay under load p99', ['notifications', 'under_load_ms', 'p99'], 'lower'],
  ['throughput knee', ['throughput', 'knee_per_s'], 'higher'],
  ['idle RSS of all services', ['scale', 'idle_rss_mb_total'], 'lower'],
];

function at(obj, keys) {
  return keys.reduce((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}

function compare(baseline, current, noise) {
  const lines = [];
  const regressions = [];
  for (const [name, keys, better] of FIGURES) {
    const old = at(baseline.figures, keys);
    const now = at(current.figures, keys);
    if (typeof old !== 'number' || typeof now !== 'number' || old === 0) continue;
    const ratio = now / old;
    const worse = better === 'lower' ? ratio > 1 + noise : ratio < 1 - noise;
    const better_ = better === 'lower' ? ratio < 1 - noise : ratio > 1 + noise;
    lines.push(`  ${name.padEnd(36)} ${String(old).padStart(9)} → ${String(now).padStart(9)}  ×${ratio.toFixed(2)}${worse ? '  REGRESSION' : better_ ? '  better' : ''}`);
    if (worse) regressions.push(name);
  }
  if (baseline.quick !== current.quick) lines.push('  (one of the two runs is --quick: the figures are not comparable in earnest)');
  return { lines, regressions };
}

module.exports = { compare, FIGURES };
