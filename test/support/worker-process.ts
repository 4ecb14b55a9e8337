/** Spawns real `pulse worker` processes for fault-injection tests (kill -9, crash points). */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../cli/config.ts';
import { createAdmin } from '../../runtime/index.ts';

export interface WorkerProcessOptions {
  id: string;
  jobs: string;
  namespace: string;
  stateDir: string;
  logDir: string;
  env?: Record<string, string>;
}

export class WorkerProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<number | null> | undefined;
  starts = 0;

  constructor(readonly opts: WorkerProcessOptions) {}

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(extraEnv: Record<string, string> = {}): void {
    fs.mkdirSync(this.opts.logDir, { recursive: true });
    const log = fs.openSync(path.join(this.opts.logDir, `${this.opts.id}.log`), 'a');
    this.starts++;
    this.child = spawn(
      process.execPath,
      [
        path.join(projectRoot, 'cli/bin/pulse.js'),
        'worker',
        '--jobs',
        this.opts.jobs,
        '--id',
        this.opts.id,
        '--port',
        '0',
      ],
      {
        cwd: projectRoot,
        env: {
          ...process.env,
          PULSE_EXIT_WITH_PARENT: '1',
          PULSE_NAMESPACE: this.opts.namespace,
          PULSE_STATE_DIR: this.opts.stateDir,
          ...this.opts.env,
          ...extraEnv,
        },
        stdio: ['ignore', log, log],
      },
    );
    fs.closeSync(log);
    const child = this.child;
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** kill -9, and wait until the process is gone. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exit;
  }

  /** SIGTERM (graceful: commit, close, leave the group) and wait. */
  async stop(): Promise<number | null> {
    if (!this.running) return this.child?.exitCode ?? null;
    this.child!.kill('SIGTERM');
    return this.exit!;
  }

  /**
   * What a failing test should show of this worker: its warnings and errors (every start appends
   * to one log file) and the last lines, e.g. to tell a stalled task from a failed job.
   */
  notableLog(maxLines = 25): string {
    let lines: string[] = [];
    try {
      lines = fs
        .readFileSync(path.join(this.opts.logDir, `${this.opts.id}.log`), 'utf8')
        .trim()
        .split('\n');
    } catch {
      return `${this.opts.id}: (no log)`;
    }
    const notable = lines.filter((l) => !l.startsWith('{') || !l.includes('"level":"info"'));
    const shown = [...new Set([...notable.slice(-maxLines), ...lines.slice(-5)])];
    return `--- ${this.opts.id} (${this.starts} starts, running: ${this.running}) ---\n${shown.join('\n')}`;
  }

  /** Resolves with the exit code when the process ends by itself (e.g. an injected crash). */
  exited(): Promise<number | null> {
    return this.exit ?? Promise.resolve(null);
  }
}

/** Waits until the job's group has committed the end offset of every input partition. */
export async function waitCaughtUp(
  brokers: string[],
  groupId: string,
  topic: string,
  timeoutMs = 120_000,
  /** Workers whose notable log lines go into the timeout error. */
  workers: WorkerProcess[] = [],
): Promise<void> {
  const admin = createAdmin(brokers);
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ends = await admin.fetchTopicOffsets(topic);
      const committed = await admin.fetchOffsets({ groupId, topics: [topic] }).catch(() => []);
      const byPartition = new Map(
        (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
      );
      // Test inputs are written without transactions, so "caught up" means committed == end offset.
      if (ends.every((e) => Number(e.high) === 0 || (byPartition.get(e.partition) ?? -1) >= Number(e.high)))
        return;
      if (Date.now() > deadline) {
        throw new Error(
          `group ${groupId} did not catch up on ${topic}: ${ends.map((e) => `${e.partition}:${byPartition.get(e.partition) ?? '-'}/${e.high}`).join(' ')}` +
            workers.map((w) => `\n${w.notableLog()}`).join(''),
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await admin.disconnect();
  }
}
