#!/usr/bin/env node
/*
 * The flake gate (`npm run verify:stability -- --runs N`): runs the acceptance suite N times with the usual parallel
 * workers, then once with a single worker, and reports every scenario's pass count. A scenario that ever failed is
 * listed with its failure messages; a scenario whose verdict differs between the parallel and the serial runs is
 * listed too. Exit code 0 only when every scenario passed in every run.
 *
 *   node scripts/verify-stability.js [--runs N] [--no-serial] [--cpu-load] [--timeout <s>] [cucumber args …]
 *
 *   --runs N      parallel runs (default 3)
 *   --no-serial   skip the single-worker run
 *   --cpu-load    keep one core busy (a bounded busy loop in a child process) during every run, to show the verdicts
 *                 do not depend on a quiet machine
 *   --timeout s   bound of one run (default 1200; its process group is killed)
 *   anything else is passed to cucumber-js (e.g. `--tags @tier1`, a feature path)
 *
 * Against the running target the suite's variables name (ATTUNE_API_URL …); when none is set and no reference stack
 * answers, it starts one (scripts/stack-start.sh) and stops it at the end. Writes reports/stability/run-<k>.json
 * (cucumber JSON per run), reports/stability/summary.json and reports/stability/summary.md.
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'reports', 'stability');

function parseArgs(argv) {
  const opts = { runs: 3, serial: true, cpuLoad: false, timeoutS: 1200, cucumber: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') opts.runs = Number(argv[++i]);
    else if (a === '--no-serial') opts.serial = false;
    else if (a === '--cpu-load') opts.cpuLoad = true;
    else if (a === '--timeout') opts.timeoutS = Number(argv[++i]);
    else opts.cucumber.push(a);
  }
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error('--runs needs a whole number ≥ 1');
  return opts;
}

function runCucumber(label, jsonFile, extraEnv, opts) {
  return new Promise((resolve) => {
    const started = Date.now();
    const args = ['cucumber-js', '-p', 'ci', '--format', `json:${path.relative(ROOT, jsonFile)}`, ...opts.cucumber];
    const child = spawn('npx', args, { cwd: ROOT, env: { ...process.env, ...extraEnv }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk) => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, opts.timeoutS * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      const summaryLine = (tail.match(/\d+ scenarios? \([^)]*\)/g) || []).pop() || `no summary (exit ${code})`;
      process.stdout.write(`${label}: ${summaryLine} in ${seconds} s\n`);
      resolve({ label, code, seconds, summaryLine });
    });
  });
}

/** scenario key → {verdict, message} from one cucumber JSON report. */
function verdicts(jsonFile) {
  const out = new Map();
  if (!fs.existsSync(jsonFile)) return out;
  let report;
  try {
    report = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  } catch {
    return out;
  }
  for (const feature of report) {
    for (const el of feature.elements || []) {
      if (el.type && el.type !== 'scenario') continue;
      const steps = [...(el.before || []), ...(el.steps || []), ...(el.after || [])];
      const failed = steps.find((s) => s.result && ['failed', 'ambiguous', 'undefined'].includes(s.result.status));
      const all = (el.steps || []).map((s) => s.result && s.result.status);
      const verdict = failed ? 'failed' : all.length && all.every((s) => s === 'passed') ? 'passed' : 'skipped';
      const key = `${feature.uri}:${el.line} ${el.name}`;
      out.set(key, { verdict, message: failed ? String(failed.result.error_message || '').split('\n').slice(0, 3).join(' | ').slice(0, 400) : undefined });
    }
  }
  return out;
}

function stackAnswers() {
  const url = `${process.env.ATTUNE_API_URL || 'http://127.0.0.1:18080'}/health/ready`;
  const r = spawnSync('curl', ['-fsS', '-m', '3', url], { encoding: 'utf8' });
  return r.status === 0;
}

