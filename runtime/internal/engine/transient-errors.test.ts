import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AnyJob } from '../api.ts';
import {
  backoffMs,
  isDiskFullError,
  isRetriableKafkaError,
  isTransientStoreError,
  sleepUnless,
} from '../errors.ts';
import { RocksStore } from '../store/rocks-store.ts';
import { localMetaOp, openTaskStore, storePath } from './task-state.ts';

/** librdkafka errors as the client hands them over: a message and a numeric code. */
const kafka = (message: string, code: number) => Object.assign(new Error(message), { code });

describe('isRetriableKafkaError', () => {
  it.each([
    ['Local: Broker transport failure', -195],
    ['Local: Timed out', -185],
    ['Local: All broker connections are down', -187],
    ['Local: Erroneous state', -172],
    ['Broker: Leader not available', 5],
    ['Broker: Not leader for partition', 6],
    ['Broker: Coordinator not available', 15],
    ['Broker: Coordinator load in progress', 14],
  ])('retries %s', (message, code) => {
    expect(isRetriableKafkaError(kafka(message, code))).toBe(true);
    // The same condition known only by its text (a client that dropped the code).
    expect(isRetriableKafkaError(new Error(message))).toBe(true);
  });

  it('looks through wrapped errors', () => {
    const cause = kafka('Local: Erroneous state', -172);
    const wrapped = new Error('seek in/3 to the beginning: Local: Erroneous state', { cause });
    expect(isRetriableKafkaError(wrapped)).toBe(true);
    expect(isRetriableKafkaError(new Error('restore failed', { cause: kafka('x', 6) }))).toBe(true);
  });

  it.each([
    kafka('Local: Authentication failure', -169),
    kafka('Broker: Topic authorization failed', 29),
    new Error('Configuration property "bootstrap.servers" Invalid value'),
    kafka('Broker: Unknown topic or partition', 3),
    new Error('enrich: inputs are not co-partitioned (a=3, b=4)'),
  ])('does not retry configuration, credential or topology errors (%s)', (err) => {
    expect(isRetriableKafkaError(err)).toBe(false);
  });

  it('never retries an authentication error even if a transport failure is also mentioned', () => {
    const err = new Error('SASL authentication error', {
      cause: kafka('Local: Broker transport failure', -195),
    });
    expect(isRetriableKafkaError(err)).toBe(false);
  });
});

describe('isTransientStoreError', () => {
  it('treats a full disk as transient, not as damage', () => {
    const err = new Error(
      'IO error: No space left on device: While appending to file: /state/j/s/0/000012.log',
    );
    expect(isDiskFullError(err)).toBe(true);
    expect(isTransientStoreError(err)).toBe(true);
    expect(isDiskFullError(Object.assign(new Error('write failed'), { code: 'ENOSPC' }))).toBe(true);
  });

  it('treats a held lock as transient', () => {
    const err = new Error(
      'IO error: lock hold by current process, acquire time 1 acquiring thread 2: /s/LOCK: No locks available',
    );
    expect(isTransientStoreError(err)).toBe(true);
    expect(isDiskFullError(err)).toBe(false);
  });

  it('treats corruption and missing files as damage', () => {
    expect(isTransientStoreError(new Error('Corruption: block checksum mismatch in 000009.sst'))).toBe(false);
    expect(
      isTransientStoreError(
        new Error(
          'IO error: No such file or directory: While opening a file for sequentially reading: /s/MANIFEST-000005',
        ),
      ),
    ).toBe(false);
    expect(isTransientStoreError(new Error('unexpected end of JSON input'))).toBe(false);
  });
});

describe('backoffMs', () => {
  it('doubles from 0.5 s and stops growing at 10 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((a) => backoffMs(a))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
  });

  it('ends a wait early when stopped', async () => {
    let stopped = false;
    setTimeout(() => (stopped = true), 20);
    await sleepUnless(60_000, () => stopped); // would time the test out if it ignored stopped()
    expect(stopped).toBe(true);
  });
});

describe('openTaskStore', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const job = { name: 'transient-open' } as AnyJob;

  it('keeps a store it cannot open for a transient reason, and opens it once the cause is gone', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'transient-open-'));
    dirs.push(stateDir);
    const holder = new RocksStore(storePath(stateDir, job.name, 'counts', 0));
    await holder.open();
    const meta = { epoch: 7, changelogEnd: 42, offsets: { in: 10 } };
    await holder.write([{ key: 'user-1', value: Buffer.from('3') }, localMetaOp(meta)]);

    // The lock is held (as by a process still shutting down): the open fails transiently.
    const warnings: string[] = [];
    let attempts = 0;
    await expect(
      openTaskStore(job, 'counts', 0, stateDir, {}, 100, {
        stopped: () => attempts >= 2,
        onRetry: (err) => {
          attempts++;
          warnings.push(err.message);
        },
      }),
    ).rejects.toThrow(/IO error/);
    expect(warnings.length).toBe(2);

    // The lock is released while a later open waits: it succeeds with the local state intact.
    let released = false;
    const opening = openTaskStore(job, 'counts', 0, stateDir, {}, 100, {
      onRetry: () => {
        if (!released) {
          released = true;
          void holder.close();
        }
      },
    });
    const opened = await opening;
    expect(released).toBe(true);
    expect(opened.discarded).toBeUndefined();
    expect(opened.local).toMatchObject(meta);
    expect((await opened.cached.bytes.get('user-1'))?.toString()).toBe('3');
    await opened.cached.bytes.close();
  });

  it('still discards a store whose files are damaged', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'transient-open-'));
    dirs.push(stateDir);
    const location = storePath(stateDir, job.name, 'counts', 1);
    const s = new RocksStore(location);
    await s.open();
    await s.write([{ key: 'user-1', value: Buffer.from('3') }]);
    await s.close();
    for (const f of fs.readdirSync(location))
      if (f.startsWith('MANIFEST-')) fs.writeFileSync(path.join(location, f), 'garbage');
    const opened = await openTaskStore(job, 'counts', 1, stateDir, {}, 100, {
      onRetry: () => {
        throw new Error('a damaged store must not be waited for');
      },
    });
    expect(opened.discarded).toMatch(/cannot open local state/);
    expect(await opened.cached.bytes.get('user-1')).toBeUndefined();
    await opened.cached.bytes.close();
  });
});
