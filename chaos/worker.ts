/**
 * A `pulse worker` process under the chaos harness: started, signalled, killed and restarted by
 * scenarios; exits nobody asked for are reported to a supervisor callback (which restarts the
 * worker, as a process supervisor would, and counts the exit against the run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { projectRoot } from '../cli/config.ts';
import type { ChaosWorker, ChaosWorkerStatus } from './types.ts';

export interface ChaosWorkerOptions {
  id: string;
  jobs: string;
  stateDir: string;
  logFile: string;
  port: number;
  /** Environment of every start (namespace, addresses, the scenario's knobs). */
  env: Record<string, string>;
  /** An exit that no signal of ours and no crash hook explains. */
  onUnexpectedExit(w: ChaosWorkerProcess, code: number | null, signal: NodeJS.Signals | null): void;
}

/** A free TCP port on the loopback interface (for a worker's HTTP server). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export class ChaosWorkerProcess implements ChaosWorker {
  private child: ChildProcess | undefined;
  private exit: Promise<number | null> = Promise.resolve(null);
  /** A signal of ours or a crash hook explains the next exit. */
  private expectExit = false;
  private retired = false;
  starts = 0;
  paused = false;

  constructor(private readonly opts: ChaosWorkerOptions) {}

  get id(): string {
    return this.opts.id;
  }

  get stateDir(): string {
    return this.opts.stateDir;
  }

  get port(): number {
    return this.opts.port;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.running ? this.child!.pid : undefined;
  }

  start(env: Record<string, string> = {}): void {
    if (this.running) throw new Error(`worker ${this.id} is already running`);
    fs.mkdirSync(path.dirname(this.opts.logFile), { recursive: true });
    const log = fs.openSync(this.opts.logFile, 'a');
    fs.writeSync(log, `--- start ${this.starts + 1} at ${new Date().toISOString()} ${JSON.stringify(env)}\n`);
    this.starts++;
    this.paused = false;
    this.expectExit = Boolean(env.PULSE_TEST_CRASH_AT);
    const child = spawn(
      process.execPath,
      [
        path.join(projectRoot, 'cli/bin/pulse.js'),
        'worker',
        '--jobs',
        this.opts.jobs,
        '--id',
        this.id,
        '--port',
        String(this.port),
      ],
      {
        cwd: projectRoot,
        env: { ...process.env, PULSE_EXIT_WITH_PARENT: '1', ...this.opts.env, ...env },
        stdio: ['ignore', log, log],
      },
    );
    fs.closeSync(log);
    this.child = child;
    this.exit = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        if (!this.expectExit && !this.retired) this.opts.onUnexpectedExit(this, code, signal);
        resolve(code);
      }),
    );
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.running) return;
    if (sig === 'SIGKILL' || sig === 'SIGTERM' || sig === 'SIGINT') this.expectExit = true;
    if (sig === 'SIGSTOP') this.paused = true;
    if (sig === 'SIGCONT') this.paused = false;
    this.child!.kill(sig);
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.signal('SIGKILL');
    await this.exit;
  }

  async stop(timeoutMs = 30_000): Promise<void> {
    if (!this.running) return;
    if (this.paused) this.signal('SIGCONT');
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    const r = await Promise.race([this.exit, late]).finally(() => clearTimeout(timer));
    if (r === 'late') throw new Error(`worker ${this.id} did not exit within ${timeoutMs} ms of SIGTERM`);
  }

  exited(): Promise<number | null> {
    return this.exit;
  }

  /** No further exit is reported (the harness is tearing the run down). */
  retire(): void {
    this.retired = true;
  }

  private async get(route: string, timeoutMs = 1000): Promise<Response | undefined> {
    try {
      return await fetch(`http://127.0.0.1:${this.port}${route}`, { signal: AbortSignal.timeout(timeoutMs) });
    } catch {
      return undefined;
    }
  }

  async status(): Promise<ChaosWorkerStatus | undefined> {
    if (!this.running || this.paused) return undefined;
    // /status measures every store's size on disk: a worker catching up under the full form's load
    // can take more than a second to answer (scenario 6 once read that as "no status").
    const res = await this.get('/status', 5000);
    if (!res?.ok) return undefined;
    const body = (await res.json().catch(() => undefined)) as ChaosWorkerStatus | undefined;
    return body?.worker === this.id ? body : undefined;
  }

  /** `/healthz` and `/readyz` both 200. */
  async healthy(): Promise<boolean> {
    if (!this.running || this.paused) return false;
    const [h, r] = await Promise.all([this.get('/healthz'), this.get('/readyz')]);
    return h?.status === 200 && r?.status === 200;
  }

  async waitReady(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`worker ${this.id} is not running`);
      if ((await this.get('/readyz'))?.status === 200) return;
      if (Date.now() > deadline) throw new Error(`worker ${this.id} not ready within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Its log's warnings and errors and last lines, for failure messages. */
  notableLog(maxLines = 15): string {
    let lines: string[];
    try {
      lines = fs.readFileSync(this.opts.logFile, 'utf8').trim().split('\n');
    } catch {
      return `${this.id}: (no log)`;
    }
    const notable = lines.filter((l) => !l.startsWith('{') || !l.includes('"level":"info"'));
    const shown = [...new Set([...notable.slice(-maxLines), ...lines.slice(-3)])];
    return `--- ${this.id} (${this.starts} starts, running: ${this.running}) ---\n${shown.join('\n')}`;
  }
}
