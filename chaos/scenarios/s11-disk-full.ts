/**
 * Scenario 11: the state disk full. One worker's state directory is moved onto a small tmpfs
 * (`mount -t tmpfs -o size=...`; the suite runs as root), the worker is started on it, and while it
 * processes the load a filler file takes every free byte. The disk stays full for 20 s (60 s in the
 * full form), then the filler is deleted.
 *
 * Pass means:
 * - while the disk is full the worker stops cleanly: its process stays up (no exit, so no restart
 *   loop under a supervisor), it commits nothing it cannot persist (the harness's exactness checks
 *   see no lost or doubled event afterwards), and it says why (its log or `/status` names the
 *   full disk);
 * - once space returns it resumes by itself: it is ready again within two minutes and the
 *   pipeline catches up (the recovery time is measured from the moment the filler is deleted).
 *
 * Afterwards the state directory is moved back to the ordinary disk (the worker is stopped with
 * SIGTERM, its files are copied, the tmpfs unmounted) so that nothing is left mounted, also when the
 * scenario fails. Observations (exits, the worker's failure messages, its log lines about the disk)
 * are noted in the result either way.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChaosContext, ChaosWorker, Scenario } from '../types.ts';

const MiB = 1024 * 1024;
const FILLER = '.chaos-disk-filler';

/** True when `dir` is a mount point (listed in /proc/self/mounts). */
export function isMounted(dir: string): boolean {
  const target = path.resolve(dir);
  try {
    return fs
      .readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .some((line) => line.split(' ')[1]?.replace(/\\040/g, ' ') === target);
  } catch {
    return false;
  }
}

/** Bytes used by the files under `dir`. */
export function usedBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    try {
      total += fs.statSync(path.join(e.parentPath, e.name)).size;
    } catch {
      // removed meanwhile
    }
  }
  return total;
}

