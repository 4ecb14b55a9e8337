import { Command } from 'commander';
import { loadConfig, type AppConfig } from './config.ts';
import { registerStackCommands } from './commands/stack.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerWorkerCommand } from './commands/worker.ts';
import { registerJobsCommands } from './commands/jobs.ts';
import { registerBenchCommands } from './commands/bench.ts';
import { registerServeCommands } from './commands/serve.ts';
import { registerCatalogCommands } from './commands/catalog.ts';
import { registerChaosCommand } from './commands/chaos.ts';

let cached: AppConfig | undefined;
const config = (): AppConfig => (cached ??= loadConfig());

const program = new Command()
  .name('pulse')
  .description(
    'Pulsecity: real-time personalised discovery of cultural events, on a stateful TypeScript stream runtime',
  )
  .showHelpAfterError();

registerStackCommands(program, config);
registerDemoCommand(program, config);
registerWorkerCommand(program, config);
registerJobsCommands(program, config);
registerBenchCommands(program, config);
registerServeCommands(program, config);
registerCatalogCommands(program, config);
registerChaosCommand(program, config);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  console.error(`pulse: ${(err as Error).message}`);
  process.exitCode = 1;
}
