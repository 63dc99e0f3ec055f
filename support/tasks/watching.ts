/**
 * Acts about watching the notifier: a tenant (the scenario's own, or another tenant's view) opens its own connection
 * and subscribes. The connection is closed by cleanup whatever the outcome.
 */
import { NotificationStream } from '../notifications';
import type { AttuneWorld } from '../world';

/**
 * Opens a notifier connection as `world`'s tenant, subscribes to `filter` and keeps it as that tenant's
 * `notifications` (an own connection even on another tenant's view, which would otherwise read the scenario's).
 */
export async function watchAs(world: AttuneWorld, filter: string): Promise<NotificationStream> {
  const stream = await NotificationStream.open(world.settings.wsUrl, world.tenant.accessToken);
  world.onCleanup(`close the notifier connection of ${world.tenant.login}`, () => stream.close());
  world.notifications = stream;
  stream.subscribe(filter);
  return stream;
}
