/**
 * Scenario 13: misbehaving catalogue sources. A loopback HTTP server plays a set of sources (good
 * ones, and ones that hang, drip, send endless or bomb-sized bodies, invalid encodings, server
 * errors, and redirects to private, loopback, link-local and file addresses), and every source is
 * imported at the same time with the catalogue's own import path (`runImport`: fetch, extract,
 * publish to Kafka, record the run in PostgreSQL), with the production SSRF setting
 * (`allowPrivate: false`). Pass means, per source:
 *
 * - a good source imports all its listings (they are in the run's `raw-listings` topic, and its
 *   run is recorded as imported), whatever the bad sources do at the same moment;
 * - a bad source fails with the expected stable code (`timeout`, `too-large`, `bad-encoding`,
 *   `forbidden-address`, `too-many-redirects`, `bad-url`, `http-status`, `network`, or the
 *   importer's `IMPORT_FAILED`), within the fetch deadline (plus slack), with a message that names
 *   the reason, and its run is recorded as failed with that message; nothing of it is published;
 * - no connection ever reaches a forbidden address (the server counts the requests it got for
 *   redirect targets it must never see).
 *
 * The sources have public-looking names (`*.example`): the test seam of the fetcher
 * (`ImportOptions.network`) resolves them to documentation addresses (203.0.113.0/24, which the
 * guard treats as public) and dials 127.0.0.1 instead, so the guard is exercised as in production;
 * names meant to be private resolve to private addresses and are refused before any connection.
 *
 * The pipeline load of the harness runs meanwhile and is checked as for every scenario; this one
 * adds no fault to it.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { runImport, type ImportOptions, type ImportSource } from '../../catalog/index.ts';
import { loadConfig } from '../../cli/config.ts';
import { ReaderConsumer } from '../../runtime/index.ts';
import { createPool, migrate, PgCatalogQuality } from '../../state/index.ts';
import type { ChaosContext, Scenario } from '../types.ts';

/** The fetch deadline every source gets here (production default: 15 s). */
export const SOURCE_TIMEOUT_MS = 3_000;
/** The body cap (the fetcher's default, 10 MiB). */
export const SOURCE_MAX_BYTES = 10 * 1024 * 1024;

const PUBLIC = '203.0.113.';
const DAY = 86_400_000;

/** What a source must come to. */
export type Expected = { listings: number } | { code: string; reason: RegExp };

export interface SourceCase {
  name: string;
  /** Path on the test server (the host is `<name>.example`). */
  path: string;
  /** Full URL instead of `http://<name>.example:<port><path>`. */
  url?: (port: number) => string;
  expected: Expected;
}

function icsTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** A small valid iCalendar document: `n` concerts in the weeks after `now`. */
export function goodIcs(now: number, n: number, prefix: string): string {
  const events = Array.from({ length: n }, (_, i) => {
    const start = Math.floor((now + (7 + i) * DAY) / 3_600_000) * 3_600_000;
    return [
      'BEGIN:VEVENT',
      `UID:${prefix}-${i}@sources.example`,
      `DTSTAMP:${icsTime(now)}`,
      `DTSTART:${icsTime(start)}`,
      `DTEND:${icsTime(start + 2 * 3_600_000)}`,
      `SUMMARY:Kammerkonzert Nr. ${i + 1} im Café Größenwahn`,
      'LOCATION:Konzerthaus Berlin\\, Gendarmenmarkt\\, 10117 Berlin',
      'CATEGORIES:Konzert',
      'END:VEVENT',
    ].join('\r\n');
  });
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//chaos13//EN', ...events, 'END:VCALENDAR', ''].join(
    '\r\n',
  );
}

