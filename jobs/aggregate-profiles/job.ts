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
 * `user-profile-updates` (keyed by userId), coalesced: at most one update per user per
 * `commitIntervalMs`, carrying the whole profile and a `version` (the input offset after the last
 * event applied for the user) that only grows.
 *
 * - `process` applies the event to the user's state (store `profiles`) and marks the user in store
 *   `pending`; duplicates (see `profile.ts`) change nothing and mark nothing.
 * - A punctuator every `commitIntervalMs` emits an update for each pending user, bumps the stored
 *   version and clears the mark. The marks live in a store, so a crash between an event and its
 *   update loses neither: both are restored together and the update goes out after the restart.
 * - At least once: after a crash an update may be sent again with the same version and profile.
 */
export function aggregateProfilesJob(
  opts: { namespace?: string; commitIntervalMs?: number; params?: ProfileParams } = {},
) {
  const ns = opts.namespace ?? '';
  const commitIntervalMs = opts.commitIntervalMs ?? 1000;
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
    processor: () => ({
      init(ctx) {
        // The punctuator gets the same context; the typed one from init is used.
        ctx.schedule(commitIntervalMs, async () => {
          const c = ctx;
          const pending = c.store('pending');
          const profiles = c.store('profiles');
          const users: string[] = [];
          for await (const [userId] of pending.entries()) users.push(userId);
          for (const userId of users) {
            pending.delete(userId);
            const state = await profiles.get(userId);
            if (!state) continue;
            c.emit('updates', userId, {
              userId,
              version: state.version,
              updatedAt: c.now(),
              profile: toProfile(state, params),
            });
          }
        });
      },
      async process(record, ctx) {
        const userId = record.value.userId;
        const profiles = ctx.store('profiles');
        // applyEvent mutates in place and nothing below can throw, so no copy per record.
        const state = (await profiles.get(userId)) ?? emptyState();
        if (!applyEvent(state, record.value, params)) return;
        // The version is the position of the last event applied for this user (its events all sit
        // on one partition, in offset order): it only grows, and an update sent again after a
        // crash carries the same version only with the same profile, so version-checking sinks
        // can never keep a stale profile under a version they already hold.
        state.version = record.offset + 1;
        profiles.put(userId, state);
        ctx.store('pending').put(userId, true);
      },
    }),
  });
}
