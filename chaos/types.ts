/**
 * Contracts of `pulse chaos`: the harness (chaos/harness.ts) runs the real pipeline under a seeded
 * load and hands each scenario a {@link ChaosContext} to inject its faults while the load runs; the
 * harness then checks the result against an offline recomputation of the input.
 */

import type { KafkaAdmin } from '../runtime/index.ts';

/** A worker's `/status` answer (the fields the suite reads). */
export interface ChaosWorkerStatus {
  worker: string;
  ready: boolean;
  jobs: Array<{
    job: string;
    failure?: string | undefined;
    tasks: Array<{ partition: number; state: string; epoch: number; nextOffsets: Record<string, number> }>;
  }>;
}

/** A `pulse worker` process of the run (enrich, aggregate and write-profiles jobs). */
export interface ChaosWorker {
  readonly id: string;
  /** Its HTTP port (`/healthz`, `/readyz`, `/status`); the same across restarts. */
  readonly port: number;
  /** Times it was started. */
  readonly starts: number;
  /** True between a SIGSTOP and the next SIGCONT sent through {@link signal}. */
  readonly paused: boolean;
  /** Local state directory of this worker (survives restarts unless a scenario deletes it). */
  readonly stateDir: string;
  readonly running: boolean;
  readonly pid: number | undefined;
  /** Starts (or restarts) the process; extra environment for this start only. */
  start(env?: Record<string, string>): void;
  /** Sends a signal without waiting (SIGKILL, SIGSTOP, SIGCONT, SIGTERM). */
  signal(sig: NodeJS.Signals): void;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM and wait for a clean exit (rejects if it does not exit in time). */
  stop(timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (null if killed by a signal) the next time the process exits. */
  exited(): Promise<number | null>;
  /** Its `/status`, or undefined when it does not answer within a second. */
  status(): Promise<ChaosWorkerStatus | undefined>;
  /** Resolves once `/readyz` answers 200 (every assigned task restored); rejects after the timeout. */
  waitReady(timeoutMs?: number): Promise<void>;
}

/** A loopback TCP proxy between the workers and a dependency (PostgreSQL or Redis). */
export interface FaultProxy {
  /** Address the workers are given, `127.0.0.1:<port>`. */
  readonly address: string;
  /** Refuse new connections and reset open ones until {@link up}. */
  down(): void;
  up(): void;
  /** Resets every open connection once (new connections are accepted). */
  cutAll(): void;
  /**
   * Cuts the connection that next carries a client→server message containing `needle`
   * (e.g. "COMMIT"), after forwarding it to the server and before the server's answer reaches the
   * client. Resolves when it happened.
   */
  cutAfter(needle: string): Promise<void>;
}

export interface ChaosContext {
  readonly seed: number;
  /** Seeded uniform [0, 1): every random choice of a scenario comes from here. */
  random(): number;
  /** True in the short form (CI): scenarios should scale their repetitions down. */
  readonly short: boolean;
  readonly namespace: string;
  /** The run's workers (3 by default); scenarios may add and remove. */
  readonly workers: ChaosWorker[];
  addWorker(): ChaosWorker;
  /** Stops (SIGTERM) and forgets a worker. */
  removeWorker(w: ChaosWorker): Promise<void>;
  readonly proxies: { postgres: FaultProxy; redis: FaultProxy };
  /** The Kafka broker of the stack: kill -9 and start again. */
  readonly broker: { kill(): Promise<void>; start(): Promise<void> };
  /** Fraction of the load posted so far, in [0, 1]. */
  progress(): number;
  /** Resolves when at least fraction `f` of the load has been posted. */
  untilProgress(f: number): Promise<void>;
  sleep(ms: number): Promise<void>;
  log(msg: string): void;
  /** Marks the end of a fault: recovery time is measured from here to the pipeline caught up. */
  faultEnded(label: string): void;
  /** Kafka bootstrap servers of the run. */
  readonly brokers: string[];
  /** The run's (namespaced) name of a topic, e.g. `topic('raw-user-events')`. */
  topic(name: string): string;
  /** The pipeline's jobs by their namespaced names, which are also their consumer-group ids. */
  readonly jobs: readonly string[];
  /** A connected admin client (the harness disconnects it). */
  readonly admin: KafkaAdmin;
  /** Adds a fact to the scenario's result (shown with `--json` and in the log). */
  note(msg: string): void;
  /**
   * Resolves when every job has processed its input up to the input's end at the time of the call
   * (each job after its upstream one); rejects after the timeout.
   */
  caughtUp(timeoutMs?: number): Promise<void>;
  /**
   * The run's ingestion API (base URL, e.g. `http://127.0.0.1:8081`, and a key it accepts), for
   * scenarios that post events of their own (scenario 12). Their eventIds start with the scenario's
   * {@link Scenario.ownEventIdPrefix}.
   */
  readonly ingest?: { readonly url: string; readonly key: string };
}

export interface Scenario {
  /** Number in the list (1..13). */
  readonly id: number;
  readonly name: string;
  /** Part of the short form that CI runs. */
  readonly inShort: boolean;
  /** Worker environment for the whole run of this scenario (e.g. crash hooks, timeouts). */
  workerEnv?(): Record<string, string>;
  /** Injects faults while the load runs; resolves when the scenario's faults are over. */
  run(ctx: ChaosContext): Promise<void>;
  /** Workers at the start (default: the run's worker count, 3). */
  readonly initialWorkers?: number;
  /**
   * Scenario-specific checks, after the load is processed and the standard checks ran (workers
   * still running): each returned string is a failure.
   */
  check?(ctx: ChaosContext): Promise<string[]>;
  /**
   * EventIds of the events the scenario posts itself through {@link ChaosContext.ingest} start with
   * this: the harness does not count them as records nobody posted (they are still in the
   * recomputation, like every record of the input topic).
   */
  readonly ownEventIdPrefix?: string;
}

export interface ScenarioResult {
  id: number;
  name: string;
  passed: boolean;
  events: { posted: number; acknowledged: number; inKafka: number };
  /** Users whose PostgreSQL/Redis profile differs from the recomputation. */
  mismatchedProfiles: number;
  /** Acknowledged events missing from the input topic. */
  lostEvents: number;
  /** Events counted twice in some profile (totalEvents above the recomputation). */
  appliedTwice: number;
  /** Times an API reader saw a profile version lower than one it had seen. */
  versionRegressions: number;
  /** Worker restarts not asked for by the scenario (crash loops). */
  unexpectedExits: number;
  /** Seconds from the last fault's end to the pipeline caught up (max over faults). */
  recoverySeconds: number | null;
  seconds: number;
  failures: string[];
  /** Recovery time of each fault, in the order they ended (null: not caught up in time). */
  recoveries?: Array<{ label: string; seconds: number | null }>;
  /** Users whose stored totalEvents fall short of the recomputation (also in mismatchedProfiles). */
  underCounted?: number;
  /** Profile reads of the API readers during the run. */
  readerReads?: number;
  /** Facts the scenario noted (e.g. when partitions moved). */
  notes?: string[];
}
