/**
 * The ceiling of `pulse bench api`: a Hono app on @hono/node-server answering one fixed JSON body,
 * so the comparison shows what the feed costs beyond HTTP and serialisation.
 * Usage: tsx bench/plain-hono.ts <port> <body-file>
 */
import fs from 'node:fs';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const [port, bodyFile] = process.argv.slice(2);
const body = JSON.parse(fs.readFileSync(bodyFile!, 'utf8')) as unknown;
const app = new Hono();
// Like the query API: parse the bearer header, answer JSON built per request.
app.get('/plain', (c) => {
  if (!c.req.header('authorization')?.startsWith('Bearer ')) return c.json({ error: 'unauthorised' }, 401);
  return c.json(body);
});
serve({ fetch: app.fetch, port: Number(port), hostname: '127.0.0.1' });
process.on('SIGTERM', () => process.exit(0));
