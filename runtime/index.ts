/**
 * Pulsecity's stream-processing runtime: the public door. Code outside `runtime/` imports only from here.
 */
export {
  createAdmin,
  createKafkaJSConsumer,
  createKafkaJSProducer,
  probeKafka,
  librdkafkaVersion,
} from './internal/kafka.ts';
export type { KafkaAdmin, KafkaJSConsumer, KafkaJSProducer } from './internal/kafka.ts';
export { kafkaRoundTrip } from './internal/round-trip.ts';
export type { RoundTripResult } from './internal/round-trip.ts';
export { defineJob } from './internal/api.ts';
export type {
  AnyJob,
  Cancellable,
  DefineJobOptions,
  GlobalSpec,
  GlobalTable,
  ErrorPolicy,
  Guarantee,
  Headers,
  InputRecord,
  InputSpec,
  JobDefinition,
  JobSpec,
  KeyValueStore,
  OutputSpec,
  Processor,
  ProcessorContext,
  Punctuator,
  StoreSpec,
} from './internal/api.ts';
export { JobFailedError, RetriableError, RuntimeError } from './internal/errors.ts';
export { partitionForKey } from './internal/partitioner.ts';
export { Worker } from './internal/worker.ts';
export type { WorkerOptions } from './internal/worker.ts';
export { JobRunner } from './internal/engine/job-runner.ts';
export type { CommitStep, Logger, RunnerHooks, TaskStatus } from './internal/engine/job-runner.ts';
export { jsonLogger } from './internal/log.ts';
export { bearerMatches } from './internal/bearer.ts';
export { changelogTopic, checkpointTopic, deadLetterTopic } from './internal/engine/topics.ts';
export {
  describeReplayFrom,
  existingJobs,
  jobStatus,
  JobAdminError,
  parseReplayFrom,
  planReplay,
  replayJob,
} from './internal/admin/job-admin.ts';
export type {
  GroupInfo,
  GroupMember,
  JobStatus,
  PartitionStatus,
  ReplayFrom,
  ReplayPartitionPlan,
  ReplayPlan,
  TaskOwner,
} from './internal/admin/job-admin.ts';
export { GroupConsumer, ReaderConsumer, TrackedProducer } from './internal/engine/kafka-io.ts';
export { writerEpoch } from './internal/engine/changelog-frame.ts';
export type { GroupConsumerOptions, ProduceRecord, TopicPartition } from './internal/engine/kafka-io.ts';
export {
  MAX_FETCH_WINDOWS,
  SlidingSum,
  SlidingSumState,
  TimeWindows,
  WindowStore,
  windowsFor,
} from './internal/window.ts';
export type { SlidingSumSpec, WindowedEntry, WindowSpec } from './internal/window.ts';
