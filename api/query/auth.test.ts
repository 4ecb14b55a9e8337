import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { createQueryAuth, DEV_API_KEY, resolveQueryAuth } from './auth.ts';
import { QueryConfigError, QueryError } from './errors.ts';

const SECRET = 'test-secret-0123456789abcdef';
const nowSec = () => Math.floor(Date.now() / 1000);
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const auth = createQueryAuth({ keys: ['svc-key', 'other-key'], jwtSecret: SECRET });

async function rejection(p: Promise<unknown>): Promise<QueryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(QueryError);
  return err as QueryError;
}

describe('authenticate', () => {
  it('accepts a service key', async () => {
    expect(await auth.authenticate('Bearer svc-key')).toEqual({ kind: 'service' });
    expect(await auth.authenticate('bearer other-key')).toEqual({ kind: 'service' });
  });

  it('accepts a valid user token and returns its sub', async () => {
    const token = await sign({ sub: 'u1', exp: nowSec() + 60 }, SECRET, 'HS256');
    expect(await auth.authenticate(`Bearer ${token}`)).toEqual({ kind: 'user', userId: 'u1' });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['Bearer without a credential', 'Bearer '],
    ['an unknown key', 'Bearer nope'],
    ['a garbage token', 'Bearer a.b.c'],
  ])('rejects %s with 401', async (_name, header) => {
    const err = await rejection(auth.authenticate(header));
    expect(err.status).toBe(401);
    expect(err.code).toBe('UNAUTHENTICATED');
  });

  it('rejects an expired token with 401 "token expired"', async () => {
    const token = await sign({ sub: 'u1', exp: nowSec() - 10 }, SECRET, 'HS256');
    const err = await rejection(auth.authenticate(`Bearer ${token}`));
    expect(err.status).toBe(401);
    expect(err.message).toBe('token expired');
  });

  it('rejects a token without exp, without sub, with another secret or another algorithm', async () => {
    const tokens = [
      await sign({ sub: 'u1' }, SECRET, 'HS256'),
      await sign({ exp: nowSec() + 60 }, SECRET, 'HS256'),
      await sign({ sub: 'u1', exp: nowSec() + 60 }, 'wrong-secret', 'HS256'),
      await sign({ sub: 'u1', exp: nowSec() + 60 }, SECRET, 'HS512'),
    ];
    for (const t of tokens) expect((await rejection(auth.authenticate(`Bearer ${t}`))).status).toBe(401);
  });

  it('rejects user tokens when no secret is configured', async () => {
    const token = await sign({ sub: 'u1', exp: nowSec() + 60 }, SECRET, 'HS256');
    const keysOnly = createQueryAuth({ keys: ['svc-key'] });
    expect((await rejection(keysOnly.authenticate(`Bearer ${token}`))).status).toBe(401);
  });
});

describe('authorize', () => {
  it('lets a service read anyone and a user only itself', () => {
    expect(() => auth.authorize({ kind: 'service' }, 'anyone')).not.toThrow();
    expect(() => auth.authorize({ kind: 'user', userId: 'u1' }, 'u1')).not.toThrow();
    let err: unknown;
    try {
      auth.authorize({ kind: 'user', userId: 'u1' }, 'u2');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QueryError);
    expect((err as QueryError).status).toBe(403);
  });
});

describe('resolveQueryAuth', () => {
  it('adds the development key outside production, with a warning', () => {
    const warnings: string[] = [];
    const log = { ...quiet, warn: (m: string) => void warnings.push(m) };
    expect(resolveQueryAuth('a, b', undefined, 'development', log).keys).toEqual(['a', 'b', DEV_API_KEY]);
    expect(warnings.join()).toContain(DEV_API_KEY);
  });

  it('never accepts the development key in production', () => {
    expect(resolveQueryAuth('a', undefined, 'production', quiet)).toEqual({
      keys: ['a'],
      jwtSecret: undefined,
    });
    expect(resolveQueryAuth(undefined, 's', 'production', quiet)).toEqual({ keys: [], jwtSecret: 's' });
  });

  it('refuses to start in production without keys and without a JWT secret', () => {
    expect(() => resolveQueryAuth(undefined, undefined, 'production', quiet)).toThrow(QueryConfigError);
    expect(() => resolveQueryAuth(' , ', '  ', 'production', quiet)).toThrow(QueryConfigError);
  });
});
