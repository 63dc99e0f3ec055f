/**
 * The scenario lifecycle.
 *
 *  BeforeAll (once per worker process): the target answers /health (fail fast with a clear message otherwise), the
 *    admin logs in, the persona pack is installed.
 *  Before: scenarios whose `@requires-<capability>` is missing are skipped with the reason; then the scenario's own
 *    tenant identity is created.
 *  After: on failure, diagnostics are attached; a passing scenario fails if an execution it caused failed unasserted;
 *    the notification stream and queue tap are closed; the cleanup stack runs (LIFO) whatever the outcome, unless
 *    ATTUNE_E2E_KEEP_ON_FAILURE=1 and the scenario failed.
 *  AfterAll: the database pool is closed so the worker exits cleanly.
 */
import { After, AfterAll, Before, BeforeAll, Status, setDefaultTimeout } from '@cucumber/cucumber';
import { createApiClient } from './api/client';
import { missingCapabilityReason, publishCapabilityTable } from './capabilities';
import { writeCoverage } from './coverage';
import { closeDatabase } from './database';
import { attachDiagnostics } from './diagnostics';
import { installPersonas } from './personas';
import { unassertedFailures } from './side-effects';
import { createTenant } from './tasks/identities';
import { target } from './target';
import { timeouts } from './timeouts';
import type { AttuneWorld } from './world';
import { adminAccessToken, setupTranscript } from './worker-session';

setDefaultTimeout(timeouts.step);

/** An error whose report shows only its message (no stack of harness internals). */
function plainError(message: string): Error {
  const error = new Error(message);
  error.stack = message;
  return error;
}

function reason(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? cause.message || (cause as NodeJS.ErrnoException).code : cause ? String(cause) : '';
    return causeText ? `${error.message} (${causeText})` : error.message;
  }
  return String(error);
}

async function assertTargetAnswers(apiUrl: string): Promise<void> {
  let problem: string | undefined;
  try {
    const response = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(timeouts.probe) });
    if (!response.ok) problem = `it answered HTTP ${response.status}`;
  } catch (error) {
    problem = reason(error);
  }
  if (problem) {
    throw plainError(
      `Attune API at ${apiUrl} is not answering /health: ${problem}. ` +
        'Start the reference stack with `npm run stack` or point ATTUNE_API_URL at a running Attune.',
    );
  }
}

let personaStatus = '';

BeforeAll({ timeout: timeouts.workerSetup }, async function () {
  const settings = target();
  await assertTargetAnswers(settings.apiUrl);
  try {
    await adminAccessToken();
    const admin = createApiClient(settings.apiUrl, () => adminAccessToken(), setupTranscript, 'admin');
    personaStatus = await installPersonas(admin);
    await publishCapabilityTable();
  } catch (error) {
    const calls = setupTranscript
      .slice(-10)
      .map((t) => `  ${t.method} ${t.url} → ${t.status}${t.responseBody ? ` ${t.responseBody.slice(0, 300)}` : ''}${t.error ? ` ${t.error}` : ''}`)
      .join('\n');
    throw plainError(`Worker setup against ${settings.apiUrl} failed: ${reason(error)}\nLast setup calls:\n${calls || '  (none)'}`);
  }
});

Before({ name: 'skip when a required capability is missing' }, async function (this: AttuneWorld, { pickle }) {
  const why = await missingCapabilityReason(pickle.tags.map((t) => t.name));
  if (why) {
    this.attach(why, 'text/plain');
    return 'skipped';
  }
  return undefined;
});

Before({ name: 'create the scenario tenant' }, async function (this: AttuneWorld) {
  await createTenant(this);
  if (personaStatus) this.attach(`${personaStatus}; tenant ${this.tenant.login} (#${this.tenant.id}), namespace ${this.packRef}`, 'text/plain');
});

After({ name: 'diagnose, guard side effects, clean up' }, async function (this: AttuneWorld, { result }) {
  const failed = result?.status === Status.FAILED;
  const problems: string[] = [];

  if (!failed && this.hasTenant) {
    try {
      const unasserted = await unassertedFailures(this);
      if (unasserted.length > 0) {
        problems.push(
          `The scenario passed, but ${unasserted.length} execution(s) it caused failed and no step asserted on them: ` +
            unasserted.map((e) => `#${e.id} (${e.action_ref ?? '?'})`).join(', '),
        );
      }
    } catch (error) {
      problems.push(`Could not check the scenario's executions for unasserted failures: ${reason(error)}`);
    }
  }

  if (failed || problems.length > 0) {
    try {
      await attachDiagnostics(this);
    } catch (error) {
      this.attach(`Collecting diagnostics failed: ${reason(error)}`, 'text/plain');
    }
  }

  await this.notifications?.close();
  await this.queueTap?.close();

  if (failed && process.env.ATTUNE_E2E_KEEP_ON_FAILURE === '1') {
    this.attach(
      `ATTUNE_E2E_KEEP_ON_FAILURE=1: kept for debugging (not cleaned up):\n${this.pendingCleanups().join('\n') || '(nothing)'}`,
      'text/plain',
    );
  } else {
    const cleanupFailures = await this.runCleanups();
    if (cleanupFailures.length > 0) {
      const text = cleanupFailures.map((f) => `- ${f.description}: ${reason(f.error)}`).join('\n');
      this.attach(`Cleanup failures:\n${text}`, 'text/plain');
      // a failed body keeps its own error; a passing body is failed by its broken cleanup
      if (!failed) problems.push(`Cleanup failed:\n${text}`);
    }
  }

  if (problems.length > 0) throw plainError(problems.join('\n\n'));
});

AfterAll(async function () {
  writeCoverage();
  await closeDatabase();
});
