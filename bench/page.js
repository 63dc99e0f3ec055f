/** reports/bench.html: the figures as tables, the latency distribution and throughput against offered load as SVG. */
'use strict';

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

function histogramSvg(buckets, label) {
  if (!buckets || !buckets.length) return '';
  const w = 600;
  const h = 160;
  const max = Math.max(...buckets.map((b) => b.count));
  const bw = w / buckets.length;
  const bars = buckets.map((b, i) => {
    const bh = Math.round(((h - 30) * b.count) / max);
    return `<rect x="${Math.round(i * bw)}" y="${h - 20 - bh}" width="${Math.max(1, Math.round(bw) - 1)}" height="${bh}" fill="#3f7fbf"><title>${b.from}–${b.to} ms: ${b.count}</title></rect>`;
  }).join('');
  return `<figure><svg width="${w}" height="${h}" role="img" aria-label="${esc(label)}">${bars}<text x="0" y="${h - 4}" font-size="11">${buckets[0].from} ms</text><text x="${w - 60}" y="${h - 4}" font-size="11">${buckets[buckets.length - 1].to} ms</text></svg><figcaption>${esc(label)}</figcaption></figure>`;
}

function throughputSvg(steps) {
  if (!steps || !steps.length) return '';
  const w = 600;
  const h = 220;
  const maxX = Math.max(...steps.map((s) => s.offered_per_s));
  const maxY = Math.max(maxX, ...steps.map((s) => s.completed_per_s));
  const x = (v) => 40 + Math.round(((w - 60) * v) / maxX);
  const y = (v) => h - 30 - Math.round(((h - 50) * v) / maxY);
  const ideal = `<line x1="${x(0)}" y1="${y(0)}" x2="${x(maxX)}" y2="${y(maxX)}" stroke="#bbb" stroke-dasharray="4"/>`;
  const pts = steps.map((s) => `${x(s.offered_per_s)},${y(s.completed_per_s)}`).join(' ');
  const dots = steps.map((s) => `<circle cx="${x(s.offered_per_s)}" cy="${y(s.completed_per_s)}" r="4" fill="#d35400"><title>offered ${s.offered_per_s}/s → ${s.completed_per_s}/s, p99 ${s.latency_ms.p99} ms</title></circle><text x="${x(s.offered_per_s) - 10}" y="${h - 12}" font-size="11">${s.offered_per_s}</text>`).join('');
  return `<figure><svg width="${w}" height="${h}" role="img" aria-label="throughput against offered load">${ideal}<polyline points="${pts}" fill="none" stroke="#d35400" stroke-width="2"/>${dots}<text x="0" y="12" font-size="11">completed/s</text><text x="${w - 90}" y="${h}" font-size="11">offered/s</text></svg><figcaption>Completed per second against offered load (dashed: keeping up)</figcaption></figure>`;
}

function page(result) {
  const f = result.figures;
  const json = esc(JSON.stringify(result, null, 2));
  return `<!doctype html><html><head><meta charset="utf-8"><title>Attune benchmarks</title><style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}pre{background:#f6f6f6;padding:1em;overflow:auto;max-height:30em}
</style></head><body><h1>Benchmarks${result.quick ? ' (quick smoke: not figures to quote)' : ''}</h1>
<p>Target ${esc(result.target.api)}, measured ${esc(result.measured_at)} on ${result.machine.cpus} cores (${esc(result.machine.cpu_model || '')}), load ${result.machine.loadavg.join(' ')}. Back to <a href="acceptance.html">the acceptance report</a>.</p>
${f.latency ? `<h2>Manual execution latency</h2><p>execute → completed over ${f.latency.runs} sequential runs of ${esc(f.latency.action)}: p50 ${f.latency.execute_to_completed_ms.p50} ms, p95 ${f.latency.execute_to_completed_ms.p95} ms, p99 ${f.latency.execute_to_completed_ms.p99} ms, max ${f.latency.execute_to_completed_ms.max} ms.</p>${histogramSvg(f.latency.histogram, 'execute → completed, ms')}` : ''}
${f.throughput ? `<h2>Throughput</h2><p>Knee: ${f.throughput.knee_per_s ?? 'none'}/s; lost in all: ${f.throughput.lost_total}.</p>${throughputSvg(f.throughput.steps)}` : ''}
<h2>Every figure</h2><pre>${json}</pre>
</body></html>
`;
}

module.exports = { page };
