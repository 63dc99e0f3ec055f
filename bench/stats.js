/** Distributions: percentiles by nearest rank, a summary of one figure, histogram buckets for the page. */
'use strict';

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

const round = (v, d = 2) => (v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v * 10 ** d) / 10 ** d);

/** {n, min, p50, p95, p99, max, mean} of the values (ms unless said otherwise). */
function summary(values) {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : null;
  return { n: s.length, min: round(s[0] ?? null), p50: round(percentile(s, 50)), p95: round(percentile(s, 95)), p99: round(percentile(s, 99)), max: round(s[s.length - 1] ?? null), mean: round(mean) };
}

/** Up to `buckets` equal-width buckets between min and max: [{from, to, count}]. */
function histogram(values, buckets = 30) {
  const s = values.filter((v) => Number.isFinite(v));
  if (!s.length) return [];
  const min = Math.min(...s);
  const max = Math.max(...s);
  const width = (max - min) / buckets || 1;
  const out = Array.from({ length: buckets }, (_, i) => ({ from: round(min + i * width), to: round(min + (i + 1) * width), count: 0 }));
  for (const v of s) out[Math.min(buckets - 1, Math.floor((v - min) / width))].count += 1;
  return out;
}

/** timestamptz text (µs precision, any offset) → epoch milliseconds with the fraction kept. */
function parseTimestamp(text) {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(String(text));
  if (!m) return NaN;
  let zone = m[3];
  if (/^[+-]\d{2}$/.test(zone)) zone += ':00';
  return Date.parse(`${m[1]}${zone}`) + (m[2] ? Number(`0${m[2]}`) * 1000 : 0);
}

module.exports = { percentile, summary, histogram, parseTimestamp, round };
