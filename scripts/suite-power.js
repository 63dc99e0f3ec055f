#!/usr/bin/env node
/*
 * The "suite power" page (`npm run suite-power`): what the suite is worth, on one page — reports/suite-power.html.
 *
 *   - traceability: catalog ids covered, and those without a scenario (reports/trace.json, `npm run trace`)
 *   - contract coverage: operations called per area (reports/coverage.json, `npm run coverage`)
 *   - stability: the last flake gate (reports/stability/summary.json, `npm run verify:stability`)
 *   - faults: the fault catalog's verdicts per tier with a bar chart (docs/fault-catalog.md, `npm run verify:faults`)
 *
 * Each part says where it comes from and when; a part whose source is missing says how to produce it.
 * It runs the trace itself (cheap), and reads the rest as the last runs left them.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const REPORTS = path.join(ROOT, 'reports');

function readJson(file) {
  try {
    return { doc: JSON.parse(fs.readFileSync(file, 'utf8')), when: fs.statSync(file).mtime.toISOString() };
  } catch {
    return { doc: undefined, when: undefined };
  }
}

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

/** Rows of the docs/fault-catalog.md results table: {fault, tiers, verdict}. */
function faultRows() {
  const text = fs.existsSync(path.join(ROOT, 'docs', 'fault-catalog.md')) ? fs.readFileSync(path.join(ROOT, 'docs', 'fault-catalog.md'), 'utf8') : '';
  const block = text.split('<!-- fault-results:begin -->')[1]?.split('<!-- fault-results:end -->')[0] ?? '';
  const rows = [];
  for (const line of block.split('\n')) {
    if (!line.startsWith('| ') || line.startsWith('| fault |') || line.startsWith('| (control')) continue;
    const cells = line.split(' | ');
    const fault = cells[0].replace(/^\|\s*/, '');
    const guarded = cells[2] || '';
    const tiers = [...new Set([...guarded.matchAll(/features\/(smoke|tier\d)\//g)].map((m) => m[1]))];
    const verdict = (/\*\*(\w+)\*\*/.exec(line) || [])[1] || 'unknown';
    rows.push({ fault, tiers: tiers.length ? tiers : ['(whole suite)'], verdict });
  }
  return rows;
}

function faultChart(rows) {
  const tiers = ['smoke', 'tier1', 'tier2', 'tier3'];
  const data = tiers.map((t) => {
    const of = rows.filter((r) => r.tiers.includes(t));
    return { tier: t, caught: of.filter((r) => r.verdict === 'CAUGHT').length, missed: of.filter((r) => r.verdict !== 'CAUGHT').length };
  });
  const max = Math.max(1, ...data.map((d) => d.caught + d.missed));
  const bar = 360;
  const svgRows = data.map((d, i) => {
    const y = 10 + i * 30;
    const wc = Math.round((bar * d.caught) / max);
    const wm = Math.round((bar * d.missed) / max);
    return `<text x="0" y="${y + 14}" font-size="13">${d.tier}</text><rect x="60" y="${y}" width="${wc}" height="20" fill="#4caf50"/><rect x="${60 + wc}" y="${y}" width="${wm}" height="20" fill="#e53935"/><text x="${66 + wc + wm}" y="${y + 14}" font-size="12">${d.caught} caught${d.missed ? `, ${d.missed} not` : ''}</text>`;
  }).join('');
  return `<svg width="600" height="${20 + data.length * 30}" role="img" aria-label="faults caught per tier">${svgRows}</svg>`;
}

function main() {
  spawnSync(process.execPath, [path.join(__dirname, 'trace.js')], { cwd: ROOT, stdio: 'ignore' });
  const trace = readJson(path.join(REPORTS, 'trace.json'));
  const coverage = readJson(path.join(REPORTS, 'coverage.json'));
  const stability = readJson(path.join(REPORTS, 'stability', 'summary.json'));
  const faults = faultRows();
  const parts = [];

  if (trace.doc) {
    const rows = trace.doc.rows;
    const covered = rows.filter((r) => r.scenarios > 0);
    parts.push(`<h2>Traceability</h2><p>${covered.length} of ${rows.length} catalog ids have scenarios (last run ${esc(trace.doc.lastRun || 'not found')}); details in <a href="trace.html">trace.html</a>.</p>
<table><tr><th>Id</th><th>Title</th><th>Scenarios</th><th>Last verdict</th></tr>${rows.map((r) => `<tr class="${r.scenarios ? (r.verdict.failed ? 'bad' : 'good') : r.out_of_scope ? 'na' : 'gap'}"><td>${esc(r.id)}</td><td>${esc(r.title)}</td><td>${r.scenarios}</td><td>${r.scenarios ? `${r.verdict.passed} passed, ${r.verdict.failed} failed, ${r.verdict.skipped} skipped` : r.out_of_scope ? `out of scope: ${esc(r.out_of_scope)}` : 'no scenario'}</td></tr>`).join('')}</table>`);
  } else parts.push('<h2>Traceability</h2><p>No trace yet: <code>npm run trace</code>.</p>');

  if (coverage.doc) {
    const c = coverage.doc;
    parts.push(`<h2>Contract coverage</h2><p>${c.operations.covered} of ${c.operations.total} operations of Attune 0.2.1's automation domain were called in the last run (${c.operations.percent} %, ${esc(coverage.when)}); details in <a href="coverage.html">coverage.html</a>.</p>
<table><tr><th>Area</th><th>Called</th><th>Of</th></tr>${c.areas.map((a) => `<tr><td>${esc(a.area)}</td><td>${a.covered}</td><td>${a.total}</td></tr>`).join('')}</table>
<p>Message types heard: ${Object.keys(c.messages).length}; notifier channels received: ${Object.keys(c.channels).length}; tables read: ${Object.keys(c.tables).length}.</p>`);
  } else parts.push('<h2>Contract coverage</h2><p>No coverage yet: run the suite, then <code>npm run coverage</code>.</p>');

  if (stability.doc) {
    const s = stability.doc;
    parts.push(`<h2>Stability</h2><p>${s.everPassedEveryRun} of ${s.scenarios} scenarios passed in every run${s.cpuLoad ? ' (one core kept busy)' : ''} (${esc(stability.when)}).</p>
<table><tr><th>Run</th><th>Result</th><th>Seconds</th></tr>${s.runs.map((r) => `<tr><td>${esc(r.label)}</td><td>${esc(r.summaryLine)}</td><td>${r.seconds}</td></tr>`).join('')}</table>
${s.unstable.length ? `<h3>Failed at least once</h3><ul>${s.unstable.map((u) => `<li>${esc(u.scenario)}: ${esc(u.results.join(', '))}<ul>${u.messages.map((m) => `<li>${esc(m)}</li>`).join('')}</ul></li>`).join('')}</ul>` : ''}`);
  } else parts.push('<h2>Stability</h2><p>No flake gate run yet: <code>npm run verify:stability -- --runs 10</code>.</p>');

  if (faults.length) {
    const caught = faults.filter((f) => f.verdict === 'CAUGHT').length;
    parts.push(`<h2>Fault catalog</h2><p>${caught} of ${faults.length} faults CAUGHT (docs/fault-catalog.md; <code>npm run verify:faults</code>).</p>${faultChart(faults)}
<table><tr><th>Fault</th><th>Tiers guarding it</th><th>Verdict</th></tr>${faults.map((f) => `<tr class="${f.verdict === 'CAUGHT' ? 'good' : 'bad'}"><td>${esc(f.fault)}</td><td>${esc(f.tiers.join(', '))}</td><td>${esc(f.verdict)}</td></tr>`).join('')}</table>`);
  } else parts.push('<h2>Fault catalog</h2><p>No fault results in docs/fault-catalog.md yet: <code>npm run verify:faults -- --write-docs</code>.</p>');

  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Attune acceptance: suite power</title><style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
tr.good td:first-child{background:#d4f7d4}tr.bad td:first-child{background:#f7d4d4}tr.gap td:first-child{background:#f7ecc4}tr.na td:first-child{background:#e4e4e4}
</style></head><body><h1>Suite power</h1><p>What the acceptance suite catches and how far it can be trusted. Back to <a href="acceptance.html">the acceptance report</a>.</p>
${parts.join('\n')}
</body></html>
`;
  fs.mkdirSync(REPORTS, { recursive: true });
  fs.writeFileSync(path.join(REPORTS, 'suite-power.html'), html);
  process.stdout.write('suite power: reports/suite-power.html\n');
}

main();
