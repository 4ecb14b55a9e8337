import type { Logger } from '../runtime/index.ts';

/**
 * Graceful shutdown for long-running commands (`pulse worker`, `pulse serve`): on SIGTERM or SIGINT,
 * or when the command calls the returned `stop(reason)`, run `close` once and exit with
 * `exitCode(reason)`; if closing takes longer than `hardTimeoutMs`, SIGKILL the process
 * (process.exit() can block on native client threads; SIGKILL cannot).
 */
export function gracefulShutdown(opts: {
  log: Logger;
  close: () => Promise<void>;
  exitCode?: (reason: string) => number;
  hardTimeoutMs?: number;
  /** Also stop when the parent process exits (checked every second). */
  exitWithParent?: boolean;
}): (reason: string) => void {
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    opts.log.info('shutting down', { signal: reason });
    const timeout = opts.hardTimeoutMs ?? 10_000;
    const hard = setTimeout(() => {
      opts.log.error(`shutdown took longer than ${timeout / 1000} s; exiting`);
      process.kill(process.pid, 'SIGKILL');
    }, timeout);
    hard.unref();
    opts.close().then(
      () => process.exit(opts.exitCode?.(reason) ?? 0),
      (err: unknown) => {
        opts.log.error('shutdown failed', { error: (err as Error).message });
        process.exit(1);
      },
    );
  };
  if (opts.exitWithParent) {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) stop('parent exited');
    }, 1000).unref();
  }
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return stop;
}
