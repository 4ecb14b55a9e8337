/** A real `pulse worker` process for the benchmark: spawn, HTTP probes, log, graceful stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface BenchWorkerOptions {
  /** Repository root (where cli/bin/pulse.js lives). */
  root: string;
  id: string;
  jobs: string;
  namespace: string;
  stateDir: string;
  brokers: string[];
  logFile: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Extra environment, e.g. PULSE_COMMIT_INTERVAL_MS. */
  env?: Record<string, string>;
}

export interface WorkerStatus {
  ready: boolean;
  jobs: Array<{ job: string; failure?: string; tasks: Array<{ partition: number; state: string }> }>;
}

export interface LogLine {
  time: string;
  msg: string;
  [field: string]: unknown;
}

/** Every child process the benchmark started and that is still alive (killed on interrupt). */
const children = new Set<ChildProcess>();

export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** SIGKILLs the benchmark's own live child processes, by their handles, and waits until they are gone. */
export async function killChildren(): Promise<void> {
  const gone = [...children].map(
    (c) =>
      new Promise<void>((resolve) =>
        c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve()),
      ),
  );
  for (const c of children) c.kill('SIGKILL');
  await Promise.race([Promise.all(gone), new Promise((r) => setTimeout(r, 5000))]);
}

/** A free TCP port on this machine (closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export class BenchWorker {
  private child: ChildProcess | undefined;
  private exit: Promise<number | null> | undefined;
  port = 0;
  startedAt = 0;

  constructor(readonly opts: BenchWorkerOptions) {}

  get pid(): number {
    if (!this.child?.pid) throw new Error(`worker ${this.opts.id} is not running`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    fs.mkdirSync(path.dirname(this.opts.logFile), { recursive: true });
    const log = fs.openSync(this.opts.logFile, 'a');
    this.startedAt = performance.now();
    const args = [
      ...(this.opts.nodeArgs ?? []),
      path.join(this.opts.root, 'cli/bin/pulse.js'),
      'worker',
      '--jobs',
      this.opts.jobs,
      '--id',
      this.opts.id,
      '--port',
      String(this.port),
    ];
    this.child = spawn(process.execPath, args, {
      cwd: this.opts.root,
      env: {
        ...process.env,
        PULSE_EXIT_WITH_PARENT: '1',
        KAFKA_BROKERS: this.opts.brokers.join(','),
        PULSE_NAMESPACE: this.opts.namespace,
        PULSE_STATE_DIR: this.opts.stateDir,
        ...this.opts.env,
      },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    trackChild(this.child);
    const child = this.child;
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  private async get(route: string): Promise<Response | undefined> {
    try {
      return await fetch(`http://127.0.0.1:${this.port}${route}`, { signal: AbortSignal.timeout(5000) });
    } catch {
      return undefined; // not listening yet
    }
  }

  /** A sample from /metrics whose only label is `job` (counters, histogram _sum and _count). */
  async metric(name: string, job: string): Promise<number | undefined> {
    const res = await this.get('/metrics');
    if (!res?.ok) return undefined;
    const text = await res.text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{job="${job}"}`));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : undefined;
  }

  async readyz(): Promise<boolean> {
    const res = await this.get('/readyz');
    return res?.status === 200;
  }

  async status(): Promise<WorkerStatus | undefined> {
    const res = await this.get('/status');
    return res?.ok ? ((await res.json()) as WorkerStatus) : undefined;
  }

  /** Throws with the end of the log if the process is gone. */
  assertRunning(): void {
    if (!this.running)
      throw new Error(`worker ${this.opts.id} exited (${this.child?.exitCode}); log:\n${this.logTail()}`);
  }

  logLines(): LogLine[] {
    let text = '';
    try {
      text = fs.readFileSync(this.opts.logFile, 'utf8');
    } catch {
      return [];
    }
    const out: LogLine[] = [];
    for (const l of text.split('\n')) {
      if (!l.startsWith('{')) continue;
      try {
        out.push(JSON.parse(l) as LogLine);
      } catch {
        // a partial line
      }
    }
    return out;
  }

  logTail(lines = 30): string {
    try {
      return fs.readFileSync(this.opts.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM (commit, close, leave the group) and wait; SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (!this.running) return this.child?.exitCode ?? null;
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exit!;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Immediate SIGKILL (clean-up after a failure or an interrupt). */
  kill(): void {
    if (this.running) this.child!.kill('SIGKILL');
  }
}
