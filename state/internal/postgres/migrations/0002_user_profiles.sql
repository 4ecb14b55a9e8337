-- Durable user profiles written by the write-profiles job. A row is only replaced by a newer
-- version (the upsert's WHERE), so replays after a crash and out-of-order batches are harmless.
create table user_profiles (
  user_id text primary key,
  version bigint not null,
  updated_at timestamptz not null,
  profile jsonb not null
);