/** A small page with schema.org events in JSON-LD. */
export function goodJsonLd(now: number, n: number): string {
  const graph = Array.from({ length: n }, (_, i) => ({
    '@type': 'TheaterEvent',
    '@id': `https://theatre.example/e/${i}#event`,
    name: `Der zerbrochne Krug (${i + 1})`,
    startDate: new Date(now + (10 + i) * DAY).toISOString(),
    url: `https://theatre.example/e/${i}`,
    location: {
      '@type': 'Place',
      name: 'Deutsches Theater',
      address: { '@type': 'PostalAddress', addressLocality: 'Berlin', addressCountry: 'DE' },
    },
  }));
  return `<!doctype html><html><head><title>Spielplan</title>
<script type="application/ld+json">${JSON.stringify({ '@context': 'https://schema.org', '@graph': graph })}</script>
</head><body><h1>Spielplan</h1></body></html>`;
}

/** Every source of the scenario and what it must come to. */
export function sourceCases(): SourceCase[] {
  const forbidden = /resolves to forbidden address/;
  return [
    { name: 'good-ics', path: '/good.ics', expected: { listings: 3 } },
    { name: 'good-jsonld', path: '/good.html', expected: { listings: 2 } },
    { name: 'good-gzip-latin1', path: '/good-latin1.ics', expected: { listings: 2 } },
    {
      name: 'hangs',
      path: '/hang',
      expected: { code: 'timeout', reason: /no complete response within 3000 ms/ },
    },
    {
      name: 'drips',
      path: '/drip',
      expected: { code: 'timeout', reason: /no complete response within 3000 ms/ },
    },
    {
      name: 'endless-body',
      path: '/endless',
      expected: { code: 'too-large', reason: /body exceeds 10485760 bytes/ },
    },
    {
      name: 'huge-declared',
      path: '/huge-declared',
      expected: { code: 'too-large', reason: /53687091200 bytes exceeds 10485760/ },
    },
    {
      name: 'gzip-bomb',
      path: '/bomb',
      expected: { code: 'too-large', reason: /body exceeds 10485760 bytes/ },
    },
    {
      name: 'invalid-utf8',
      path: '/invalid-utf8.ics',
      expected: { code: 'bad-encoding', reason: /not valid utf-8/ },
    },
    {
      name: 'unknown-charset',
      path: '/klingon.ics',
      expected: { code: 'bad-encoding', reason: /unsupported charset x-klingon/ },
    },
    {
      name: 'unknown-content-encoding',
      path: '/compress',
      expected: { code: 'bad-encoding', reason: /unsupported Content-Encoding compress/ },
    },
    { name: 'server-error', path: '/error', expected: { code: 'http-status', reason: /HTTP 503/ } },
    {
      name: 'reset-mid-body',
      path: '/reset',
      expected: { code: 'network', reason: /aborted|ECONNRESET|socket hang up|terminated/i },
    },
    {
      name: 'not-a-calendar',
      path: '/download',
      expected: { code: 'IMPORT_FAILED', reason: /cannot tell the format/ },
    },
    {
      name: 'private-url',
      path: '/good.ics',
      url: (port) => `http://127.0.0.1:${port}/good.ics`,
      expected: { code: 'forbidden-address', reason: /127\.0\.0\.1 resolves to forbidden address/ },
    },
    { name: 'to-loopback', path: '/r/loopback', expected: { code: 'forbidden-address', reason: forbidden } },
    {
      name: 'to-metadata',
      path: '/r/metadata',
      expected: { code: 'forbidden-address', reason: /169\.254\.169\.254/ },
    },
    {
      name: 'to-private-name',
      path: '/r/private-name',
      expected: { code: 'forbidden-address', reason: /10\.0\.0\.5/ },
    },
    {
      name: 'to-mapped-v6',
      path: '/r/mapped-v6',
      expected: { code: 'forbidden-address', reason: forbidden },
    },
    { name: 'to-file', path: '/r/file', expected: { code: 'bad-url', reason: /only http and https/ } },
    {
      name: 'redirect-loop',
      path: '/r/loop',
      expected: { code: 'too-many-redirects', reason: /more than 5/ },
    },
  ];
}

