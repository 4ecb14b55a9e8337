#!/usr/bin/env node
// Entry shim for `npx pulse`: loads the TypeScript CLI through tsx's ESM loader.
import { register } from 'tsx/esm/api';

// libuv's pool (default 4 threads) serves each job's blocking consume calls, RocksDB reads and
// writes, and DNS: with a few jobs in one worker, 4 threads queue RocksDB behind consume waits.
// Set before anything uses the pool; an operator's own value wins.
process.env.UV_THREADPOOL_SIZE ??= '16';

register();
await import('../main.ts');
