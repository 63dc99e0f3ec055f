/**
 * Secret probes: actions that take one secret the way an action author would (a shell script from its input and the
 * shell variables the worker defines; Python with `get_secret`; Node.js with `getSecret`) and then report, as ONE
 * JSON line on stdout, what they received and what their process shows the rest of the machine:
 *
 *   received_sha256            SHA-256 of the value received (of nothing when nothing came), never the value itself
 *   shell_variables            (shell) for `<name>` and `PARAM_<NAME>`: "same" as the input's value, "different", "unset"
 *   default_for_missing        (helpers) get_secret(<a name nobody stored>, "the default")
 *   missing_is_absent          (helpers) get_secret(<that name>) without a default is None / undefined
 *   input_names                the top-level names of the input document, sorted
 *   environment                names of the variables in the action's own environment (/proc/self/environ)
 *   child_environment          names of the variables a child process of the action inherits (`env -0`)
 *   environment_holding_value  names of variables of either environment whose value contains the received value
 *   argv, parent_argv          the command lines of the action's process and of its parent (/proc/…/cmdline)
 *
 * The probe searches its environments for the value itself and reports only names, so the stored output never holds
 * a secret that was not leaked already; the command lines are reported as they are, and the suite searches them.
 */
import type { AttuneWorld } from '../world';
import { createAction } from './actions';
import { addPackFile, installPackFromFiles, PACK_REF_PLACEHOLDER } from './packs';

export type ProbeLanguage = 'shell' | 'python' | 'node';

/** get_secret / getSecret is asked for this name, which no scenario stores. */
export const MISSING_SECRET_NAME = 'no_secret_stored_under_this_name';
export const MISSING_SECRET_DEFAULT = 'the default';

function checkedName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`a probed secret needs a lower-case identifier as its name, got "${name}"`);
  return name;
}

/**
 * The bash probe: the secret from stdin (jq), the shell variables of the worker's inline prelude. Written tersely: an
 * inline action's entrypoint may hold at most 1024 characters. `c NAME` compares a shell variable with the value from
 * stdin; `e` turns NUL-separated entries (/proc/…/environ, /proc/…/cmdline, `env -0`) into a JSON array.
 */
export function shellProbe(name: string): string {
  const n = checkedName(name);
  const p = `PARAM_${n.toUpperCase()}`;
  const script = `i=$(cat); [ -n "$i" ] || i='{}'
v=$(jq -j '.["${n}"] // empty | if type == "string" then . else tojson end' <<<"$i")
c() { if [ "\${!1+x}" != x ]; then echo unset; elif [ "\${!1}" = "$v" ]; then echo same; else echo different; fi; }
e() { jq -Rs 'split("\\u0000") | map(select(. != ""))'; }
jq -cn --arg s "$(printf %s "$v" | sha256sum | cut -d ' ' -f 1)" --arg v "$v" --arg a "$(c ${n})" --arg b "$(c ${p})" \\
  --argjson i "$i" --argjson o "$(e </proc/$$/environ)" --argjson k "$(env -0 | e)" \\
  --argjson g "$(e </proc/$$/cmdline)" --argjson p "$(e </proc/$PPID/cmdline)" 'def n: map(split("=")[0]);
  {received_sha256: $s, shell_variables: {"${n}": $a, "${p}": $b}, input_names: ($i | keys),
   environment: ($o | n), child_environment: ($k | n),
   environment_holding_value: (if $v == "" then [] else $o + $k | map(select(split("=")[1:] | join("=") | contains($v))) | n | unique end),
   argv: $g, parent_argv: $p}'
`;
  if (script.length > 1024) throw new Error(`the shell probe for "${name}" is ${script.length} characters long; an inline entrypoint holds at most 1024 (use a shorter name)`);
  return script;
}