export interface SourceServer {
  port: number;
  /** Requests for paths only a forbidden redirect target would ask for (must stay 0). */
  readonly forbiddenHits: number;
  close(): Promise<void>;
}

/** The misbehaving sources, on 127.0.0.1. */
export async function startSourceServer(now: number): Promise<SourceServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let forbiddenHits = 0;
  const ics = Buffer.from(goodIcs(now, 3, 'ics'));
  // Windows-1252 text (é, ö, ß as single bytes), gzip-compressed on the wire.
  const latin1 = gzipSync(Buffer.from(goodIcs(now, 2, 'latin1'), 'latin1'));
  const invalidUtf8 = Buffer.concat([
    ics.subarray(0, 200),
    Buffer.from([0xc3, 0x28, 0xff]),
    ics.subarray(200),
  ]);
  // 64 MiB of zeros compress to about 64 KiB: decompressed, it is 6 times the cap.
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
  let port = 0;
  const redirect = (res: http.ServerResponse, location: string) => {
    res.writeHead(302, { location });
    res.end();
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const host = `sources.example:${port}`;
    switch (path) {
      case '/good.ics':
        res.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8' });
        return res.end(ics);
      case '/good.html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(goodJsonLd(now, 2));
      case '/good-latin1.ics':
        res.writeHead(200, {
          'content-type': 'text/calendar; charset=ISO-8859-1',
          'content-encoding': 'gzip',
        });
        return res.end(latin1);
      case '/hang':
        return; // never answers; the socket is closed by the client's deadline or by close()
      case '/drip': {
        res.writeHead(200, { 'content-type': 'text/calendar' });
        res.write('BEGIN:VCALENDAR\r\n');
        const t = setInterval(() => res.write('X'), 100);
        timers.add(t);
        res.on('close', () => (clearInterval(t), timers.delete(t)));
        return;
      }
      case '/endless': {
        res.writeHead(200, { 'content-type': 'text/calendar' }); // chunked, no length
        const chunk = Buffer.alloc(64 * 1024, 'A');
        let sent = 0;
        const pump = () => {
          while (!res.destroyed && sent < 1024 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
      case '/huge-declared':
        res.writeHead(200, { 'content-type': 'text/calendar', 'content-length': String(50 * 1024 ** 3) });
        return res.write('BEGIN:VCALENDAR\r\n');
      case '/bomb':
        res.writeHead(200, { 'content-type': 'text/calendar', 'content-encoding': 'gzip' });
        return res.end(bomb);
      case '/invalid-utf8.ics':
        res.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8' });
        return res.end(invalidUtf8);
      case '/klingon.ics':
        res.writeHead(200, { 'content-type': 'text/calendar; charset=x-klingon' });
        return res.end(ics);
      case '/compress':
        res.writeHead(200, { 'content-type': 'text/calendar', 'content-encoding': 'compress' });
        return res.end(ics);
      case '/error':
        res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '3600' });
        return res.end('maintenance');
      case '/reset':
        res.writeHead(200, { 'content-type': 'text/calendar', 'content-length': String(ics.length) });
        res.write(ics.subarray(0, 100));
        return void setTimeout(() => req.socket.destroy(), 50);
      case '/download':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end('Unsere Termine finden Sie bald hier.\n');
      case '/r/loopback':
        return redirect(res, `http://127.0.0.1:${port}/internal/secret`);
      case '/r/metadata':
        return redirect(res, 'http://169.254.169.254/latest/meta-data/iam/security-credentials/');
      case '/r/private-name':
        return redirect(res, `http://intranet.example:${port}/internal/secret`);
      case '/r/mapped-v6':
        return redirect(res, `http://[::ffff:127.0.0.1]:${port}/internal/secret`);
      case '/r/file':
        return redirect(res, 'file:///etc/passwd');
      case '/r/loop':
        return redirect(res, `http://${host}/r/loop`);
      case '/internal/secret':
        forbiddenHits++;
        res.writeHead(200, { 'content-type': 'text/calendar' });
        return res.end(ics);
      default:
        res.writeHead(404);
        return res.end();
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    port,
    get forbiddenHits() {
      return forbiddenHits;
    },
    async close() {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The fetcher's test seam: `<name>.example` looks public (a documentation address) and is dialled
 * on 127.0.0.1; `intranet.example` resolves to a private address; anything else is unknown.
 */
export const sourcesNetwork: NonNullable<ImportOptions['network']> = {
  resolve: (host) => {
    if (host === 'intranet.example') return Promise.resolve([{ address: '10.0.0.5', family: 4 }]);
    if (host.endsWith('.example')) return Promise.resolve([{ address: `${PUBLIC}10`, family: 4 }]);
    return Promise.reject(new Error(`ENOTFOUND ${host}`));
  },
  dialOverride: (checked) =>
    checked.address.startsWith(PUBLIC) ? { address: '127.0.0.1', family: 4 } : checked,
};

export function sourceUrl(c: SourceCase, port: number): string {
  return c.url?.(port) ?? `http://${c.name}.example:${port}${c.path}`;
}

export function importSource(name: string): ImportSource {
  return { name, priority: 0, defaults: { city: 'Berlin', country: 'DE', timezone: 'Europe/Berlin' } };
}

/** The outcome of one source's import. */
export type Outcome =
  | { name: string; ms: number; ok: true; listings: number; summary: string }
  | { name: string; ms: number; ok: false; code: string; message: string };

/** What is wrong with an outcome (empty: as expected). */
export function judge(c: SourceCase, o: Outcome): string[] {
  const e = c.expected;
  const problems: string[] = [];
  if ('listings' in e) {
    if (!o.ok)
      problems.push(
        `${c.name}: failed (${o.code}: ${o.message}), should have imported ${e.listings} listings`,
      );
    else if (o.listings !== e.listings) problems.push(`${c.name}: ${o.listings} listings, not ${e.listings}`);
  } else if (o.ok) problems.push(`${c.name}: imported (${o.summary}), should have failed with ${e.code}`);
  else {
    if (o.code !== e.code) problems.push(`${c.name}: failed with ${o.code}, not ${e.code}: ${o.message}`);
    if (!e.reason.test(o.message))
      problems.push(`${c.name}: reason "${o.message}" does not say ${String(e.reason)}`);
  }
  // The deadline covers the whole fetch; on two shared cores, allow generous slack.
  if (o.ms > SOURCE_TIMEOUT_MS + 7_000)
    problems.push(`${c.name}: took ${o.ms} ms (deadline ${SOURCE_TIMEOUT_MS} ms)`);
  return problems;
}

/** Runs `importOne` for every case at once and collects outcomes (never rejects). */
export async function importAll(
  cases: readonly SourceCase[],
  importOne: (c: SourceCase) => Promise<{ listings: number; summary: string }>,
): Promise<Outcome[]> {
  return Promise.all(
    cases.map(async (c): Promise<Outcome> => {
      const t0 = Date.now();
      try {
        const r = await importOne(c);
        return { name: c.name, ms: Date.now() - t0, ok: true, ...r };
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        return {
          name: c.name,
          ms: Date.now() - t0,
          ok: false,
          code: typeof code === 'string' ? code : `uncoded ${(err as Error).name}`,
          message: (err as Error).message,
        };
      }
    }),
  );
}

/** Listings per source in the run's `raw-listings` topic (keys are `source:sourceId`). */
async function publishedPerSource(
  brokers: string[],
  topic: string,
  partitions: number,
): Promise<Map<string, number>> {
  const reader = new ReaderConsumer(brokers, `chaos13-${Date.now().toString(36)}`, 'read_committed');
  await reader.connect();
  const counts = new Map<string, number>();
  try {
    for (let partition = 0; partition < partitions; partition++) {
      const tp = { topic, partition };
      const w = await reader.watermarks(tp);
      await reader.readRange(tp, w.low, w.high, (msgs) => {
        for (const m of msgs) {
          const source = (m.key?.toString() ?? '').split(':')[0] ?? '';
          counts.set(source, (counts.get(source) ?? 0) + 1);
        }
      });
    }
  } finally {
    await reader.disconnect();
  }
  return counts;
}

async function run(ctx: ChaosContext): Promise<void> {
  const config = loadConfig();
  const partitions = 3;
  const pool = createPool(config.databaseUrl, 2);
  const server = await startSourceServer(Date.now());
  const problems: string[] = [];
  try {
    const client = await pool.connect();
    try {
      await migrate(client);
    } finally {
      client.release();
    }
    const runs = new PgCatalogQuality(pool, ctx.namespace);
    const cases = sourceCases();
    await ctx.untilProgress(0.3);
    ctx.log(`importing ${cases.length} sources from 127.0.0.1:${server.port} at once`);
    const kafka = { brokers: ctx.brokers, namespace: ctx.namespace, partitions };
    const outcomes = await importAll(cases, async (c) => {
      const summary = await runImport(kafka, sourceUrl(c, server.port), importSource(c.name), runs, {
        allowPrivate: false,
        timeoutMs: SOURCE_TIMEOUT_MS,
        maxBytes: SOURCE_MAX_BYTES,
        network: sourcesNetwork,
      });
      const n = /: (\d+) listings/.exec(summary)?.[1];
      return { listings: n === undefined ? -1 : Number(n), summary };
    });
    for (const [i, o] of outcomes.entries()) {
      const c = cases[i]!;
      problems.push(...judge(c, o));
      ctx.note(
        `${o.name}: ${o.ok ? `imported ${o.listings} listings` : `failed ${o.code}: ${o.message}`} (${o.ms} ms)`,
      );
    }
    if (server.forbiddenHits > 0)
      problems.push(`${server.forbiddenHits} requests reached a forbidden redirect target`);

    // What was published: all of each good source, nothing of the bad ones.
    const published = await publishedPerSource(ctx.brokers, `${ctx.namespace}raw-listings`, partitions).catch(
      (err: unknown) => {
        problems.push(`cannot read ${ctx.namespace}raw-listings: ${(err as Error).message}`);
        return new Map<string, number>();
      },
    );
    for (const c of cases) {
      const want = 'listings' in c.expected ? c.expected.listings : 0;
      const got = published.get(c.name) ?? 0;
      if (got !== want) problems.push(`${c.name}: ${got} listings in raw-listings, not ${want}`);
    }

    // What was recorded: one run per source, imported or failed with the reason.
    const rows = await pool.query<{
      source: string;
      outcome: string;
      listings: number;
      error: string | null;
    }>('select source, outcome, listings, error from catalog_source_runs where namespace = $1', [
      ctx.namespace,
    ]);
    for (const [i, c] of cases.entries()) {
      const mine = rows.rows.filter((r) => r.source === c.name);
      const o = outcomes[i]!;
      const want = 'listings' in c.expected ? 'imported' : 'failed';
      if (mine.length !== 1) problems.push(`${c.name}: ${mine.length} recorded runs, not 1`);
      else if (mine[0]!.outcome !== want)
        problems.push(`${c.name}: run recorded as ${mine[0]!.outcome}, not ${want}`);
      else if (!o.ok && mine[0]!.error !== o.message)
        problems.push(
          `${c.name}: recorded error "${mine[0]!.error}" is not the reason given ("${o.message}")`,
        );
    }
  } finally {
    await server.close();
    await pool
      .query('delete from catalog_source_runs where namespace = $1', [ctx.namespace])
      .catch(() => undefined);
    await pool.end();
  }
  if (problems.length)
    throw new Error(
      `sources: ${problems.slice(0, 8).join('; ')}${problems.length > 8 ? ` (${problems.length} in all)` : ''}`,
    );
}

export const scenario: Scenario = {
  id: 13,
  name: 'misbehaving catalogue sources: timeouts, huge bodies, invalid encodings, private redirects',
  inShort: true,
  run,
};
