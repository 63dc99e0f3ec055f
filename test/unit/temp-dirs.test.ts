import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Pool } from '../../stack/common/db';
import { removeLeftoverRunFolders } from '../../stack/worker/temp-dirs';

test('a starting worker removes its stack\'s run folders of ended executions, keeps runs in progress and other stacks\' folders', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'temp-dirs-test-'));
  try {
    for (const name of ['attune-exec-0badc0de-11-abc123', 'attune-exec-0badc0de-12-def456', 'attune-exec-0badc0de-13-ghi789', 'attune-exec-feedf00d-14-jkl012', 'unrelated-folder', 'attune-exec-0badc0de-x-1']) {
      fs.mkdirSync(path.join(tmp, name));
    }
    const asked: unknown[][] = [];
    const pool = {
      query: async (_sql: string, params: unknown[]) => {
        asked.push(params);
        return { rows: [{ id: '12' }] }; // only execution 12 is still running
      },
    } as unknown as Pool;
    const removed = await removeLeftoverRunFolders(pool, tmp, '0badc0de');
    assert.equal(removed, 2);
    assert.deepEqual(fs.readdirSync(tmp).sort(), ['attune-exec-0badc0de-12-def456', 'attune-exec-0badc0de-x-1', 'attune-exec-feedf00d-14-jkl012', 'unrelated-folder']);
    assert.deepEqual((asked[0][0] as number[]).sort(), [11, 12, 13]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
