import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Pool } from '../../stack/common/db';
import { removeLeftoverRunFolders } from '../../stack/worker/temp-dirs';

test('a starting worker removes the run folders of ended executions and keeps those of runs in progress', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'temp-dirs-test-'));
  try {
    for (const name of ['attune-exec-11-abc123', 'attune-exec-12-def456', 'attune-exec-13-ghi789', 'unrelated-folder', 'attune-exec-x-1']) {
      fs.mkdirSync(path.join(tmp, name));
    }
    const asked: unknown[][] = [];
    const pool = {
      query: async (_sql: string, params: unknown[]) => {
        asked.push(params);
        return { rows: [{ id: '12' }] }; // only execution 12 is still running
      },
    } as unknown as Pool;
    const removed = await removeLeftoverRunFolders(pool, tmp);
    assert.equal(removed, 2);
    assert.deepEqual(fs.readdirSync(tmp).sort(), ['attune-exec-12-def456', 'attune-exec-x-1', 'unrelated-folder']);
    assert.deepEqual((asked[0][0] as number[]).sort(), [11, 12, 13]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
