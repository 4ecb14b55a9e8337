import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { CatalogEvent } from '../../model/index.ts';
import type { EventSearch, EventSearchQuery, EventSearchResult } from '../../state/index.ts';
import { errorResponse } from '../http-server.ts';
import { QueryError } from './errors.ts';
import { searchRoutes } from './search.ts';
import { EventBody, EventSearchBody } from './search-schemas.ts';
import { catalogEvent } from './test-events.ts';

const CARMEN = catalogEvent('m1', '2027-04-15T17:30:00Z', {
  title: 'Carmen',
  city: 'Madrid',
  country: 'ES',
  timezone: 'Europe/Madrid',
  sources: [{ source: 'ticketing-api', sourceId: '42', url: null }],
});

const RESULT: EventSearchResult = {
  items: [{ event: CARMEN, distanceKm: 1.234, score: 0.75 }],
  facets: { category: [{ value: 'music', count: 1 }], city: [{ value: 'Madrid', count: 1 }] },
  total: 1,
  nextCursor: 'bmV4dA',
};

/** A catalogue holding Carmen; records the queries it gets; 'c3RhbGU' (stale) is a rejected cursor. */
function fakeEvents() {
  const queries: EventSearchQuery[] = [];
  const events: EventSearch = {
    get: (id) => Promise.resolve(id === CARMEN.id ? CARMEN : null),
    search: (q) => {
      queries.push(q);
      if (q.cursor === 'c3RhbGU')
        return Promise.reject(
          Object.assign(new Error('cursor was issued for other filters than this request'), {
            code: 'INVALID_CURSOR',
          }),
        );
      return Promise.resolve(RESULT);
    },
  };
  return { events, queries };
}

/** The routes behind the query app's error rendering (the same `errorResponse` as app.ts). */
function setup() {
  const fake = fakeEvents();
  const app = new Hono();
  app.onError((err, c) =>
    err instanceof QueryError ? errorResponse(c, err, 'pulse-query') : c.json({ error: 'unexpected' }, 500),
  );
  app.notFound(() => {
    throw new QueryError(404, 'NOT_FOUND', 'no such route');
  });
  app.route('/', searchRoutes({ events: fake.events }));
  const get = (path: string) => app.request(path);
  return { get, queries: fake.queries };
}

const noFilters: EventSearchQuery = {
  q: undefined,
  city: undefined,
  lat: undefined,
  lon: undefined,
  radiusKm: undefined,
  categories: undefined,
  fromMs: undefined,
  toMs: undefined,
  maxPrice: undefined,
  statuses: undefined,
  limit: 20,
  cursor: undefined,
};

describe('GET /api/v1/events', () => {
  it('passes every parameter to the catalogue and answers its page, cacheable by anyone', async () => {
    const { get, queries } = setup();
    const res = await get(
      '/api/v1/events?q=%20Carmen%20&city=Madrid&lat=40.4&lon=-3.7&radiusKm=5&category=music&category=dance' +
        '&from=2027-04-01&to=2027-04-30&maxPrice=30.5&status=scheduled&status=postponed&limit=10&cursor=YWJj',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=30');
    expect(EventSearchBody.parse(await res.json())).toEqual(RESULT);
    expect(queries).toEqual([
      {
        q: 'Carmen',
        city: 'Madrid',
        lat: 40.4,
        lon: -3.7,
        radiusKm: 5,
        categories: ['music', 'dance'],
        fromMs: Date.parse('2027-04-01T00:00:00Z'),
        toMs: Date.parse('2027-05-01T00:00:00Z'), // a date as `to` includes that day
        maxPrice: 30.5,
        statuses: ['scheduled', 'postponed'],
        limit: 10,
        cursor: 'YWJj',
      },
    ]);
  });

  it('asks for the first 20 events with no filter when given no parameter', async () => {
    const { get, queries } = setup();
    expect((await get('/api/v1/events')).status).toBe(200);
    expect(queries).toEqual([noFilters]);
  });

  it.each([
    ['lat=52.5', 'lon', 'lat and lon must be given together'],
    ['lon=13.4', 'lat', 'lat and lon must be given together'],
    ['radiusKm=5', 'radiusKm', 'radiusKm needs lat and lon'],
    ['lat=91&lon=0', 'lat', 'lat must be ≤ 90'],
    ['lat=north&lon=0', 'lat', 'lat must be a number'],
    ['from=2027-05-01&to=2027-04-01', 'to', 'to must be after from'],
    ['from=2027-04-01T20:00:00Z&to=2027-04-01T20:00:00Z', 'to', 'to must be after from'],
    ['from=tomorrow', 'from', 'from must be an ISO-8601 instant (2026-05-01T18:00:00Z) or date (2026-05-01)'],
    [
      'category=music&category=opera',
      'category',
      'category must be one of music, theatre, dance, exhibition, cinema, comedy, festival, talk, family, other',
    ],
    ['status=sold-out', 'status', 'status must be one of scheduled, cancelled, postponed'],
    ['limit=0', 'limit', 'limit must be at least 1'],
    ['limit=101', 'limit', 'limit must be at most 100'],
    ['limit=2.5', 'limit', 'limit must be an integer'],
    ['maxPrice=-1', 'maxPrice', 'maxPrice must be ≥ 0'],
    ['q=%20%20', 'q', 'q must not be empty'],
    [`q=${'x'.repeat(201)}`, 'q', 'q must be at most 200 characters'],
    ['city=Berlin&city=Paris', 'city', 'city must be given at most once'],
    ['cursor=not%20base64!', 'cursor', 'cursor is not a cursor of this API'],
    ['cursor=c3RhbGU', 'cursor', 'cursor was issued for other filters than this request'],
    ['sort=price', 'sort', 'unknown parameter: sort'],
  ])('answers 400 naming the parameter for ?%s', async (query, path, message) => {
    const res = await setup().get(`/api/v1/events?${query}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'INVALID_PARAMETER', message: `${path}: ${message}`, errors: [{ path, message }] },
    });
    expect(res.headers.get('cache-control')).toBeNull();
  });

  it('names every parameter at fault at once', async () => {
    const res = await setup().get('/api/v1/events?limit=0&radiusKm=5&colour=red');
    const body = (await res.json()) as { error: { errors: Array<{ path: string }> } };
    expect(body.error.errors.map((e) => e.path).sort()).toEqual(['colour', 'limit', 'radiusKm']);
  });
});

describe('GET /api/v1/events/{id}', () => {
  it('answers the event', async () => {
    const res = await setup().get('/api/v1/events/m1');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=30');
    const body: CatalogEvent = EventBody.parse(await res.json());
    expect(body).toEqual(CARMEN);
  });

  it('answers 404 EVENT_NOT_FOUND for an unknown id, decoded from the path', async () => {
    const res = await setup().get('/api/v1/events/no%20such%22event');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'EVENT_NOT_FOUND', message: 'no event "no such"event"' },
    });
  });

  it('answers 400 INVALID_EVENT_ID for an id longer than 256 characters', async () => {
    const res = await setup().get(`/api/v1/events/${'e'.repeat(257)}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        code: 'INVALID_EVENT_ID',
        message: 'id must be at most 256 characters',
        errors: [{ path: 'id', message: 'id must be at most 256 characters' }],
      },
    });
  });
});
