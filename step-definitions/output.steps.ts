/**
 * Steps about an action's captured output and its size limits (internals §4.7, docs/runtimes.md "Output limits").
 * Sizes are written relative to the target's limits ({byteCount}, support/output-sizes.ts); the stored text is
 * compared byte for byte with what the action's generator printed.
 */
import { Then, When, type DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import { parseByteCount, type OutputStreamName } from '../support/output-sizes';
import type { RefArg } from '../support/parameter-types';
import { awaitTerminal, type Execution } from '../support/questions/executions';
import { isUnflagged, repeatedLines, storedOutput, textMismatch, truncationFlags, truncationMarker } from '../support/questions/output';
import { runAction } from '../support/tasks/executions';
import type { AttuneWorld } from '../support/world';

/** The scenario's last run, once it has ended (the status itself is asserted by its own step). */
async function endedRun(world: AttuneWorld): Promise<Execution> {
  const last = world.recall<Execution>('execution', 'last');
  const run = await awaitTerminal(world, last.id);
  world.markAsserted(run.id);
  return run;
}

function expectText(run: Execution, stream: OutputStreamName, expected: string): void {
  const mismatch = textMismatch(storedOutput(run, stream), expected);
  if (mismatch !== undefined) expect.fail(`result.${stream} of execution ${run.id} (status ${run.status}) is not what must be kept: ${mismatch}`);
}

When('I run {ref} with {string} set to {byteCount}', async function (this: AttuneWorld, action: RefArg, name: string, bytes: number) {
  await runAction(this, action.ref, { [name]: bytes });
});

When('I run {ref} with these byte counts:', async function (this: AttuneWorld, action: RefArg, table: DataTable) {
  const parameters: Record<string, number> = {};
  for (const [name, count] of Object.entries(table.rowsHash())) parameters[name] = parseByteCount(count);
  await runAction(this, action.ref, parameters);
});

Then(
  'the stored {stream} holds {byteCount} bytes of repeated {string} lines, untouched',
  async function (this: AttuneWorld, stream: OutputStreamName, bytes: number, line: string) {
    expectText(await endedRun(this), stream, repeatedLines(line, bytes));
  },
);

Then(
  'the stored {stream} holds {byteCount} bytes of repeated {string} lines, then the marker {string}',
  async function (this: AttuneWorld, stream: OutputStreamName, bytes: number, line: string, notice: string) {
    expectText(await endedRun(this), stream, repeatedLines(line, bytes) + truncationMarker(stream, notice));
  },
);

Then(
  'the result flags {stream} as truncated, {byteCount} bytes dropped',
  async function (this: AttuneWorld, stream: OutputStreamName, dropped: number) {
    const run = await endedRun(this);
    expect(truncationFlags(run, stream), `${stream}_truncated / ${stream}_bytes_truncated of execution ${run.id} (status ${run.status})`).to.deep.equal({
      truncated: true,
      bytesTruncated: dropped,
    });
  },
);

Then('the result does not flag {stream} as truncated', async function (this: AttuneWorld, stream: OutputStreamName) {
  const run = await endedRun(this);
  const flags = truncationFlags(run, stream);
  expect(isUnflagged(flags), `${stream}_truncated / ${stream}_bytes_truncated of execution ${run.id}: ${JSON.stringify(flags)}`).to.equal(true);
});
