import type { Command } from 'commander';
import type { AppConfig } from '../config.ts';
import { formatStatusTable, stackDown, stackStatus, stackUp } from '../stack/index.ts';

export function registerStackCommands(program: Command, config: () => AppConfig): void {
  const stack = program
    .command('stack')
    .description('start, stop and inspect the local stack: Kafka (KRaft), Redis and PostgreSQL');

  stack
    .command('up')
    .description('start Kafka, Redis and PostgreSQL (reusing any already listening) and wait until ready')
    .action(async () => {
      const t0 = Date.now();
      const { mode, statuses } = await stackUp(config());
      console.log(
        `\n${formatStatusTable(statuses)}\n\nstack up (${mode}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
      if (statuses.some((s) => !s.healthy)) process.exitCode = 1;
    });

  stack
    .command('status')
    .description('print each service, its address, whether we started or found it, and its health')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const rows = await stackStatus(config());
      console.log(opts.json ? JSON.stringify(rows, null, 2) : formatStatusTable(rows));
      if (rows.some((s) => !s.healthy)) process.exitCode = 1;
    });

  stack
    .command('down')
    .description('stop the services this stack started (by their recorded PIDs); reused ones are left alone')
    .action(async () => {
      for (const r of await stackDown(config())) console.log(`stack: ${r.name}: ${r.result}`);
    });
}
