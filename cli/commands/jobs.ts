import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { AppConfig } from '../config.ts';
import { table } from '../table.ts';
import {
  describeReplayFrom,
  existingJobs,
  jobStatus,
  parseReplayFrom,
  planReplay,
  replayJob,
  type JobStatus,
  type ReplayPlan,
} from '../../runtime/index.ts';
import { registry, resolveJobs } from '../../jobs/index.ts';

/** `pulse jobs list|status|replay`: inspect and reset the stream jobs of the registry. */
export function registerJobsCommands(program: Command, config: () => AppConfig): void {
  const jobs = program
    .command('jobs')
    .description('list stream jobs, show where their tasks stand, replay them');

  jobs
    .command('list')
    .description('the jobs workers can run, with their input and output topics')
    .action(() => {
      const cfg = config();
      const rows = Object.keys(registry).map((name) => {
        const job = resolveJobs(name, {
          namespace: cfg.namespace,
          redisUrl: cfg.redisUrl,
          databaseUrl: cfg.databaseUrl,
        })[0]!;
        return [
          name,
          Object.values(job.inputs)
            .map((i) => i.topic)
            .join(','),
          Object.values(job.outputs)
            .map((o) => o.topic)
            .join(','),
          Object.keys(job.stores).join(',') || '-',
        ];
      });
      console.log(table(['JOB', 'INPUTS', 'OUTPUTS', 'STORES'], rows));
    });

  jobs
    .command('status')
    .description('per input partition: committed checkpoint, end, lag, epoch, owner, state size, restore')
    .argument('[job]', 'job name(s), comma-separated (default: every job that has run on this cluster)')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, opts: { json?: boolean }) => {
      const cfg = config();
      const ctx = { namespace: cfg.namespace, redisUrl: cfg.redisUrl, databaseUrl: cfg.databaseUrl };
      const selected = name
        ? resolveJobs(name, ctx)
        : await existingJobs(resolveJobs(Object.keys(registry).join(','), ctx), cfg.kafkaBrokers);
      if (selected.length === 0) {
        if (opts.json) console.log('[]');
        else console.log('no job has run on this cluster yet (no <job>-checkpoints topic found)');
        return;
      }
      const statuses: JobStatus[] = [];
      for (const job of selected) statuses.push(await jobStatus(job, cfg.kafkaBrokers));
      if (opts.json) {
        console.log(JSON.stringify(statuses, null, 2));
        return;
      }
      console.log(statuses.map(formatJobStatus).join('\n\n'));
    });

  jobs
    .command('replay')
    .description(
      're-process a stopped job’s inputs from a point with empty state (stop its workers first; outputs are emitted again)',
    )
    .argument('<job>', 'job name')
    .requiredOption('--from <from>', 'earliest | ISO-8601 time with zone | partition:offset,...')
    .option('--yes', 'do not ask for confirmation')
    .action(async (name: string, opts: { from: string; yes?: boolean }) => {
      const cfg = config();
      const from = parseReplayFrom(opts.from);
      const resolved = resolveJobs(name, {
        namespace: cfg.namespace,
        redisUrl: cfg.redisUrl,
        databaseUrl: cfg.databaseUrl,
      });
      if (resolved.length !== 1) throw new Error('jobs replay takes exactly one job name');
      const job = resolved[0]!;
      if (!opts.yes) {
        console.log(formatPlan(await planReplay(job, cfg.kafkaBrokers, from)));
        if (!process.stdin.isTTY) {
          console.error('pulse: refusing to replay without --yes when stdin is not a terminal');
          process.exitCode = 1;
          return;
        }
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        const answer = await rl.question(`\nReplay ${job.name}? [y/N] `).finally(() => rl.close());
        if (!/^y(es)?$/i.test(answer.trim())) {
          console.log('replay cancelled');
          return;
        }
      }
      await replayJob(job, cfg.kafkaBrokers, from, (line) => console.log(line));
    });
}

function formatJobStatus(s: JobStatus): string {
  const multi = s.inputs.length > 1;
  const perInput = (r: Record<string, number | undefined>) =>
    s.inputs.map((t) => (r[t] === undefined ? '-' : String(r[t]))).join(',');
  const rows = s.partitions.map((p) => {
    const owner = !p.owner
      ? '-'
      : p.owner.source === 'group'
        ? p.owner.statusPort !== undefined
          ? `${p.owner.worker}@${p.owner.host}:${p.owner.statusPort}`
          : `${p.owner.worker}@${p.owner.host}`
        : p.owner.source === 'assigning'
          ? `${p.owner.worker} (assigning)`
          : `${p.owner.worker} (last committer)`;
    let restore = '-';
    if (p.task?.state === 'running') restore = 'done';
    else if (p.task?.restore)
      restore = `${p.task.restore.store} ${p.task.restore.done}/${p.task.restore.total}`;
    else if (p.task) restore = 'waiting';
    const bytes = p.task ? Object.values(p.task.stateBytes).reduce((a, b) => a + b, 0) : undefined;
    return [
      String(p.partition),
      perInput(p.committed),
      perInput(p.end),
      String(p.lag),
      p.epoch === undefined ? '-' : String(p.epoch),
      owner,
      bytes === undefined || p.task?.state !== 'running' ? '-' : formatBytes(bytes),
      restore,
    ];
  });
  const lag = s.partitions.reduce((a, p) => a + p.lag, 0);
  const head =
    `job ${s.job}: inputs ${s.inputs.join(',')}${multi ? ' (offsets in this order)' : ''}; ` +
    (s.group.state === 'dead'
      ? 'no consumer group'
      : `group ${s.group.state} (${s.group.type}, ${s.group.members.length} member(s))`) +
    `; total lag ${lag}`;
  const out = `${head}\n${table(['PARTITION', 'COMMITTED', 'END', 'LAG', 'EPOCH', 'OWNER', 'STATE', 'RESTORE'], rows)}`;
  // RocksDB estimates the size of flushed files only: a small state still in its memtable shows 0 B.
  return rows.some((r) => r[6] === '0 B')
    ? `${out}\n(STATE is RocksDB's on-disk estimate; data still in the memtable is not counted)`
    : out;
}

function formatPlan(plan: ReplayPlan): string {
  const rows = plan.partitions.map((p) => [
    String(p.partition),
    p.epoch === undefined ? '-' : `${p.epoch} -> ${p.epoch + 1}`,
    plan.inputs.map((t) => p.committed[t] ?? 'earliest').join(','),
    plan.inputs.map((t) => p.target[t]).join(','),
    plan.stores.map((st) => p.changelogEnds[st]).join(',') || '-',
  ]);
  const lines = [
    `replay plan for ${plan.job} from ${describeReplayFrom(plan.from)}:`,
    `  inputs ${plan.inputs.join(',')} are re-read from the targets below;`,
    `  stores ${plan.stores.join(',') || '(none)'} start empty (workers discard their local state on start);`,
    '  outputs are not touched: the results are emitted again; the consumer group is deleted.',
  ];
  if (plan.unchanged.length) lines.push(`  partitions ${plan.unchanged.join(',')} stay as they are.`);
  lines.push('', table(['PARTITION', 'EPOCH', 'COMMITTED', 'TARGET', 'CHANGELOG END'], rows));
  return lines.join('\n');
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}
