#!/usr/bin/env node
// Entry shim for `npx pulse`: loads the TypeScript CLI through tsx's ESM loader.
import { register } from 'tsx/esm/api';

register();
await import('../main.ts');
