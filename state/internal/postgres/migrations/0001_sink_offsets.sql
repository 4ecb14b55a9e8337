-- Offsets of Kafka input that a sink has made durable in PostgreSQL, written in the same
-- transaction as the sink's rows, so an ambiguous COMMIT is safe to retry and a restart resumes
-- exactly where the database is. `epoch` fences a zombie writer whose partition moved on.
create table sink_offsets (
  sink text not null,
  topic text not null,
  partition integer not null,
  next_offset bigint not null,
  epoch bigint not null default 0,
  updated_at timestamptz not null default now(),
  primary key (sink, topic, partition)
);
