import { RuntimeError } from '../errors.ts';

/** An operator command cannot go on (job running, bad --from, missing topics). */
export class JobAdminError extends RuntimeError {
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, code, false, options);
  }
}
