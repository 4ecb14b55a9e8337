import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const shutdownModule = fileURLToPath(new URL('./shutdown.ts', import.meta.url));

/** Running (an exited orphan may stay a zombie where nothing reaps it: that counts as gone). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
};

const until = async (what: string, cond: () => boolean, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/**
 * A parent process that starts a long-running child using gracefulShutdown (the way a harness starts
 * `pulse worker`), prints the child's pid, and stays up until it is killed.
 */
function startParentAndChild(dir: string, exitWithParent: boolean) {
  const marker = path.join(dir, 'closed');
  const child = path.join(dir, 'child.ts');
  fs.writeFileSync(
    child,
    `import fs from 'node:fs';
import { gracefulShutdown } from ${JSON.stringify(shutdownModule)};
const log = { debug() {}, info() {}, warn() {}, error() {}, child() { return log; } };
gracefulShutdown({
  log,
  close: async () => fs.writeFileSync(${JSON.stringify(marker)}, 'closed'),
  exitWithParent: ${exitWithParent},
});
setInterval(() => {}, 1000);
`,
  );
  const parentCode = `
const { spawn } = require('node:child_process');
const c = spawn(process.execPath, ['--import', 'tsx', ${JSON.stringify(child)}], { stdio: 'ignore' });
console.log(c.pid);
setInterval(() => {}, 1000);
`;
  const parent = spawn(process.execPath, ['-e', parentCode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const childPid = new Promise<number>((resolve) =>
    parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
  );
  return { parent, childPid, marker };
}

describe('gracefulShutdown', () => {
  const dirs: string[] = [];
  const pids: number[] = [];
  afterEach(() => {
    for (const pid of pids.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('with exitWithParent, closes and exits when its parent is killed -9', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-shutdown-'));
    dirs.push(dir);
    const { parent, childPid, marker } = startParentAndChild(dir, true);
    const pid = await childPid;
    pids.push(pid, parent.pid!);
    // Let the child load and install its watch before the parent goes.
    await new Promise((r) => setTimeout(r, 2500));
    expect(alive(pid)).toBe(true);
    parent.kill('SIGKILL');
    await until('the orphaned child to exit', () => !alive(pid), 10_000);
    expect(fs.readFileSync(marker, 'utf8')).toBe('closed');
  }, 20_000);

  it('without it, an orphaned child keeps running (supervisors manage such processes)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulse-shutdown-'));
    dirs.push(dir);
    const { parent, childPid, marker } = startParentAndChild(dir, false);
    const pid = await childPid;
    pids.push(pid, parent.pid!);
    await new Promise((r) => setTimeout(r, 2500));
    parent.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 2500));
    expect(alive(pid)).toBe(true);
    expect(fs.existsSync(marker)).toBe(false);
  }, 20_000);
});