function startCpuLoad() {
  // one busy core, bounded to 2 hours so that it can never outlive a forgotten run
  const code = 'const end=Date.now()+7200e3;while(Date.now()<end){Math.sqrt(Math.random())}';
  return spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  let startedStack = false;
  if (!process.env.ATTUNE_API_URL && !stackAnswers()) {
    process.stdout.write('no target answers: starting the reference stack\n');
    const r = spawnSync('bash', ['scripts/stack-start.sh'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('the reference stack did not start');
    startedStack = true;
  }
  const env = {};
  if (startedStack || !process.env.ATTUNE_API_URL) {
    env.ATTUNE_SERVICE_CONTROL = process.env.ATTUNE_SERVICE_CONTROL || `supervisor:http://127.0.0.1:${process.env.ATTUNE_SUPERVISOR_PORT || 18099}`;
  }
  const load = opts.cpuLoad ? startCpuLoad() : undefined;
  const runs = [];
  try {
    for (let k = 1; k <= opts.runs; k++) {
      const file = path.join(OUT, `run-${k}.json`);
      runs.push({ ...(await runCucumber(`parallel run ${k}/${opts.runs}`, file, env, opts)), file, mode: 'parallel' });
    }
    if (opts.serial) {
      const file = path.join(OUT, 'run-serial.json');
      runs.push({ ...(await runCucumber('serial run (1 worker)', file, { ...env, ATTUNE_E2E_PARALLEL: '1' }, opts)), file, mode: 'serial' });
    }
  } finally {
    if (load) load.kill('SIGKILL');
    if (startedStack) spawnSync('bash', ['scripts/stack-stop.sh'], { cwd: ROOT, stdio: 'ignore' });
  }

  const table = new Map();
  runs.forEach((run, i) => {
    for (const [key, v] of verdicts(run.file)) {
      if (!table.has(key)) table.set(key, { scenario: key, results: new Array(runs.length).fill('missing'), messages: [] });
      const row = table.get(key);
      row.results[i] = v.verdict;
      if (v.message) row.messages.push(`${run.label}: ${v.message}`);
    }
  });
  const rows = [...table.values()].sort((a, b) => a.scenario.localeCompare(b.scenario));
  const parallelIdx = runs.map((r, i) => (r.mode === 'parallel' ? i : -1)).filter((i) => i >= 0);
  const serialIdx = runs.findIndex((r) => r.mode === 'serial');
  const unstable = rows.filter((r) => r.results.some((v) => v === 'failed' || v === 'missing'));
  const serialDiffers = serialIdx < 0 ? [] : rows.filter((r) => parallelIdx.some((i) => r.results[i] !== r.results[serialIdx]));
  const passCount = (r) => parallelIdx.filter((i) => r.results[i] === 'passed').length;
  const summary = {
    runs: runs.map(({ label, mode, seconds, summaryLine, code }) => ({ label, mode, seconds, summaryLine, exitCode: code })),
    cpuLoad: opts.cpuLoad,
    scenarios: rows.length,
    everPassedEveryRun: rows.length - unstable.length,
    unstable: unstable.map((r) => ({ scenario: r.scenario, results: r.results, messages: r.messages })),
    serialDiffers: serialDiffers.map((r) => ({ scenario: r.scenario, results: r.results })),
    perScenario: rows.map((r) => ({ scenario: r.scenario, parallelPasses: passCount(r), parallelRuns: parallelIdx.length, serial: serialIdx < 0 ? null : r.results[serialIdx] })),
  };
  fs.writeFileSync(path.join(OUT, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const md = [
    `# Stability: ${opts.runs} parallel run(s)${opts.serial ? ' and one serial run' : ''}${opts.cpuLoad ? ', one core kept busy' : ''}`,
    '',
    '| Run | Result | Seconds |',
    '|---|---|---|',
    ...summary.runs.map((r) => `| ${r.label} | ${r.summaryLine} | ${r.seconds} |`),
    '',
    `${rows.length - unstable.length} of ${rows.length} scenarios passed in every run.`,
    ...(unstable.length ? ['', '## Failed at least once', '', ...unstable.flatMap((r) => [`- ${r.scenario}: ${r.results.join(', ')}`, ...r.messages.map((m) => `  - ${m}`)])] : []),
    ...(serialDiffers.length ? ['', '## Verdict differs between parallel and serial', '', ...serialDiffers.map((r) => `- ${r.scenario}: ${r.results.join(', ')}`)] : []),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(OUT, 'summary.md'), md);
  process.stdout.write(`${md}\nstability: reports/stability/summary.md, summary.json\n`);
  process.exitCode = unstable.length === 0 && runs.every((r) => r.code === 0) ? 0 : 1;
}

main().catch((error) => {
  process.stderr.write(`verify-stability: ${error.message}\n`);
  process.exitCode = 2;
});
