import type pg from 'pg';
import type { ProfileSink, VersionedProfile } from './profile-sink.ts';

/**
 * Profile rows in PostgreSQL (`user_profiles`, migrations 0002 and 0003): one batched, versioned
 * upsert. Rows belong to a namespace (the deployment's `PULSE_NAMESPACE`, empty by default), as the
 * Redis keys do.
 */
export class PgProfileStore implements ProfileSink {
  readonly name = 'postgres';

  private ready: Promise<void> | undefined;

  /** `prepare` runs once before the first write (e.g. apply migrations); a failure is retried next time. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly prepare?: () => Promise<void>,
    private readonly namespace = '',
  ) {}

  private async prepared(): Promise<void> {
    if (!this.prepare) return;
    this.ready ??= this.prepare().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    await this.ready;
  }

  async write(batch: VersionedProfile[]): Promise<number> {
    if (batch.length === 0) return 0;
    await this.prepared();
    const r = await this.pool.query(
      `insert into user_profiles (namespace, user_id, version, updated_at, profile)
       select $5, * from unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::jsonb[])
       on conflict (namespace, user_id) do update
         set version = excluded.version, updated_at = excluded.updated_at, profile = excluded.profile
         where user_profiles.version < excluded.version`,
      [
        batch.map((u) => u.userId),
        batch.map((u) => u.version),
        batch.map((u) => new Date(u.updatedAt).toISOString()),
        batch.map((u) => JSON.stringify(u.profile)),
        this.namespace,
      ],
    );
    return r.rowCount ?? 0;
  }

  async get(userId: string): Promise<VersionedProfile | undefined> {
    const r = await this.pool.query<{ version: bigint; updated_at: Date; profile: unknown }>(
      'select version, updated_at, profile from user_profiles where namespace = $1 and user_id = $2',
      [this.namespace, userId],
    );
    const row = r.rows[0];
    return row
      ? { userId, version: Number(row.version), updatedAt: row.updated_at.getTime(), profile: row.profile }
      : undefined;
  }

  async scan(afterUserId: string, limit: number): Promise<VersionedProfile[]> {
    // A rebuild may scan before this worker wrote anything: the table must exist first.
    await this.prepared();
    const r = await this.pool.query<{ user_id: string; version: bigint; updated_at: Date; profile: unknown }>(
      `select user_id, version, updated_at, profile from user_profiles
       where namespace = $1 and user_id > $2 order by user_id limit $3`,
      [this.namespace, afterUserId, limit],
    );
    return r.rows.map((row) => ({
      userId: row.user_id,
      version: Number(row.version),
      updatedAt: row.updated_at.getTime(),
      profile: row.profile,
    }));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
