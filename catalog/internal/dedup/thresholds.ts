/**
 * The dedup weights and thresholds in one place (re-exported by score.ts as `DEDUP`).
 *
 * After the fargoings aggregator's event matcher:
 * - the score is a weighted mean of title (0.5), venue name (0.25), start time (0.15) and venue
 *   coordinates (0.1); a part that is unknown (coordinates missing on either side or not from the
 *   source, see geo.ts; a date-only start against a timed one, see start-time.ts) is left out and
 *   the remaining weights renormalised;
 * - listings of different sources merge at a score of at least 0.7;
 * - listings of one source merge only at 0.85 with a title similarity of at least 0.8 (a source
 *   rarely lists one event twice, so two of its listings are more likely two events), and never if
 *   their start times differ (different ids and different starts are two occurrences);
 * - time: 1 for equal starts, 0.8 for starts up to 30 min apart, falling linearly to 0 at 2 h;
 * - geo: 1 under 100 m, falling linearly to 0 at 1 km;
 * - two different top-level categories, neither `other`, multiply the score by 0.8: sources do
 *   disagree (opera as music or theatre), so it lowers the score rather than vetoing;
 * - statuses are not compared: a cancellation from one source is news about the same event.
 *
 * Added here: starts 2 h or more apart (time = 0) never merge, whatever the sources. With the
 * weights above, title, venue and geo alone reach 0.85, so without it a matinee and the evening
 * show (or two screenings) listed by two sources would merge, and a listing whose time moved would
 * stay in its old cluster.
 */
const MINUTE = 60_000;

export const DEDUP = {
  weights: { title: 0.5, venue: 0.25, time: 0.15, geo: 0.1 },
  mergeAcrossSources: 0.7,
  mergeWithinSource: 0.85,
  titleWithinSource: 0.8,
  time: { closeMs: 30 * MINUTE, closeScore: 0.8, farMs: 120 * MINUTE },
  geo: { nearMeters: 100, farMeters: 1000 },
  categoryMismatch: 0.8,
} as const;
