/**
 * Which actions run in the sandbox, and how: the `container` block of a runtime's `execution_config`
 * (our addition to Attune's runtime keys, docs/runtimes.md "Container runner"):
 *
 *   container: {tool: bwrap, rootfs: default, network: false}
 *
 * A runtime with that block is a container runtime. So is any runtime whose name or ref says "container" (or its
 * alias "sandbox"): one of those without a usable block is refused rather than run on the host.
 */
import { canonicalRuntimeName } from '../../common/runtimes';
import { stringifyExact } from '../../common/exact-json';

export interface ContainerSettings {
  /** the sandbox tool; this worker knows `bwrap` (bubblewrap) */
  tool: 'bwrap';
  /** which root filesystem: `default` is the worker's configured one (config `worker.container.rootfs`) */
  rootfs: 'default';
  /** true: the sandbox keeps the host's network namespace; false (default): only its own, empty loopback */
  network: boolean;
}

export const SUPPORTED_TOOLS = ['bwrap'] as const;
export const SUPPORTED_ROOTFS = ['default'] as const;

/** A container runtime whose block this worker cannot honour; the execution fails with this message. */
export class ContainerSettingsError extends Error {}

interface RuntimeLike {
  ref: string | null;
  name: string | null;
  execution_config: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when the runtime's name or the name part of its ref is `container` (or an alias of it). */
export function namedLikeContainer(runtime: RuntimeLike): boolean {
  const names = [runtime.name, runtime.ref?.split('.').pop()].filter((s): s is string => typeof s === 'string' && s.trim() !== '');
  return names.some((n) => canonicalRuntimeName(n) === 'container');
}

/**
 * The sandbox settings of an action's runtime; null when the runtime is not a container runtime. Throws
 * ContainerSettingsError when it is one but its block is missing or asks for something this worker does not offer.
 */
export function containerSettingsOf(runtime: RuntimeLike | null): ContainerSettings | null {
  if (!runtime) return null;
  const label = runtime.ref ?? runtime.name ?? 'unnamed runtime';
  const config = isPlainObject(runtime.execution_config) ? runtime.execution_config : {};
  const block = config.container;
  if (block === undefined || block === null) {
    if (!namedLikeContainer(runtime)) return null;
    throw new ContainerSettingsError(
      `Runtime '${label}' is a container runtime but its execution_config has no 'container' block; the action is not run outside a sandbox`,
    );
  }
  if (!isPlainObject(block)) {
    throw new ContainerSettingsError(`Runtime '${label}': execution_config.container must be a mapping like {tool: bwrap, rootfs: default, network: false}`);
  }
  const tool = block.tool ?? 'bwrap';
  if (typeof tool !== 'string' || !(SUPPORTED_TOOLS as readonly string[]).includes(tool)) {
    throw new ContainerSettingsError(
      `Runtime '${label}': container.tool ${stringifyExact(tool)} is not offered by this worker (supported: ${SUPPORTED_TOOLS.join(', ')})`,
    );
  }
  const rootfs = block.rootfs ?? 'default';
  if (typeof rootfs !== 'string' || !(SUPPORTED_ROOTFS as readonly string[]).includes(rootfs)) {
    throw new ContainerSettingsError(
      `Runtime '${label}': container.rootfs ${stringifyExact(rootfs)} is not offered by this worker (supported: ${SUPPORTED_ROOTFS.join(', ')})`,
    );
  }
  const network = block.network ?? false;
  if (typeof network !== 'boolean') {
    throw new ContainerSettingsError(`Runtime '${label}': container.network must be true or false, not ${stringifyExact(network)}`);
  }
  return { tool: 'bwrap', rootfs: 'default', network };
}
