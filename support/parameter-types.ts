/**
 * The domain vocabulary of the features, as cucumber parameter types.
 *
 *  {status}    plain outcome words → an execution status ("succeeds" → completed); see support/status.ts
 *  {statuses}  a lifecycle written with arrows or commas ("requested → scheduled → running → completed")
 *  {duration}  "1 second", "500 ms", "2 seconds", "1.5 s", "1 minute", "1 hour", "365 days" → milliseconds
 *  {persona}   tenant | viewer | executor | editor | admin
 *  {ref}       a quoted name: a bare name ("timer rule") becomes the scenario's namespaced ref
 *              (`<scenario pack>.timer_rule`); a dotted ref ("core.echo") is global and stays as written
 */
import { defineParameterType } from '@cucumber/cucumber';
import { ALL_STATUSES, STATUS_WORDS_PATTERN, statusFromWords, type ExecutionStatus } from './status';
import type { AttuneWorld, Persona } from './world';

defineParameterType({
  name: 'status',
  regexp: new RegExp(STATUS_WORDS_PATTERN),
  transformer: (words: string): ExecutionStatus => statusFromWords(words),
  useForSnippets: false,
});

defineParameterType({
  name: 'statuses',
  regexp: /[a-z]+(?:\s*(?:→|->|,)\s*[a-z]+)+/,
  transformer: (text: string): ExecutionStatus[] => {
    const statuses = text.split(/\s*(?:→|->|,)\s*/).map((s) => s.trim());
    for (const status of statuses) {
      if (!ALL_STATUSES.includes(status as ExecutionStatus)) {
        throw new Error(`"${status}" is not an execution status (known: ${ALL_STATUSES.join(', ')})`);
      }
    }
    return statuses as ExecutionStatus[];
  },
  useForSnippets: false,
});

const UNIT_MS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  second: 1000,
  seconds: 1000,
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

defineParameterType({
  name: 'duration',
  regexp: /(\d+(?:\.\d+)?)\s*(ms|milliseconds?|seconds?|s|minutes?|hours?|days?)/,
  transformer: (amount: string, unit: string): number => Math.round(Number(amount) * UNIT_MS[unit]),
  useForSnippets: false,
});

export const PERSONA_WORDS: readonly Persona[] = ['tenant', 'viewer', 'executor', 'editor', 'admin'];

defineParameterType({
  name: 'persona',
  regexp: new RegExp(PERSONA_WORDS.join('|')),
  transformer: (word: string): Persona => word as Persona,
  useForSnippets: false,
});

/** A name as the feature wrote it, and the ref it stands for in this scenario. */
export interface RefArg {
  name: string;
  ref: string;
}

defineParameterType({
  name: 'ref',
  regexp: /"([^"]+)"/,
  transformer: function (this: AttuneWorld, name: string): RefArg {
    return { name, ref: this.ref(name) };
  },
  useForSnippets: false,
});
