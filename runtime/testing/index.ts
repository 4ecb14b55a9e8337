/**
 * The runtime's broker-free test driver (like Kafka Streams' TopologyTestDriver): runs a job in
 * process with in-memory topics and LevelDB-in-memory stores. Every job's unit tests use it.
 */
export { TestDriver } from '../internal/test-driver.ts';
export type { TestDriverOptions, TestOutput } from '../internal/test-driver.ts';
