/**
 * The suite's own wall time against the target (opt-in `--suite`): each tier and the whole suite with 4 workers, and
 * the whole suite with 1 worker. Quick mode times the smoke profile only, once with each.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const { ROOT } = require('./target');

function timeRun(profile, workers) {
  const t0 = Date.now();
  const args = ['cucumber-js', '--format', 'summary'];
  if (profile !== 'all') args.push('-p', profile);
  const run = spawnSync('npx', args, {
    cwd: ROOT,
    env: { ...process.env, ATTUNE_E2E_PARALLEL: String(workers) },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30 * 60 * 1000,
  });
  const text = `${run.stdout || ''}${run.stderr || ''}`;
  const line = (text.match(/\d+ scenarios? \([^)]*\)/g) || []).pop() || `no summary (exit ${run.status})`;
  return { profile, workers, seconds: Math.round((Date.now() - t0) / 100) / 10, summary: line, exit_code: run.status };
}

function suiteWallTimes(quick) {
  const plan = quick ? [['smoke', 4], ['smoke', 1]] : [['tier1', 4], ['tier2', 4], ['tier3', 4], ['all', 4], ['all', 1]];
  const runs = [];
  for (const [profile, workers] of plan) {
    const r = timeRun(profile, workers);
    process.stdout.write(`  ${profile} with ${workers} worker(s): ${r.seconds} s (${r.summary})\n`);
    runs.push(r);
  }
  return { runs };
}

module.exports = { suiteWallTimes };
