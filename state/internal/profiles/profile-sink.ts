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
  /** Writes the batch; resolves with how many rows were newer and got written. */
  write(batch: VersionedProfile[]): Promise<number>;
  get(userId: string): Promise<VersionedProfile | undefined>;
  close(): Promise<void>;
}
