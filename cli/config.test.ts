import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig: PULSE_FETCH_PARTITION_KB', () => {
  it("leaves the runtime's default when unset", () => {
    expect(loadConfig({}).fetchPartitionBytes).toBeUndefined();
  });

  it('turns KiB into the bytes the consumer is configured with', () => {
    expect(loadConfig({ PULSE_FETCH_PARTITION_KB: '1024' }).fetchPartitionBytes).toBe(1024 * 1024);
  });

  it('refuses a fetch below the default, under which our own 64 KiB batches could starve, naming the variable', () => {
    expect(() => loadConfig({ PULSE_FETCH_PARTITION_KB: '64' })).toThrow(ConfigError);
    expect(() => loadConfig({ PULSE_FETCH_PARTITION_KB: 'lots' })).toThrow(/PULSE_FETCH_PARTITION_KB/);
  });
});
