import fs from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../config.ts';
import { probeKafka } from '../../runtime/index.ts';
import { table } from '../table.ts';
import { composeDown, composeUp, dockerEngineAvailable } from './docker.ts';
import { kafkaService, KAFKA_VERSION } from './kafka.ts';
import { postgresService } from './postgres.ts';
import { redisService } from './redis.ts';
import type { ServiceStatus, StackService } from './types.ts';

export type { ServiceStatus, StackService } from './types.ts';
export { KAFKA_VERSION } from './kafka.ts';

function services(config: AppConfig): StackService[] {
  return [
    kafkaService({ stackDir: config.stackDir, brokers: config.kafkaBrokers }),
    redisService({ stackDir: config.stackDir, url: config.redisUrl }),
    postgresService({ stackDir: config.stackDir, url: config.databaseUrl }),
  ];
}

const modeFile = (config: AppConfig) => path.join(config.stackDir, 'mode');

/** Kafka's port being open is not enough: ask the cluster for metadata. */
async function deepCheck(config: AppConfig, s: ServiceStatus): Promise<ServiceStatus> {
  if (s.name !== 'kafka' || !s.healthy) return s;
  const probe = await probeKafka(config.kafkaBrokers, 10_000);
  return probe.ok
    ? { ...s, detail: s.detail ?? `cluster reachable, ${probe.brokers} broker(s)` }
    : { ...s, healthy: false, detail: `port open but metadata failed: ${probe.error}` };
}

/**
 * Brings Kafka, Redis and PostgreSQL up, idempotently, and returns once each is ready. Services that
 * already answer are reused. With PULSE_STACK_MODE=docker (or auto, when a Docker engine runs and
 * nothing answers yet) it delegates to `docker compose up -d` instead.
 */
export async function stackUp(
  config: AppConfig,
): Promise<{ mode: 'local' | 'docker'; statuses: ServiceStatus[] }> {
  fs.mkdirSync(config.stackDir, { recursive: true });
  const svc = services(config);
  let mode: 'local' | 'docker' = 'local';
  if (config.stackMode === 'docker') mode = 'docker';
  else if (config.stackMode === 'auto') {
    const anyAnswering = (await Promise.all(svc.map((s) => s.status()))).some((s) => s.origin !== 'absent');
    if (!anyAnswering && dockerEngineAvailable()) mode = 'docker';
  }
  if (mode === 'docker') {
    console.log('stack: a Docker engine is available; starting services with `docker compose up -d`');
    composeUp();
  } else {
    console.log(
      'stack: using local processes (no Docker engine needed); services already listening are reused',
    );
  }
  fs.writeFileSync(modeFile(config), mode);
  const statuses: ServiceStatus[] = [];
  for (const s of svc) {
    const t0 = Date.now();
    const st = await deepCheck(config, await s.up());
    statuses.push(mode === 'docker' && st.origin === 'found' ? { ...st, origin: 'docker' } : st);
    console.log(`stack: ${s.name} ready at ${st.address} (${st.origin}, ${Date.now() - t0} ms)`);
  }
  return { mode, statuses };
}

export async function stackStatus(config: AppConfig): Promise<ServiceStatus[]> {
  const docker =
    fs.existsSync(modeFile(config)) && fs.readFileSync(modeFile(config), 'utf8').trim() === 'docker';
  const out: ServiceStatus[] = [];
  for (const s of services(config)) {
    const st = await deepCheck(config, await s.status());
    out.push(docker && st.origin === 'found' ? { ...st, origin: 'docker' } : st);
  }
  return out;
}

export async function stackDown(config: AppConfig): Promise<Array<{ name: string; result: string }>> {
  const docker =
    fs.existsSync(modeFile(config)) && fs.readFileSync(modeFile(config), 'utf8').trim() === 'docker';
  if (docker) {
    composeDown();
    fs.rmSync(modeFile(config), { force: true });
    return [{ name: 'docker compose', result: 'stopped' }];
  }
  const out: Array<{ name: string; result: string }> = [];
  for (const s of services(config).reverse()) out.push({ name: s.name, result: await s.down() });
  return out;
}

export function formatStatusTable(rows: ServiceStatus[]): string {
  const header = ['SERVICE', 'ADDRESS', 'ORIGIN', 'HEALTH', 'DETAIL'];
  const body = rows.map((r) => [r.name, r.address, r.origin, r.healthy ? 'healthy' : 'DOWN', r.detail ?? '']);
  return table(header, body);
}

export const stackInfo = { kafkaVersion: KAFKA_VERSION };
