import { describe, expect, it } from 'vitest';
import {
  LINE_BUFFERED_STDOUT,
  parsePerfSummary,
  parseSummaryLine,
  parseTimeOutput,
  patchPerformanceSource,
  perfArgs,
} from './rdkafka-perf.ts';

// Output of rdkafka_performance 2.15.1 in -G mode at the default verbosity.
const OUTPUT = `% Consumer reached end of t [0] message queue at offset 0
% 0 messages (0 bytes) consumed in 0ms: 0 msgs/s (0.00 MB/s)
% 210394 messages (63118200 bytes) consumed in 1000ms: 210393 msgs/s (63.12 MB/s)
% Consumer reached end of t [2] message queue at offset 166712
% 500000 messages (150000000 bytes) consumed in 2293ms: 218031 msgs/s (65.41 MB/s)
% 500000 messages (150000000 bytes) consumed in 2293ms: 218031 msgs/s (65.41 MB/s)
% Average application fetch latency: 4us
`;

describe('parsePerfSummary', () => {
  it('takes the last consumer summary line', () => {
    expect(parsePerfSummary(OUTPUT)).toEqual({
      messages: 500_000,
      bytes: 150_000_000,
      ms: 2293,
      msgsPerSec: 218_031,
      mbPerSec: 65.41,
    });
  });

  it('reads a summary with a latency suffix', () => {
    expect(
      parseSummaryLine(
        '% 12 messages (3600 bytes) consumed in 5ms: 2400 msgs/s (0.72 MB/s), latency curr/avg/lo/hi 1.00/2.00/0.50/3.00ms',
      ),
    ).toMatchObject({ messages: 12, ms: 5, msgsPerSec: 2400, mbPerSec: 0.72 });
  });

  it('ignores producer summaries and other lines', () => {
    expect(parseSummaryLine('% 100 messages produced (30000 bytes), 100 delivered')).toBeUndefined();
    expect(parseSummaryLine('% Group rebalanced (COOPERATIVE): 3 new partition(s) assigned')).toBeUndefined();
  });

  it('throws when there is no summary', () => {
    expect(() => parsePerfSummary('% Failed to create Kafka consumer: nope\n')).toThrow(
      /no consumer summary/,
    );
  });
});

describe('parseTimeOutput', () => {
  it('adds user and system seconds and reads the peak RSS', () => {
    expect(parseTimeOutput('1.52 0.31 24680\n')).toEqual({ cpuSeconds: 1.83, maxRssKiB: 24_680 });
  });

  it('skips the exit-status line of a failed command', () => {
    expect(parseTimeOutput('Command exited with non-zero status 1\n0.02 0.00 11444\n')).toEqual({
      cpuSeconds: 0.02,
      maxRssKiB: 11_444,
    });
  });

  it('returns undefined for empty output', () => {
    expect(parseTimeOutput('')).toBeUndefined();
  });
});

describe('patchPerformanceSource', () => {
  const source = [
    "        if (mode == 'C' || mode == 'G') {",
    '                rd_kafka_conf_set(conf, "queued.min.messages", "1000000", NULL,',
    '                                  0);',
    '                rd_kafka_conf_set(conf, "session.timeout.ms", "6000", NULL, 0);',
    '                rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", NULL,',
    '                                  0);',
    '        }',
  ].join('\n');

  it('removes the forced session timeout and queue size but keeps the rest', () => {
    const out = patchPerformanceSource(source);
    expect(out).not.toContain('"session.timeout.ms"');
    expect(out).not.toContain('"queued.min.messages"');
    expect(out).toContain('"auto.offset.reset", "earliest"');
  });

  it('makes stdout line-buffered once, so progress reaches a pipe as it is printed', () => {
    const out = patchPerformanceSource(source);
    expect(out.endsWith(LINE_BUFFERED_STDOUT)).toBe(true);
    expect(out).toContain('setvbuf(stdout, NULL, _IOLBF, 0);');
    expect(patchPerformanceSource(out)).toBe(out);
  });

  it('changes nothing else in a source without those lines', () => {
    const main = 'int main(void) { return 0; }\n';
    expect(patchPerformanceSource(main)).toBe(`${main}${LINE_BUFFERED_STDOUT}`);
  });
});

describe('perfArgs', () => {
  const base = {
    brokers: ['a:9092', 'b:9092'],
    topic: 't',
    groupId: 'g',
    records: 1000,
    commitIntervalMs: 250,
  };

  it('runs a subscribing consumer for exactly the records asked', () => {
    const args = perfArgs({ ...base, protocol: 'consumer' });
    expect(args.slice(0, 8)).toEqual(['-G', 'g', '-t', 't', '-b', 'a:9092,b:9092', '-c', '1000']);
    expect(args).toContain('group.protocol=consumer');
    expect(args).toContain('auto.commit.interval.ms=250');
    expect(args).not.toContain('session.timeout.ms=10000');
  });

  it('uses cooperative-sticky for classic groups', () => {
    const args = perfArgs({ ...base, protocol: 'classic' });
    expect(args).toContain('partition.assignment.strategy=cooperative-sticky');
    expect(args.some((a) => a.startsWith('group.protocol='))).toBe(false);
  });
});
