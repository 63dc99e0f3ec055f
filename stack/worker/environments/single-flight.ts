/**
 * One build at a time per environment folder, in this worker process: concurrent executions of the same pack wait
 * for the build in progress. A waiter whose manifest hash is the one being built shares that build's outcome
 * (success or failure); a waiter with another hash (the pack was replaced meanwhile) waits for it to end and then
 * looks again.
 */

interface Flight<T> {
  hash: string;
  promise: Promise<T>;
}

export class SingleFlight<T> {
  private readonly flights = new Map<string, Flight<T>>();

  /** Runs `work` for `key` unless a flight for the same key and hash is under way, whose outcome is returned instead. */
  async run(key: string, hash: string, work: () => Promise<T>): Promise<T> {
    for (;;) {
      const current = this.flights.get(key);
      if (!current) break;
      if (current.hash === hash) return current.promise;
      await current.promise.catch(() => undefined);
    }
    const promise = work();
    const flight: Flight<T> = { hash, promise };
    this.flights.set(key, flight);
    try {
      return await promise;
    } finally {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    }
  }

  get size(): number {
    return this.flights.size;
  }
}
