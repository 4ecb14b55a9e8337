/**
 * For unit tests of the JobRunner's policies: a runner that is never started (its brokers are an
 * unreachable address and its state directory is never opened), with a logger that keeps what it
 * was told. Tests then drive its private parts through a view they declare.
 */
import os from 'node:os';
import path from 'node:path';
import type { AnyJob } from '../api.ts';
import { JobRunner } from './job-runner.ts';

export interface LoggedWarning {
  msg: string;
  fields?: Record<string, unknown>;
}

export function brokerlessRunner<Internals>(job: AnyJob): {
  inner: Internals;
  warnings: LoggedWarning[];
  errors: string[];
} {
  const warnings: LoggedWarning[] = [];
  const errors: string[] = [];
  const runner = new JobRunner(job, {
    brokers: ['127.0.0.1:1'],
    stateDir: path.join(os.tmpdir(), `${job.name}-unused`),
    workerId: 'w',
    log: {
      info: () => undefined,
      warn: (msg, fields) => warnings.push({ msg, ...(fields ? { fields } : {}) }),
      error: (msg) => errors.push(msg),
    },
  });
  return { inner: runner as unknown as Internals, warnings, errors };
}
