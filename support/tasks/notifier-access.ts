/**
 * Acts about getting into the notifier: attempts at the WebSocket upgrade with chosen credentials (remembered as the
 * scenario's last attempt), tokens signed with the target's key that expire when the scenario says, and an identity
 * whose token outlives it.
 */
import { NotificationStream } from '../notifications';
import { epochSecondsFromNow, signWith } from '../signed-tokens';
import { attemptUpgrade, type UpgradeCredentials, type UpgradeOutcome } from '../websocket-handshake';
import type { AttuneWorld } from '../world';
import { deleteIdentity, newCredentials, registerDisposableIdentity, signIn } from './identities';

/** Tries the upgrade with these credentials; the outcome is kept as the scenario's last attempt. */
export async function tryNotifierUpgrade(world: AttuneWorld, credentials: UpgradeCredentials): Promise<UpgradeOutcome> {
  const outcome = await attemptUpgrade(world.settings.wsUrl, credentials);
  world.scratch.upgradeAttempt = outcome;
  return outcome;
}

/** The scenario's last upgrade attempt. */
export function lastUpgradeAttempt(world: AttuneWorld): UpgradeOutcome {
  const outcome = world.scratch.upgradeAttempt as UpgradeOutcome | undefined;
  if (!outcome) throw new Error('No notifier connection was attempted in this scenario ("When I open a notifier connection …").');
  return outcome;
}

/** An access token for the scenario's tenant, signed with the target's key, expiring `offsetSeconds` from now. */
export function tenantTokenExpiringIn(world: AttuneWorld, offsetSeconds: number): string {
  return signWith(world.settings.jwtSecret, { sub: world.tenant.id, login: world.tenant.login, exp: epochSecondsFromNow(offsetSeconds) });
}

/** Opens a notifier connection (closed at cleanup) with the given token and subscribes to `filter`. */
export async function watchWithToken(world: AttuneWorld, token: string, filter: string): Promise<NotificationStream> {
  const stream = await NotificationStream.open(world.settings.wsUrl, token);
  world.onCleanup(`close the notifier connection opened with a chosen token of ${world.tenant.login}`, () => stream.close());
  stream.subscribe(filter);
  return stream;
}

export interface DepartingIdentity {
  id: number;
  login: string;
  accessToken: string;
}

/** Registers an identity (deleted at cleanup if still there) and signs it in; remembered under `name`. */
export async function signedInIdentity(world: AttuneWorld, name: string): Promise<DepartingIdentity> {
  const credentials = newCredentials(world, name);
  const { id } = await registerDisposableIdentity(world, credentials);
  const tokens = await signIn(world.anonymous, credentials.login, credentials.password);
  return world.remember<DepartingIdentity>('identity', name, { id, login: credentials.login, accessToken: tokens.access_token });
}

/** The administrator deletes an identity remembered under `name`. */
export async function deleteRememberedIdentity(world: AttuneWorld, name: string): Promise<void> {
  await deleteIdentity(world, world.recall<DepartingIdentity>('identity', name).id);
}
