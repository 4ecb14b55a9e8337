/** Entry point of the ceiling's child process: options as JSON in argv[2], result as JSON on stdout. */
import { runCeiling, type CeilingOptions } from './ceiling.ts';

const opts = JSON.parse(process.argv[2] ?? '{}') as CeilingOptions;
try {
  const result = await runCeiling(opts);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} catch (err) {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
