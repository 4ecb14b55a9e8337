/**
 * Field paths of a mapping (`venue.geo.lat`, `offers[0].price`, `lineup[].name`) resolved against
 * a JSON record or a CSV row.
 */

type Step = { key: string } | { index: number } | { every: true };

/** `a.b[0].c[].d` -> key a, key b, index 0, key c, every, key d. */
function steps(path: string): Step[] {
  const out: Step[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d*)\]/g)) {
    if (m[1] !== undefined) out.push({ key: m[1] });
    else if (m[2] === '') out.push({ every: true });
    else out.push({ index: Number(m[2]) });
  }
  return out;
}

function walk(value: unknown, path: readonly Step[]): unknown {
  const [step, ...rest] = path;
  if (step === undefined || value === undefined || value === null) return value ?? undefined;
  if ('every' in step) {
    if (!Array.isArray(value)) return undefined;
    return value.map((v) => walk(v, rest)).filter((v) => v !== undefined);
  }
  if ('index' in step) return Array.isArray(value) ? walk(value[step.index], rest) : undefined;
  if (typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  return Object.hasOwn(record, step.key) ? walk(record[step.key], rest) : undefined;
}

/**
 * The value at `path` in `record`, or undefined. A key equal to the whole path is taken first, so
 * a CSV header or JSON key with dots in it (`venue.name`) is read as it is.
 */
export function readPath(record: unknown, path: string): unknown {
  if (record !== null && typeof record === 'object' && !Array.isArray(record)) {
    const r = record as Record<string, unknown>;
    if (Object.hasOwn(r, path)) return r[path];
  }
  return walk(record, steps(path));
}
