/** Entry point of a Node ceiling's child process: options as JSON in argv[2], result as JSON on stdout. */
import { runNodeCeiling, type NodeCeilingOptions } from './ceilings.ts';

const opts = JSON.parse(process.argv[2] ?? '{}') as NodeCeilingOptions;
try {
  const result = await runNodeCeiling(opts);
  // Exit only once the line is out: the client's native threads would otherwise keep the process up.
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
} catch (err) {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`, () => process.exit(1));
}
