import { describe, expect, it } from 'vitest';
import { resolveStatus, statusOf } from './status.ts';

describe('resolveStatus', () => {
  it('reads schema.org eventStatus as URL or short name', () => {
    const cases: [string, string][] = [
      ['https://schema.org/EventCancelled', 'cancelled'],
      ['http://schema.org/EventPostponed', 'postponed'],
      ['EventPostponed', 'postponed'],
      ['https://schema.org/EventRescheduled', 'scheduled'],
      ['EventScheduled', 'scheduled'],
      ['https://schema.org/EventMovedOnline', 'scheduled'],
    ];
    for (const [value, status] of cases) expect(resolveStatus(value, 'X')).toEqual({ status, title: 'X' });
  });

  it('reads iCal STATUS values (B3)', () => {
    expect(resolveStatus('CANCELLED', 'Schwanensee')).toEqual({ status: 'cancelled', title: 'Schwanensee' });
    expect(resolveStatus('TENTATIVE', 'Schwanensee').status).toBe('scheduled');
    expect(resolveStatus('CONFIRMED', 'Schwanensee').status).toBe('scheduled');
  });

  it('reads status wording in several languages (M5)', () => {
    const cases: [string, string][] = [
      ['Cancelado', 'cancelled'],
      ['suspendido', 'cancelled'],
      ['aplazado', 'postponed'],
      ['abgesagt', 'cancelled'],
      ['entfällt', 'cancelled'],
      ['fällt aus', 'cancelled'],
      ['verschoben', 'postponed'],
      ['annulé', 'cancelled'],
      ['Reporté', 'postponed'],
      ['canceled', 'cancelled'],
      ['Postponed', 'postponed'],
    ];
    for (const [value, status] of cases)
      expect(resolveStatus(value, 'Flamenco en Casa Patas').status).toBe(status);
  });

  it('strips a status prefix from the title and takes its status (P5)', () => {
    expect(resolveStatus(null, 'ANNULÉ : Orchestre de Paris – Ravel')).toEqual({
      status: 'cancelled',
      title: 'Orchestre de Paris – Ravel',
    });
    expect(resolveStatus(null, 'Abgesagt: Schwanensee')).toEqual({
      status: 'cancelled',
      title: 'Schwanensee',
    });
    expect(resolveStatus(null, 'VERSCHOBEN - Lesung mit Musik')).toEqual({
      status: 'postponed',
      title: 'Lesung mit Musik',
    });
    expect(resolveStatus(null, '[CANCELLED] Stand-up Showcase')).toEqual({
      status: 'cancelled',
      title: 'Stand-up Showcase',
    });
    expect(resolveStatus(null, '+++ ENTFÄLLT +++ Führung')).toEqual({
      status: 'cancelled',
      title: 'Führung',
    });
    expect(resolveStatus(null, 'Reportée ! Soirée stand-up')).toEqual({
      status: 'postponed',
      title: 'Soirée stand-up',
    });
  });

  it('strips a status suffix from the title', () => {
    expect(resolveStatus(null, 'Carmen (cancelado)')).toEqual({ status: 'cancelled', title: 'Carmen' });
    expect(resolveStatus(null, 'Schwanensee – ABGESAGT')).toEqual({
      status: 'cancelled',
      title: 'Schwanensee',
    });
  });

  it('leaves titles that merely contain a status word alone', () => {
    expect(resolveStatus(null, 'Cancelled Plans')).toEqual({ status: 'scheduled', title: 'Cancelled Plans' });
    expect(resolveStatus(null, 'Die Abgesagte Hochzeit')).toEqual({
      status: 'scheduled',
      title: 'Die Abgesagte Hochzeit',
    });
    expect(resolveStatus(null, 'Abgesagt:')).toEqual({ status: 'scheduled', title: 'Abgesagt:' });
  });

  it('lets the graver of status value and title win', () => {
    expect(resolveStatus('EventScheduled', 'Abgesagt: Konzert').status).toBe('cancelled');
    expect(resolveStatus('EventCancelled', 'Verschoben: Konzert').status).toBe('cancelled');
    expect(resolveStatus('EventPostponed', 'Konzert').status).toBe('postponed');
  });

  it('treats unknown or missing values as scheduled and collapses title whitespace', () => {
    expect(resolveStatus('SomethingElse', '  Le   Misanthrope ')).toEqual({
      status: 'scheduled',
      title: 'Le Misanthrope',
    });
    expect(statusOf(null)).toBeNull();
    expect(statusOf('whatever')).toBeNull();
  });
});
