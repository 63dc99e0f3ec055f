/**
 * The secret helpers actions may import (stack/worker/helpers): Python `attune_action` (get_secret, parameters) and
 * Node `attune-action` (getSecret, parameters). Their folders are appended to PYTHONPATH / NODE_PATH of Python and
 * Node actions, after whatever the runtime, the pack or the execution put there, so a pack's own module of the same
 * name wins. The worker reports the languages whose helper is on disk in `capabilities.action_helpers`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fault } from '../../common/faults';
import { stackRoot } from '../../common/paths';

export type HelperLanguage = 'python' | 'node';

const HELPERS_DIR = path.join(stackRoot, 'worker', 'helpers');

interface HelperPlace {
  /** the folder to put on the search path */
  dir: string;
  /** the file that must exist for the helper to be offered */
  entry: string;
  variable: 'PYTHONPATH' | 'NODE_PATH';
}

export const HELPER_PLACES: Record<HelperLanguage, HelperPlace> = {
  python: { dir: path.join(HELPERS_DIR, 'python'), entry: path.join(HELPERS_DIR, 'python', 'attune_action.py'), variable: 'PYTHONPATH' },
  node: { dir: path.join(HELPERS_DIR, 'node'), entry: path.join(HELPERS_DIR, 'node', 'attune-action', 'index.js'), variable: 'NODE_PATH' },
};

/** The languages whose helper this worker can offer (its file is on disk), for `capabilities.action_helpers`. */
export function actionHelperLanguages(fileExists: (p: string) => boolean = fs.existsSync): HelperLanguage[] {
  return (Object.keys(HELPER_PLACES) as HelperLanguage[]).filter((lang) => fileExists(HELPER_PLACES[lang].entry));
}

/** `env` with the helper folder of the action's language appended to its search path (a copy; other kinds unchanged). */
export function withActionHelpers(env: Record<string, string>, kind: string): Record<string, string> {
  if (kind !== 'python' && kind !== 'node') return env;
  // fault action-helpers-off-path: the helpers are never put on the actions' search paths
  if (fault('action-helpers-off-path')) return env;
  const place = HELPER_PLACES[kind];
  const current = env[place.variable];
  const parts = current ? current.split(path.delimiter) : [];
  if (parts.includes(place.dir)) return env;
  return { ...env, [place.variable]: current ? `${current}${path.delimiter}${place.dir}` : place.dir };
}
