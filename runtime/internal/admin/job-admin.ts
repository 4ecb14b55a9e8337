/**
 * Operator tools for running jobs: where each task stands (`pulse jobs status`) and resetting a job
 * to re-process its inputs from an earlier point (`pulse jobs replay`). Both read the job's truth,
 * its `<job>-checkpoints` topic, rather than the consumer group's offsets.
 */
export { JobAdminError } from './errors.ts';
export { describeReplayFrom, parseReplayFrom } from './replay-from.ts';
export type { ReplayFrom } from './replay-from.ts';
export * from './cluster.ts';
export * from './job-status.ts';
export * from './job-replay.ts';
