import type { Command } from 'commander';
import type { AppConfig } from '../config.ts';
import { gracefulShutdown } from '../shutdown.ts';
import { jsonLogger } from '../../runtime/index.ts';
import { RAW_USER_EVENTS_TOPIC, startIngestServer, startQueryServer } from '../../api/index.ts';

const APIS = ['ingest', 'api'] as const;
type Api = (typeof APIS)[number];

/**
 * `pulse serve [ingest|api]`: runs the ingestion API, the query API, or (no argument) both, until
 * SIGTERM/SIGINT, which close them gracefully (stop accepting, finish requests in flight, flush the
 * producer, close the stores).
 */
export function registerServeCommands(program: Command, config: () => AppConfig): void {
  program
    .command('serve')
    .description(
      'run the HTTP APIs: "ingest" (POST /events, port PULSE_INGEST_PORT or 8081), "api" (the query API, port PULSE_API_PORT or 8080); with no argument, both',
    )
    .argument('[api]', 'which API to run: ingest or api (default: both)')
    .option('--port <port>', 'HTTP port of the one API named (default PULSE_INGEST_PORT / PULSE_API_PORT)')
    .action(async (api: string | undefined, opts: { port?: string }) => {
      if (api !== undefined && !(APIS as readonly string[]).includes(api))
        throw new Error(`unknown API "${api}": use "ingest" or "api" (or nothing for both)`);
      if (api === undefined && opts.port !== undefined)
        throw new Error(
          '--port needs the API to run: "pulse serve ingest --port …" or "pulse serve api --port …"',
        );
      const which: Api[] = api === undefined ? [...APIS] : [api as Api];
      const port = opts.port !== undefined ? Number(opts.port) : undefined;
      const cfg = config();
      const log = jsonLogger({ service: 'serve' }, cfg.logLevel);
      const controller = new AbortController();
      const servers: Array<{ close(): Promise<void> }> = [];
      try {
        if (which.includes('ingest'))
          servers.push(
            await startIngestServer({
              brokers: cfg.kafkaBrokers,
              port: port ?? cfg.ingest.port,
              keys: cfg.ingest.keys,
              nodeEnv: cfg.nodeEnv,
              ratePerSec: cfg.ingest.ratePerSec,
              burst: cfg.ingest.burst,
              partitions: cfg.topicPartitions,
              topic: `${cfg.namespace}${RAW_USER_EVENTS_TOPIC}`,
              metricsToken: cfg.metricsToken,
              log: jsonLogger({ service: 'ingest' }, cfg.logLevel),
              signal: controller.signal,
            }),
          );
        if (which.includes('api'))
          servers.push(
            await startQueryServer({
              port: port ?? cfg.query.port,
              redisUrl: cfg.redisUrl,
              databaseUrl: cfg.databaseUrl,
              namespace: cfg.namespace,
              brokers: cfg.kafkaBrokers,
              catalogTopic: `${cfg.namespace}events-catalog`,
              keys: cfg.query.keys,
              jwtSecret: cfg.query.jwtSecret,
              nodeEnv: cfg.nodeEnv,
              metricsToken: cfg.metricsToken,
              rateLimit: { ratePerSec: cfg.query.ratePerSec, burst: cfg.query.burst },
              log: jsonLogger({ service: 'query' }, cfg.logLevel),
              signal: controller.signal,
            }),
          );
      } catch (err) {
        controller.abort();
        await Promise.allSettled(servers.map((s) => s.close()));
        throw err;
      }
      gracefulShutdown({
        log,
        close: async () => {
          controller.abort();
          await Promise.all(servers.map((s) => s.close()));
        },
        exitWithParent: cfg.exitWithParent,
      });
    });
}
