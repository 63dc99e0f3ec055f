/** Runtime names and their aliases, shared by the scheduler (worker selection) and the worker. */
export const RUNTIME_ALIAS_GROUPS: ReadonlyArray<readonly string[]> = [
  ['shell', 'bash', 'sh'],
  ['python', 'python3'],
  ['node', 'nodejs', 'node.js'],
  ['native', 'builtin', 'standalone'],
  // actions run in a bubblewrap sandbox (stack/worker/sandbox, docs/runtimes.md "Container runner")
  ['container', 'sandbox'],
];

/** Canonical runtime name: lower-case, aliases folded onto the group's first name. */
export function canonicalRuntimeName(name: string): string {
  const lower = name.trim().toLowerCase();
  for (const group of RUNTIME_ALIAS_GROUPS) if (group.includes(lower)) return group[0];
  return lower;
}
