import { z } from 'zod';
import { EnrichedEvent, ProfileUpdate } from '../../model/index.ts';
import { defineJob } from '../../runtime/index.ts';
import {
  applyEvent,
  DEFAULT_PARAMS,
  emptyState,
  ProfileState,
  toProfile,
  type ProfileParams,
} from './profile.ts';

/**
 * Folds `enriched-events` (keyed by userId) into one profile per user and publishes it on
 * `user-profile-updates` (keyed by userId), throttled per user: at most one update per user per
 * `commitIntervalMs`, carrying the whole profile and a `version` (the input offset after the last
 * event applied for the user) that only grows.
 *
 * - `process` applies the event to the user's state (store `profiles`). If the user's last update
 *   went out at least an interval ago (or never, in this task's life), the update goes out at once:
 *   a user acting now sees it now. Otherwise the user is marked in store `pending`.
 *   Duplicates (see `profile.ts`) change nothing and send nothing.
 * - A punctuator, four times per interval, sends one update for each pending user whose interval
 *   has passed and clears the mark: the events of an interval are coalesced into one update.
 *   The marks live in a store, so a crash between an event and its update loses neither: both are
 *   restored together and the update goes out after the restart.
 * - At least once: after a crash an update may be sent again with the same version and profile.
 */
/** What sending an update needs of the task's context. */
interface Emitter {
  emit(output: 'updates', key: string, value: ProfileUpdate): void;
}

export function aggregateProfilesJob(
  opts: { namespace?: string; commitIntervalMs?: number | undefined; params?: ProfileParams } = {},
) {
  const ns = opts.namespace ?? '';
  // Short by default: profiles are read live. Kafka Streams uses the same 100 ms when latency
  // matters (its exactly-once default).
  const commitIntervalMs = opts.commitIntervalMs ?? 100;
  const params = opts.params ?? DEFAULT_PARAMS;
  return defineJob({
    name: `${ns}aggregate-profiles`,
    description: 'folds enriched user events into versioned user profiles',
    inputs: { events: { topic: `${ns}enriched-events`, schema: EnrichedEvent } },
    stores: {
      profiles: { schema: ProfileState },
      pending: { schema: z.literal(true) },
    },
    outputs: { updates: { topic: `${ns}user-profile-updates`, schema: ProfileUpdate } },
    commitIntervalMs,
    processor: () => {
      /** Users whose last update went out less than an interval ago, with its wall-clock time. */
      const lastSent = new Map<string, number>();
      /** Mirror of store `pending` (loaded in init), so punctuations do not scan the store. */
      const pendingUsers = new Set<string>();
      const send = (ctx: Emitter, userId: string, state: ProfileState, now: number) => {
        lastSent.set(userId, now);
        ctx.emit('updates', userId, {
          userId,
          version: state.version,
          updatedAt: now,
          profile: toProfile(state, params),
        });
      };
      return {
        async init(ctx) {
          for await (const [userId] of ctx.store('pending').entries()) pendingUsers.add(userId);
          ctx.schedule(Math.max(5, Math.floor(commitIntervalMs / 4)), async () => {
            const now = ctx.now();
            for (const [userId, at] of lastSent) if (now - at >= commitIntervalMs) lastSent.delete(userId);
            const profiles = ctx.store('profiles');
            const pending = ctx.store('pending');
            for (const userId of [...pendingUsers]) {
              if (lastSent.has(userId)) continue; // its interval has not passed yet
              pendingUsers.delete(userId);
              pending.delete(userId);
              const state = await profiles.get(userId);
              if (!state) continue;
              send(ctx, userId, state, now);
            }
          });
        },
        async process(record, ctx) {
          const userId = record.value.userId;
          const profiles = ctx.store('profiles');
          // applyEvent mutates in place and nothing below can throw, so no copy per record.
          const state = (await profiles.get(userId)) ?? emptyState();
          if (!applyEvent(state, record.value, params)) return;
          // The version is the position of the last event applied for this user (its events all
          // sit on one partition, in offset order): it only grows, and an update sent again after
          // a crash carries the same version only with the same profile, so version-checking
          // sinks can never keep a stale profile under a version they already hold.
          state.version = record.offset + 1;
          profiles.put(userId, state);
          const now = ctx.now();
          const last = lastSent.get(userId);
          if ((last === undefined || now - last >= commitIntervalMs) && !pendingUsers.has(userId)) {
            send(ctx, userId, state, now);
          } else if (!pendingUsers.has(userId)) {
            pendingUsers.add(userId);
            ctx.store('pending').put(userId, true);
          }
        },
      };
    },
  });
}