/** Free bytes of the file system holding `dir`. */
export function freeBytes(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

/**
 * Writes `file` until the file system is full (ENOSPC): big chunks, then 4 KiB ones. Returns the
 * bytes written. Any other error is thrown.
 */
export function fillDisk(file: string): number {
  const fd = fs.openSync(file, 'w');
  let written = 0;
  try {
    for (const size of [4 * MiB, 64 * 1024, 4096]) {
      const chunk = Buffer.alloc(size, 0x5a);
      for (;;) {
        try {
          written += fs.writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return written;
}

/** Moves the contents of `dir` onto a fresh tmpfs of `bytes` mounted on `dir` itself. */
export function mountSmallDisk(dir: string, bytes: number): void {
  const saved = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-chaos-s11-save-'));
  try {
    fs.cpSync(dir, saved, { recursive: true });
    try {
      execFileSync(
        'mount',
        ['-t', 'tmpfs', '-o', `size=${Math.ceil(bytes / MiB)}m,mode=0700`, 'tmpfs', dir],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
    } catch (err) {
      const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
      throw new Error(
        `cannot mount a tmpfs on ${dir} (scenario 11 needs root or CAP_SYS_ADMIN): ${stderr || (err as Error).message}`,
      );
    }
    fs.cpSync(saved, dir, { recursive: true });
  } finally {
    fs.rmSync(saved, { recursive: true, force: true });
  }
}

/** Moves the contents of the tmpfs on `dir` back onto the ordinary disk under it and unmounts. */
export function unmountSmallDisk(dir: string): void {
  const saved = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-chaos-s11-save-'));
  try {
    fs.rmSync(path.join(dir, FILLER), { force: true });
    fs.cpSync(dir, saved, { recursive: true });
    try {
      execFileSync('umount', [dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch {
      // Busy (a process still holds a file): detach it now, it goes when the last file closes.
      execFileSync('umount', ['-l', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.cpSync(saved, dir, { recursive: true });
  } finally {
    fs.rmSync(saved, { recursive: true, force: true });
  }
}

/** The worker's log lines about the disk (the harness's worker has `notableLog`; others give ''). */
function diskLines(w: ChaosWorker): string[] {
  const notable = (w as { notableLog?: (n: number) => string }).notableLog;
  if (typeof notable !== 'function') return [];
  return notable
    .call(w, 400)
    .split('\n')
    .filter((l) => /ENOSPC|No space left|space/i.test(l))
    .map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l));
}

interface FullObservations {
  /** Times the worker process was found not running, and its starts at the end of the period. */
  downSamples: number;
  startsBefore: number;
  startsAfter: number;
  failures: Set<string>;
  /** Samples where /status answered, and how many of them said ready. */
  answered: number;
  ready: number;
}

async function observe(ctx: ChaosContext, w: ChaosWorker, ms: number): Promise<FullObservations> {
  const o: FullObservations = {
    downSamples: 0,
    startsBefore: w.starts,
    startsAfter: w.starts,
    failures: new Set(),
    answered: 0,
    ready: 0,
  };
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!w.running) o.downSamples++;
    const s = await w.status();
    if (s) {
      o.answered++;
      if (s.ready) o.ready++;
      for (const j of s.jobs) if (j.failure) o.failures.add(`${j.job}: ${j.failure}`);
    }
    await ctx.sleep(500);
  }
  o.startsAfter = w.starts;
  return o;
}

/** Waits until `w` is running and ready; tolerates moments when it is not running (a restart). */
async function resume(ctx: ChaosContext, w: ChaosWorker, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let notRunningSince: number | undefined;
  while (Date.now() < deadline) {
    if (!w.running) {
      notRunningSince ??= Date.now();
      if (Date.now() - notRunningSince > 10_000) return 'not running for 10 s';
      await ctx.sleep(250);
      continue;
    }
    notRunningSince = undefined;
    try {
      await w.waitReady(Math.min(5_000, Math.max(1, deadline - Date.now())));
      return 'ready';
    } catch {
      // not ready yet, or exited meanwhile
    }
  }
  return w.running ? 'running but not ready' : 'not running';
}

async function run(ctx: ChaosContext): Promise<void> {
  const fullMs = ctx.short ? 20_000 : 60_000;
  await ctx.untilProgress(0.1);
  const victim = ctx.workers[Math.floor(ctx.random() * ctx.workers.length)];
  if (!victim) throw new Error('no worker to run on a small disk');
  const dir = victim.stateDir;
  const problems: string[] = [];

  await victim.stop(60_000);
  fs.mkdirSync(dir, { recursive: true });
  const used = usedBytes(dir);
  // Room for the state it has plus what the next seconds of load add; the filler takes the rest.
  const size = Math.max(64 * MiB, 2 * used + 64 * MiB);
  mountSmallDisk(dir, size);
  try {
    victim.start();
    await victim.waitReady(180_000);
    ctx.note(
      `${victim.id}: state (${(used / MiB).toFixed(1)} MiB) moved onto a ${Math.ceil(size / MiB)} MiB tmpfs`,
    );

    await ctx.untilProgress(0.3);
    const filled = fillDisk(path.join(dir, FILLER));
    ctx.log(
      `${victim.id}: state disk full (${(filled / MiB).toFixed(1)} MiB of filler, ${freeBytes(dir)} bytes free)`,
    );
    const seen = await observe(ctx, victim, fullMs);
    fs.rmSync(path.join(dir, FILLER), { force: true });
    ctx.faultEnded('state disk full');
    ctx.log(`${victim.id}: space back (${(freeBytes(dir) / MiB).toFixed(1)} MiB free)`);

    const exits = seen.startsAfter - seen.startsBefore + (victim.running ? 0 : 1);
    const lines = diskLines(victim);
    ctx.note(
      `${victim.id} while full (${fullMs / 1000} s): ${exits} exits, not running in ${seen.downSamples} samples, ` +
        `ready in ${seen.ready}/${seen.answered} status answers; failures: ${[...seen.failures].join(' | ') || 'none'}`,
    );
    for (const l of lines.slice(-6)) ctx.note(`${victim.id} log: ${l}`);
    if (exits > 0 || seen.downSamples > 0)
      problems.push(
        `${victim.id} exited while its state disk was full (${seen.startsAfter - seen.startsBefore} restarts by the supervisor): it must stay up and wait`,
      );
    if (lines.length === 0 && seen.failures.size === 0)
      problems.push(
        `${victim.id} did not say that its state disk was full (no log line, no /status failure)`,
      );

    // Resumes by itself: ready within two minutes. A worker that exited anyway (counted above) may
    // be brought back by the harness's supervisor; the scenario starts it only if nobody does.
    const t0 = Date.now();
    const resumed = await resume(ctx, victim, 120_000);
    if (resumed === 'ready')
      ctx.note(`${victim.id} ready ${((Date.now() - t0) / 1000).toFixed(1)} s after space returned`);
    else {
      problems.push(`${victim.id} did not resume within 120 s of space returning (${resumed})`);
      if (!victim.running) victim.start();
      await victim.waitReady(180_000);
    }
    await ctx.caughtUp(ctx.short ? 180_000 : 600_000);
  } finally {
    // Back onto the ordinary disk, whatever happened. The harness's supervisor restarts a worker
    // a second after an exit it did not expect: make sure no such restart is still to come.
    for (let i = 0; i < 5; i++) {
      if (victim.running) await victim.stop(60_000).catch(() => victim.kill());
      await ctx.sleep(1_500);
      if (!victim.running) break;
    }
    unmountSmallDisk(dir);
    if (!victim.running) victim.start();
  }
  await victim.waitReady(180_000);
  ctx.log(`${victim.id}: state back on the ordinary disk`);
  if (problems.length) throw new Error(problems.join('; '));
}

export const scenario: Scenario = {
  id: 11,
  name: 'state disk full: the worker stops cleanly and resumes when space returns',
  // In the short form only where it can mount its small disk (root): elsewhere `npm test` would fail
  // for want of a privilege, not for a fault of the runtime. `pulse chaos --list` shows which.
  inShort: process.getuid?.() === 0,
  run,
};
