/**
 * The suite's names for Attune's objects, derived from the OPERATIONS of the generated `paths` (not from component
 * names): a target whose document inlines its schemas, or names them differently, types the suite the same way as
 * long as the paths and the shapes agree. Check with `npm run gen:api` against the target, then `tsc`.
 */
import type { ListElement, Unwrapped } from './envelopes';
import type { paths } from './schema';

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type SuccessOf<Op> = Op extends { responses: infer R }
  ? R extends { 200: infer A }
    ? JsonOf<A>
    : R extends { 201: infer B }
      ? JsonOf<B>
      : never
  : never;

/** The JSON body of a 200/201 answer of `method path`. */
export type OkBody<P extends keyof paths, M extends keyof paths[P]> = SuccessOf<paths[P][M]>;
/** The single object of `method path` (`data` unwrapped). */
export type Single<P extends keyof paths, M extends keyof paths[P]> = Unwrapped<NonNullable<OkBody<P, M>>>;
/** One element of the list `method path` answers. */
export type Item<P extends keyof paths, M extends keyof paths[P]> = ListElement<NonNullable<OkBody<P, M>>>;

export type TokenResponse = Single<'/auth/login', 'post'>;
export type CurrentUser = Single<'/auth/me', 'get'>;
export type Pack = Single<'/api/v1/packs', 'post'>;
export type Action = Single<'/api/v1/actions', 'post'>;
export type Trigger = Single<'/api/v1/triggers', 'post'>;
export type Rule = Single<'/api/v1/rules', 'post'>;
export type Key = Single<'/api/v1/keys', 'post'>;
export type Execution = Single<'/api/v1/executions/{id}', 'get'>;
export type ExecutionSummary = Item<'/api/v1/executions', 'get'>;
export type Event = Single<'/api/v1/events/{id}', 'get'>;
export type EventSummary = Item<'/api/v1/events', 'get'>;
export type Enforcement = Single<'/api/v1/enforcements/{id}', 'get'>;
export type EnforcementSummary = Item<'/api/v1/enforcements', 'get'>;
