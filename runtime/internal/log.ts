import type { Logger } from './engine/job-runner.ts';

const levels = { debug: 10, info: 20, warn: 30, error: 40 } as const;

/** JSON-lines logger on stdout (one object per line: time, level, msg, fields). */
export function jsonLogger(base: Record<string, unknown> = {}, level: keyof typeof levels = 'info'): Logger {
  const min = levels[level];
  const write = (lvl: keyof typeof levels, msg: string, fields?: Record<string, unknown>) => {
    if (levels[lvl] < min) return;
    process.stdout.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...base, ...fields })}\n`,
    );
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
