import { spawnSync } from 'node:child_process';
import { projectRoot } from '../config.ts';

/** True when a Docker engine answers (not merely the client being installed). */
export function dockerEngineAvailable(): boolean {
  const r = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    encoding: 'utf8',
    timeout: 5000,
  });
  return r.status === 0 && r.stdout.trim().length > 0;
}

export function composeUp(): void {
  const r = spawnSync('docker', ['compose', 'up', '-d', '--wait', 'kafka', 'redis', 'postgres'], {
    cwd: projectRoot,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('docker compose up failed');
}

export function composeDown(): void {
  spawnSync('docker', ['compose', 'stop', 'kafka', 'redis', 'postgres'], {
    cwd: projectRoot,
    stdio: 'inherit',
  });
}
