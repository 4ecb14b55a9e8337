/**
 * A listing's status from what the source says (schema.org `eventStatus`, iCal `STATUS`, wording)
 * and from the title, where sources often announce a cancellation (`ANNULÉ : …`, `Abgesagt: …`).
 */
import type { z } from 'zod';
import type { EventStatus } from '../../../model/index.ts';
import { collapseSpace, foldKey } from './fold.ts';

export type Status = z.infer<typeof EventStatus>;

export interface StatusResult {
  status: Status;
  /** The title without a status prefix or suffix (`ANNULÉ : X` → `X`), whitespace collapsed. */
  title: string;
}

/** Folded status words. A rescheduled event has its new date, so it is scheduled. */
const WORDS: Readonly<Record<string, Status>> = {
  // schema.org (URL or short name, folded: `EventCancelled` → `eventcancelled`)
  eventcancelled: 'cancelled',
  eventpostponed: 'postponed',
  eventrescheduled: 'scheduled',
  eventscheduled: 'scheduled',
  eventmovedonline: 'scheduled',
  // iCal STATUS
  cancelled: 'cancelled',
  canceled: 'cancelled',
  tentative: 'scheduled',
  confirmed: 'scheduled',
  // wording, de fr es it nl en
  abgesagt: 'cancelled',
  entfallt: 'cancelled',
  'fallt aus': 'cancelled',
  ausgefallen: 'cancelled',
  storniert: 'cancelled',
  verschoben: 'postponed',
  annule: 'cancelled',
  annulee: 'cancelled',
  annulation: 'cancelled',
  reporte: 'postponed',
  reportee: 'postponed',
  cancelado: 'cancelled',
  cancelada: 'cancelled',
  suspendido: 'cancelled',
  suspendida: 'cancelled',
  aplazado: 'postponed',
  aplazada: 'postponed',
  pospuesto: 'postponed',
  annullato: 'cancelled',
  cancellato: 'cancelled',
  rinviato: 'postponed',
  geannuleerd: 'cancelled',
  afgelast: 'cancelled',
  uitgesteld: 'postponed',
  postponed: 'postponed',
  rescheduled: 'scheduled',
  scheduled: 'scheduled',
  'sold out': 'scheduled',
};

/** Status words in titles: the subset that announces a change (no `confirmed`, `scheduled`). */
const TITLE_WORDS = Object.keys(WORDS).filter((w) => !w.startsWith('event') && WORDS[w] !== 'scheduled');

/**
 * The title words as a pattern over the raw title: each folded word matches its accented and
 * upper-case spellings (`annule` matches `ANNULÉ`, `entfallt` matches `entfällt`).
 */
function rawPattern(word: string): string {
  return [...word].map((ch) => (ch === ' ' ? '\\s+' : `${ch}\\p{M}*`)).join('');
}
// Longest first, so `annulee` is tried before `annule`.
const W = `(${[...TITLE_WORDS]
  .sort((a, b) => b.length - a.length)
  .map(rawPattern)
  .join('|')})`;
/** `Abgesagt: X`, `ANNULÉ : X`, `[CANCELLED] X`, `+++ ABGESAGT +++ X`: a word alone is no prefix. */
const PREFIX_RE = new RegExp(
  `^\\s*(?:[\\[(]\\s*${W}!?\\s*[\\])]|\\+{2,}\\s*${W}!?\\s*\\+{2,}|${W}!?\\s*[:\\-–—|!]+)\\s*`,
  'iu',
);
/** `X (abgesagt)`, `X [CANCELLED]`, `X – ABGESAGT`. */
const SUFFIX_RE = new RegExp(`\\s+(?:[-–—|:]\\s*${W}!?|[\\[(]\\s*${W}!?\\s*[\\])])\\s*$`, 'iu');

/**
 * How far into the title a status word can sit: the longest word plus brackets or `+++`. Only when
 * the folded head or tail holds one are the (slow, Unicode case-insensitive) patterns run.
 */
const EDGE = Math.max(...TITLE_WORDS.map((w) => w.length)) + 8;
const TITLE_WORD_SET = new Set(TITLE_WORDS);
/** True when a word or a pair of words (`fallt aus`) of the folded text is a title status word. */
function mayHold(edge: string): boolean {
  const words = foldKey(edge).split(' ');
  return words.some((w, i) => TITLE_WORD_SET.has(w) || TITLE_WORD_SET.has(`${w} ${words[i + 1] ?? ''}`));
}

const SEVERITY: Readonly<Record<Status, number>> = { scheduled: 0, postponed: 1, cancelled: 2 };

/** The status a source's status value names; null when it names none this table knows. */
export function statusOf(value: string | null | undefined): Status | null {
  if (!value) return null;
  const short = value.trim().replace(/^https?:\/\/schema\.org\//i, '');
  return WORDS[foldKey(short)] ?? null;
}

/**
 * Resolves the status: the source's status value and a status word leading or closing the title
 * (which is stripped). When they disagree the graver one wins (cancelled over postponed over
 * scheduled): a title edited to `ABGESAGT: …` is newer news than a stale `EventScheduled`.
 * Unknown or missing values are `scheduled`.
 */
export function resolveStatus(draftStatus: string | null, title: string): StatusResult {
  // Decomposed, so that the folded words' patterns match accented spellings.
  let clean = title.normalize('NFD');
  let fromTitle: Status | null = null;
  // Marks add code units: twice the edge covers every accented spelling of the words.
  const head = clean.slice(0, 2 * EDGE);
  const tailStart = Math.max(0, clean.length - 2 * EDGE);
  const prefix = mayHold(head) ? PREFIX_RE.exec(clean) : null;
  const suffix = prefix || !mayHold(clean.slice(tailStart)) ? null : SUFFIX_RE.exec(clean.slice(tailStart));
  if (prefix && prefix[0].length < clean.length) {
    fromTitle = statusOf(prefix.slice(1).find((g) => g !== undefined));
    clean = clean.slice(prefix[0].length);
  } else if (suffix && tailStart + suffix.index > 0) {
    fromTitle = statusOf(suffix.slice(1).find((g) => g !== undefined));
    clean = clean.slice(0, tailStart + suffix.index);
  }
  const fromStatus = statusOf(draftStatus);
  const candidates = [fromStatus, fromTitle].filter((s): s is Status => s !== null);
  const status = candidates.reduce<Status>((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a), 'scheduled');
  return { status, title: collapseSpace(clean.normalize('NFC')) };
}
