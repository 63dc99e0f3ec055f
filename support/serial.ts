/**
 * `@serial` (README tag list): a scenario that must not run beside any other. With parallel workers, cucumber asks
 * this rule before handing a scenario to an idle worker: a `@serial` scenario starts only when nothing else is
 * running, and nothing starts while one runs (e.g. a `@disruptive` scenario that stops the executor).
 */
import { setParallelCanAssign } from '@cucumber/cucumber';

const SERIAL = '@serial';

function isSerial(pickle: { tags: ReadonlyArray<{ name: string }> }): boolean {
  return pickle.tags.some((tag) => tag.name === SERIAL);
}

setParallelCanAssign((pickle, running) => {
  if (running.some(isSerial)) return false;
  return isSerial(pickle) ? running.length === 0 : true;
});
