/**
 * Catalogue search routes, mounted by the query app (which authenticates and renders errors):
 *
 * - `GET /api/v1/events`: one page of events matching the parameters of {@link EventsQuery}
 *   (`q`, `city`, `lat`/`lon`/`radiusKm`, `category`, `from`/`to`, `maxPrice`, `status`, `limit`,
 *   `cursor`) with facets and the total; by relevance with `q`, else by start.
 * - `GET /api/v1/events/{id}`: one event, or 404 `EVENT_NOT_FOUND`.
 *
 * Errors are thrown as {@link QueryError}s: every bad parameter is a 400 `INVALID_PARAMETER` whose
 * `errors[].path` names it. Answers are the public catalogue, the same for every caller, so shared
 * caches may keep them briefly (`Cache-Control: public, max-age=30`).
 */
import { Hono, type Context } from 'hono';
import type { EventSearch, EventSearchQuery } from '../../state/index.ts';
import { QueryError } from './errors.ts';
import { invalidParameters } from './query-params.ts';
import { EventIdParam, EventsQuery, type EventBody, type EventSearchBody } from './search-schemas.ts';

export const EVENTS_ROUTE = '/api/v1/events';
export const EVENT_ROUTE = '/api/v1/events/{id}';
export const SEARCH_MAX_AGE_SEC = 30;

export interface SearchRoutesDeps {
  /** The catalogue (a PgEventStore). */
  events: EventSearch;
}

export function searchRoutes(deps: SearchRoutesDeps): Hono {
  const app = new Hono();

  app.get(EVENTS_ROUTE, async (c) => {
    const parsed = EventsQuery.safeParse(c.req.queries());
    if (!parsed.success) throw invalidParameters(parsed.error.issues);
    const p = parsed.data;
    const query: EventSearchQuery = {
      q: p.q,
      city: p.city,
      lat: p.lat,
      lon: p.lon,
      radiusKm: p.radiusKm,
      categories: p.category,
      fromMs: p.from,
      toMs: p.to,
      maxPrice: p.maxPrice,
      statuses: p.status,
      limit: p.limit,
      cursor: p.cursor,
    };
    let result: EventSearchBody;
    try {
      result = await deps.events.search(query);
    } catch (err) {
      // The store's InvalidSearchCursorError, known by its code (the API sees only the interface).
      if ((err as { code?: unknown }).code !== 'INVALID_CURSOR') throw err;
      throw invalidParameters([{ path: ['cursor'], message: (err as Error).message }]);
    }
    return publicJson(c, result);
  });

  app.get('/api/v1/events/:id', async (c) => {
    const parsed = EventIdParam.safeParse(c.req.param('id'));
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ path: 'id', message: i.message }));
      throw new QueryError(400, 'INVALID_EVENT_ID', errors.map((e) => e.message).join('; '), { errors });
    }
    const event = await deps.events.get(parsed.data);
    if (!event) throw new QueryError(404, 'EVENT_NOT_FOUND', `no event "${parsed.data}"`);
    return publicJson(c, event satisfies EventBody);
  });

  return app;
}

function publicJson(c: Context, body: unknown): Response {
  c.header('Cache-Control', `public, max-age=${SEARCH_MAX_AGE_SEC}`);
  return c.json(body);
}