/** The Python probe: `from attune_action import get_secret, parameters`. */
export function pythonProbe(name: string): string {
  const n = checkedName(name);
  return `import hashlib
import json
import os
import subprocess

from attune_action import get_secret, parameters

value = get_secret("${n}")
text = "" if value is None else value if isinstance(value, str) else json.dumps(value)


def entries(raw):
    return [e for e in raw.decode("utf-8", "replace").split("\\0") if e]


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


own = entries(read("/proc/self/environ"))
child = entries(subprocess.run(["env", "-0"], capture_output=True, check=True).stdout)
print(json.dumps({
    "received_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    "default_for_missing": get_secret("${MISSING_SECRET_NAME}", "${MISSING_SECRET_DEFAULT}"),
    "missing_is_absent": get_secret("${MISSING_SECRET_NAME}") is None,
    "input_names": sorted(parameters().keys()),
    "environment": [e.split("=", 1)[0] for e in own],
    "child_environment": [e.split("=", 1)[0] for e in child],
    "environment_holding_value": sorted({e.split("=", 1)[0] for e in own + child if text and text in e.split("=", 1)[-1]}),
    "argv": entries(read("/proc/self/cmdline")),
    "parent_argv": entries(read("/proc/%d/cmdline" % os.getppid())),
}))
`;
}

/** The Node.js probe: `const { getSecret, parameters } = require('attune-action')`. */
export function nodeProbe(name: string): string {
  const n = checkedName(name);
  return `'use strict';
const { createHash } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const { getSecret, parameters } = require('attune-action');

const value = getSecret('${n}');
const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
const entries = (raw) => raw.toString('utf8').split('\\0').filter((e) => e !== '');
const own = entries(fs.readFileSync('/proc/self/environ'));
const child = entries(execFileSync('env', ['-0']));
const nameOf = (e) => e.split('=')[0];
const valueOf = (e) => e.slice(e.indexOf('=') + 1);
console.log(JSON.stringify({
  received_sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
  default_for_missing: getSecret('${MISSING_SECRET_NAME}', '${MISSING_SECRET_DEFAULT}'),
  missing_is_absent: getSecret('${MISSING_SECRET_NAME}') === undefined,
  input_names: Object.keys(parameters()).sort(),
  environment: own.map(nameOf),
  child_environment: child.map(nameOf),
  environment_holding_value: [...new Set([...own, ...child].filter((e) => text !== '' && valueOf(e).includes(text)).map(nameOf))].sort(),
  argv: entries(fs.readFileSync('/proc/self/cmdline')),
  parent_argv: entries(fs.readFileSync('/proc/' + process.ppid + '/cmdline')),
}));
`;
}

const PROBE_NAME = 'probe';

/** An inline shell action of the scenario's pack that probes the secret `secretName`. */
export async function createShellProbe(world: AttuneWorld, actionName: string, secretName: string): Promise<void> {
  await createAction(world, { name: actionName, script: shellProbe(secretName) });
  world.remember(PROBE_NAME, actionName, { language: 'shell', secretName });
}

/**
 * Installs the scenario's pack from files holding one Python or Node.js action (`runner_type` python / node, its script
 * in `actions/`) that probes the secret `secretName` with the worker's helper.
 */
export async function installHelperProbe(world: AttuneWorld, language: 'python' | 'node', actionName: string, secretName: string): Promise<void> {
  const stem = world.ref(actionName).slice(world.packRef.length + 1);
  const file = `${stem}.${language === 'python' ? 'py' : 'js'}`;
  const ref = `${PACK_REF_PLACEHOLDER}.${stem}`;
  addPackFile(
    world,
    `actions/${stem}.yaml`,
    [`ref: ${ref}`, `label: ${actionName}`, `description: probes where its secret ${secretName} can be seen`, `runner_type: ${language}`, `entry_point: ${file}`, ''].join('\n'),
  );
  addPackFile(world, `actions/${file}`, language === 'python' ? pythonProbe(secretName) : nodeProbe(secretName));
  await installPackFromFiles(world);
  world.remember(PROBE_NAME, actionName, { language, secretName });
}
