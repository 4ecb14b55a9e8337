/** The knobs of a chaos run, and their values in the full and the short form. */

export interface ChaosOptions {
  short: boolean;
  seed: number;
  events: number;
  users: number;
  /** Events per second posted to the ingestion API. */
  rate: number;
  partitions: number;
  workers: number;
  /** Distinct events per `POST /events/batch`. */
  batchSize: number;
  /** Where worker and harness logs go (kept); default: a temporary directory kept only on failure. */
  logsDir: string | undefined;
  /** Keep topics, Redis keys, PostgreSQL rows and state directories after each scenario. */
  keep: boolean;
  /** Progress lines (stderr in the CLI). */
  log: (msg: string) => void;
}

/** The full form of the issue, or the short form CI runs. */
export function defaultOptions(short: boolean): Omit<ChaosOptions, 'log'> {
  return short
    ? {
        short,
        seed: 7,
        events: 24_000,
        users: 800,
        rate: 1000,
        partitions: 12,
        workers: 3,
        batchSize: 100,
        logsDir: undefined,
        keep: false,
      }
    : {
        short,
        seed: 7,
        events: 1_000_000,
        users: 10_000,
        rate: 4000,
        partitions: 12,
        workers: 3,
        batchSize: 250,
        logsDir: undefined,
        keep: false,
      };
}
