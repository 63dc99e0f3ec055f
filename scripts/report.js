#!/usr/bin/env node
/*
 * Builds reports/acceptance.html from the last run (reports/cucumber.json + reports/messages.ndjson) and prints the
 * verdict line `N passed, N failed[, N skipped]` last. Always exits 0: the acceptance run's own exit code decides.
 *
 *   npm run accept:report          (after `npm run accept` / `npx cucumber-js -p release`)
 */
'use strict';

const path = require('node:path');

require('ts-node/register/transpile-only');
const { buildAcceptanceReport, verdictLine } = require(path.join(__dirname, '..', 'support', 'report.ts'));

buildAcceptanceReport()
  .then(({ counts, output, note }) => {
    if (output) process.stdout.write(`report: ${path.relative(process.cwd(), output)}\n`);
    if (note) process.stdout.write(`report: ${note}\n`);
    process.stdout.write(`${verdictLine(counts)}\n`);
  })
  .catch((error) => {
    process.stdout.write(`report: could not build the report: ${error && error.message ? error.message : String(error)}\n`);
    process.stdout.write('0 passed, 0 failed\n');
  })
  .finally(() => {
    process.exitCode = 0;
  });
