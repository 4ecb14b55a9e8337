import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The repository root (where package.json lives). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const urlString = (name: string) =>
  z.string().refine((v) => URL.canParse(v), { message: `${name} must be a URL` });

/**
 * Environment accepted by every `pulse` entry point. Parsed once, here; everything else receives the
 * typed result. Defaults match the local stack (`pulse stack up`).
 */
export const EnvSchema = z.object({
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .refine((v) => v.split(',').every((b) => /^[^\s:,]+:\d+$/.test(b.trim())), {
      message: 'KAFKA_BROKERS must be a comma-separated list of host:port',
    }),
  REDIS_URL: urlString('REDIS_URL').default('redis://127.0.0.1:6379'),
  DATABASE_URL: urlString('DATABASE_URL').default('postgres://postgres@127.0.0.1:5432/pulsecity'),
  PULSE_STACK_DIR: z.string().optional(),
  PULSE_STATE_DIR: z.string().optional(),
  PULSE_STACK_MODE: z.enum(['auto', 'local', 'docker']).default('auto'),
  PULSE_NAMESPACE: z
    .string()
    .regex(
      /^([a-z][a-z0-9-]*-)?$/,
      'PULSE_NAMESPACE must be empty or lowercase letters, digits and dashes ending in "-"',
    )
    .default(''),
  PULSE_WORKER_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/)
    .optional(),
  PULSE_WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  PULSE_GROUP_PROTOCOL: z.enum(['consumer', 'classic']).default('consumer'),
  PULSE_ROCKSDB_CACHE_MB: z.coerce.number().positive().default(8),
  PULSE_ROCKSDB_WRITE_BUFFER_MB: z.coerce.number().positive().default(4),
  PULSE_CACHE_ENTRIES: z.coerce.number().int().positive().optional(),
  /** Per-partition fetch of every job's consumer, in KiB: 128 (the default, above our producers' 64 KiB batches) or more. */
  PULSE_FETCH_PARTITION_KB: z.coerce.number().int().min(128).max(65_536).optional(),
  /** Overrides every job's commit interval (and the profile job's emit interval): latency vs. cost. */
  PULSE_COMMIT_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).optional(),
  /** Overrides every job's delivery guarantee (state is exact either way; see docs/guarantees.md). */
  PULSE_GUARANTEE: z.enum(['at_least_once', 'exactly_once']).optional(),
  /** Test-only fault injection: `<commit-step>:<n>` kills the worker at the n-th time it reaches the step. */
  PULSE_TEST_CRASH_AT: z
    .union([
      z.literal(''),
      z.string().regex(/^[a-z-]+:\d+$/, 'PULSE_TEST_CRASH_AT must look like <commit-step>:<n>'),
    ])
    .optional(),
  /** Comma-separated bearer keys for the ingestion API (required when NODE_ENV=production). */
  PULSE_INGEST_KEYS: z.string().optional(),
  PULSE_INGEST_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  PULSE_INGEST_RATE_PER_SEC: z.coerce.number().positive().default(200),
  PULSE_INGEST_BURST: z.coerce.number().int().min(1).default(400),
  PULSE_TOPIC_PARTITIONS: z.coerce.number().int().min(1).default(12),
  /** Comma-separated service keys for the query API (read any user). */
  PULSE_API_KEYS: z.string().optional(),
  /** HS256 secret of user tokens for the query API. */
  PULSE_JWT_SECRET: z.string().optional(),
  PULSE_API_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Query API requests per second per credential (a user token's user, or a service key). */
  PULSE_API_RATE_PER_SEC: z.coerce.number().positive().default(500),
  PULSE_API_BURST: z.coerce.number().int().min(1).default(1000),
  /** When set, every `/metrics` (APIs and workers) and a worker's `/status` need `Bearer <token>`. */
  PULSE_METRICS_TOKEN: z.string().min(16, 'PULSE_METRICS_TOKEN must be at least 16 characters').optional(),
  /**
   * `1`: a worker or API server shuts down gracefully when the process that started it exits (its
   * parent changes). Harnesses (benchmarks, chaos, tests) set it so a crashed harness leaves no
   * process behind; under a supervisor (systemd, Kubernetes) leave it unset.
   */
  PULSE_EXIT_WITH_PARENT: z.enum(['', '0', '1']).optional(),
  /** Test-only fault injection: the n-th exactly-once transaction commit fails as if refused. */
  PULSE_TEST_FAIL_TXN_AT: z.coerce.number().int().positive().optional(),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export interface AppConfig {
  kafkaBrokers: string[];
  redisUrl: string;
  databaseUrl: string;
  stackDir: string;
  stateDir: string;
  stackMode: 'auto' | 'local' | 'docker';
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  namespace: string;
  workerId: string | undefined;
  workerPort: number;
  groupProtocol: 'consumer' | 'classic';
  rocks: { cacheSize: number; writeBufferSize: number };
  /** Unset: the runtime's default (`DEFAULT_CACHE_ENTRIES`). */
  cacheEntries: number | undefined;
  /** `PULSE_FETCH_PARTITION_KB` in bytes; unset: the runtime's default (128 KiB). */
  fetchPartitionBytes: number | undefined;
  /** `PULSE_COMMIT_INTERVAL_MS`: when set, every job's commit interval. */
  commitIntervalMs: number | undefined;
  /** `PULSE_GUARANTEE`: when set, every job's delivery guarantee. */
  guarantee: 'at_least_once' | 'exactly_once' | undefined;
  testCrashAt: { step: string; nth: number } | undefined;
  testFailTxnAt: number | undefined;
  ingest: { keys: string | undefined; port: number; ratePerSec: number; burst: number };
  topicPartitions: number;
  query: {
    keys: string | undefined;
    jwtSecret: string | undefined;
    port: number;
    ratePerSec: number;
    burst: number;
  };
  metricsToken: string | undefined;
  exitWithParent: boolean;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/** Parses the environment once; throws a readable {@link ConfigError} naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    kafkaBrokers: e.KAFKA_BROKERS.split(',').map((b) => b.trim()),
    redisUrl: e.REDIS_URL,
    databaseUrl: e.DATABASE_URL,
    stackDir: path.resolve(e.PULSE_STACK_DIR ?? path.join(projectRoot, '.stack')),
    stateDir: path.resolve(e.PULSE_STATE_DIR ?? path.join(projectRoot, '.state')),
    stackMode: e.PULSE_STACK_MODE,
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    namespace: e.PULSE_NAMESPACE,
    workerId: e.PULSE_WORKER_ID,
    workerPort: e.PULSE_WORKER_PORT,
    groupProtocol: e.PULSE_GROUP_PROTOCOL,
    rocks: {
      cacheSize: Math.round(e.PULSE_ROCKSDB_CACHE_MB * 1024 * 1024),
      writeBufferSize: Math.round(e.PULSE_ROCKSDB_WRITE_BUFFER_MB * 1024 * 1024),
    },
    cacheEntries: e.PULSE_CACHE_ENTRIES,
    fetchPartitionBytes:
      e.PULSE_FETCH_PARTITION_KB === undefined ? undefined : e.PULSE_FETCH_PARTITION_KB * 1024,
    commitIntervalMs: e.PULSE_COMMIT_INTERVAL_MS,
    guarantee: e.PULSE_GUARANTEE,
    testFailTxnAt: e.PULSE_TEST_FAIL_TXN_AT,
    testCrashAt: e.PULSE_TEST_CRASH_AT
      ? { step: e.PULSE_TEST_CRASH_AT.split(':')[0]!, nth: Number(e.PULSE_TEST_CRASH_AT.split(':')[1]) }
      : undefined,
    ingest: {
      keys: e.PULSE_INGEST_KEYS,
      port: e.PULSE_INGEST_PORT,
      ratePerSec: e.PULSE_INGEST_RATE_PER_SEC,
      burst: e.PULSE_INGEST_BURST,
    },
    topicPartitions: e.PULSE_TOPIC_PARTITIONS,
    query: {
      keys: e.PULSE_API_KEYS,
      jwtSecret: e.PULSE_JWT_SECRET || undefined,
      port: e.PULSE_API_PORT,
      ratePerSec: e.PULSE_API_RATE_PER_SEC,
      burst: e.PULSE_API_BURST,
    },
    metricsToken: e.PULSE_METRICS_TOKEN,
    exitWithParent: e.PULSE_EXIT_WITH_PARENT === '1',
  };
}
