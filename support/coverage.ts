/**
 * Contract coverage: what of the target's wire contract this worker process touched during the run — every API
 * operation called (method + path, the statuses seen), every message type heard on a tapped exchange, every notifier
 * channel received, every table read. Written once per worker in AfterAll to reports/coverage/<run>-<worker>.json;
 * `npm run coverage` (scripts/coverage.js) merges the files of the latest run and compares them with Attune 0.2.1's
 * operations (trace/attune-0.2.1-operations.json).
 *
 * Only facts the suite already has are noted (no extra requests); noting never throws.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from './target';

interface Seen {
  api: Map<string, Map<string, number>>; // "METHOD path" → status → count
  messages: Map<string, number>;
  channels: Map<string, number>;
  tables: Map<string, number>;
}

const seen: Seen = { api: new Map(), messages: new Map(), channels: new Map(), tables: new Map() };

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** `path` is the path template when the typed client made the call, else the concrete path (matched later). */
export function noteApiCall(method: string, path: string, status: number | string): void {
  const bare = path.split('?')[0];
  const key = `${method.toUpperCase()} ${bare}`;
  let statuses = seen.api.get(key);
  if (!statuses) seen.api.set(key, (statuses = new Map()));
  bump(statuses, String(status));
}

export function noteMessageType(type: string | undefined): void {
  if (type) bump(seen.messages, type);
}

export function noteChannel(channel: string | undefined): void {
  if (channel) bump(seen.channels, channel);
}

/** The tables a read-only query names (`FROM attune.x`, `JOIN x`, …). */
export function noteTablesOf(sql: string): void {
  for (const m of sql.matchAll(/\b(?:from|join)\s+(?:attune\.)?"?([a-z_][a-z0-9_]*)"?/gi)) {
    const table = m[1].toLowerCase();
    if (!['select', 'lateral', 'unnest', 'jsonb_array_elements', 'jsonb_each', 'generate_series'].includes(table)) bump(seen.tables, table);
  }
}

function plain(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...map.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** Writes this worker's notes (nothing when it noted nothing). */
export function writeCoverage(): void {
  if (seen.api.size + seen.messages.size + seen.channels.size + seen.tables.size === 0) return;
  const dir = path.join(projectRoot, 'reports', 'coverage');
  fs.mkdirSync(dir, { recursive: true });
  const api: Record<string, Record<string, number>> = {};
  for (const [key, statuses] of [...seen.api.entries()].sort(([a], [b]) => a.localeCompare(b))) api[key] = plain(statuses);
  const doc = {
    // every worker of one cucumber run shares its coordinator as parent: the run's id
    run: process.ppid,
    worker: process.env.CUCUMBER_WORKER_ID ?? String(process.pid),
    written: new Date().toISOString(),
    api,
    messages: plain(seen.messages),
    channels: plain(seen.channels),
    tables: plain(seen.tables),
  };
  fs.writeFileSync(path.join(dir, `${doc.run}-${doc.worker}.json`), `${JSON.stringify(doc, null, 1)}\n`);
}
