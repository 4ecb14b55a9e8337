/** A versioned profile snapshot as the sinks store it (the `ProfileUpdate` message of the model). */
export interface VersionedProfile {
  userId: string;
  version: number;
  updatedAt: number;
  profile: unknown;
}

/**
 * Where profile snapshots are kept. `write` is idempotent and never replaces a newer version with an
 * older one, so the same batch can be written again after a crash.
 */
export interface ProfileSink {
  readonly name: string;
  /**
   * A serving copy (Redis): written as soon as updates arrive, not only at commits, because readers
   * wait on it. Writes to it are versioned like every sink's, so writing early loses nothing.
   */
  readonly serving?: boolean;
  /**
   * Serving copies only: the identity of the copy's current contents, a random id kept in the
   * store itself (SET if absent). It changes when the store lost its data (a restart without
   * persistence, a flush), which is how writers learn that they must rebuild it. `created` is true
   * for the caller that wrote a new id.
   */
  generation?(): Promise<{ id: string; created: boolean }>;
  /** Durable sinks only: every snapshot, by user id ascending, `limit` at a time after `afterUserId`. */
  scan?(afterUserId: string, limit: number): Promise<VersionedProfile[]>;
  /** Writes the batch; resolves with how many rows were newer and got written. */
  write(batch: VersionedProfile[]): Promise<number>;
  get(userId: string): Promise<VersionedProfile | undefined>;
  close(): Promise<void>;
}
