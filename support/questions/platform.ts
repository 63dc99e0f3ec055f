/**
 * Questions about the platform itself: health, readiness and version.
 */
import type { ApiClient, RawResponse } from '../api/client';
import { unwrapBody } from '../api/envelopes';

export async function health(client: ApiClient): Promise<RawResponse> {
  return client.raw('GET', '/health', undefined, { anonymous: true });
}

/** GET /health/ready: 200 when the platform can run an action now, 503 (with the reason) when it cannot. */
export async function readiness(client: ApiClient): Promise<RawResponse> {
  return client.raw('GET', '/health/ready', undefined, { anonymous: true });
}

/** The target's version: `/api/v1/info` (late Attune), else `/health/detailed`, else 'unknown'. */
export async function targetVersion(client: ApiClient): Promise<string> {
  try {
    const info = await client.raw('GET', '/api/v1/info', undefined, { anonymous: true });
    if (info.ok && info.body && typeof info.body === 'object') {
      const data = unwrapBody(info.body) as Record<string, unknown>;
      const version = data.version ?? data.build_version ?? data.git_sha;
      if (version) return String(version);
    }
  } catch {
    /* fall through */
  }
  try {
    const detailed = await client.raw('GET', '/health/detailed', undefined, { anonymous: true });
    const version = (detailed.body as Record<string, unknown> | undefined)?.version;
    if (detailed.ok && version) return String(version);
  } catch {
    /* fall through */
  }
  return 'unknown';
}
