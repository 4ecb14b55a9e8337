import { describe, expect, it } from 'vitest';
import { ListingDraft, NormalisedListing, type ListingDraftInput, type RawListing } from '../listing.ts';
import { normaliseListing } from './normalise-listing.ts';

const raw = (draft: ListingDraftInput, over: Partial<RawListing> = {}): RawListing => ({
  source: 'test-source',
  sourceId: 'id-1',
  fetchedAt: 1_800_000_000_000,
  payloadHash: 'hash-1',
  priority: 5,
  payload: ListingDraft.parse(draft),
  ...over,
});

const philharmonie = {
  name: 'Philharmonie Berlin',
  address: 'Herbert-von-Karajan-Str. 1, 10785 Berlin',
  city: 'Berlin',
  country: 'DE',
  lat: 52.5098,
  lon: 13.37,
};
const aTrane = { name: 'A-Trane', address: 'Pestalozzistraße 105, 10625 Berlin', lat: 52.5063, lon: 13.3185 };
const cineDore = {
  name: 'Cine Doré',
  address: 'Calle de Santa Isabel 3, 28012 Madrid',
  city: 'Madrid',
  country: 'ES',
  lat: 40.4115,
  lon: -3.6989,
};

function ok(draft: ListingDraftInput) {
  const r = normaliseListing(raw(draft));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.listing;
}

describe('normaliseListing on the fixture world', () => {
  it('B1: the Philharmoniker concert on the day of the DST switch, in full', () => {
    const listing = ok({
      title: '  Berliner Philharmoniker:   Mahler 5 ',
      start: '2027-03-28T20:00:00',
      end: '2027-03-28T22:00:00',
      timezone: 'Europe/Berlin',
      venue: philharmonie,
      categories: ['Konzert', 'Klassik'],
      priceText: '35–120 EUR',
      status: 'CONFIRMED',
      url: 'https://example.org/b1',
      language: 'de',
    });
    expect(NormalisedListing.safeParse(listing).success).toBe(true);
    expect(listing).toEqual({
      source: 'test-source',
      sourceId: 'id-1',
      payloadHash: 'hash-1',
      priority: 5,
      url: 'https://example.org/b1',
      localDate: '2027-03-28',
      unmappedTerms: [],
      missingCoordinates: false,
      event: {
        title: 'Berliner Philharmoniker: Mahler 5',
        category: 'music',
        subcategory: 'classical',
        startsAt: '2027-03-28T18:00:00.000Z',
        endsAt: '2027-03-28T20:00:00.000Z',
        timezone: 'Europe/Berlin',
        venue: {
          name: 'Philharmonie Berlin',
          address: 'Herbert-von-Karajan-Str. 1, 10785 Berlin',
          lat: 52.5098,
          lon: 13.37,
        },
        city: 'Berlin',
        country: 'DE',
        price: { min: 35, max: 120, currency: 'EUR', isFree: false },
        status: 'scheduled',
        url: 'https://example.org/b1',
        performers: ['Berliner Philharmoniker'],
      },
    });
  });

  it('B2: the chamber-music matinee has no performer from its title', () => {
    const l = ok({
      title: 'Kammermusik: Schubert-Quintett',
      start: '2027-03-28T11:00:00',
      timezone: 'Europe/Berlin',
      venue: philharmonie,
      categories: ['Kammermusik'],
      offers: [{ price: 25, currency: 'EUR' }],
    });
    expect(l.event).toMatchObject({
      startsAt: '2027-03-28T09:00:00.000Z',
      endsAt: null,
      subcategory: 'classical',
    });
    expect(l.event.performers).toEqual([]);
    expect(l.event.price).toEqual({ min: 25, max: 25, currency: 'EUR', isFree: false });
  });

  it('B3: a cancelled ballet (iCal STATUS)', () => {
    const l = ok({
      title: 'Schwanensee',
      start: '2027-03-30T19:30:00',
      timezone: 'Europe/Berlin',
      venue: {
        name: 'Staatsoper Unter den Linden',
        address: 'Unter den Linden 7, 10117 Berlin',
        lat: 52.5168,
        lon: 13.3955,
      },
      categories: ['Ballett'],
      priceText: '40–150 EUR',
      status: 'CANCELLED',
    });
    expect(l.event).toMatchObject({
      startsAt: '2027-03-30T17:30:00.000Z',
      category: 'dance',
      subcategory: 'ballet',
      status: 'cancelled',
      city: 'Berlin',
      country: 'DE',
    });
  });

  it('B4, B5: a free tour and an all-day exhibition at the Alte Nationalgalerie', () => {
    const venue = {
      name: 'Alte Nationalgalerie',
      address: 'Bodestraße 1-3, 10178 Berlin',
      city: 'Berlin',
      lat: 52.5208,
      lon: 13.3981,
    };
    const tour = ok({
      title: 'Führung: Meisterwerke der Romantik',
      start: '2027-04-11T11:00:00',
      end: '2027-04-11T12:00:00',
      timezone: 'Europe/Berlin',
      venue,
      categories: ['Führung'],
      priceText: 'kostenlos',
    });
    expect(tour.event).toMatchObject({
      startsAt: '2027-04-11T09:00:00.000Z',
      category: 'talk',
      subcategory: 'tour',
      performers: [],
    });
    expect(tour.event.price).toEqual({ min: 0, max: 0, currency: 'EUR', isFree: true });
    const show = ok({
      title: 'Caspar David Friedrich – Unendliche Landschaften',
      start: '2027-03-01',
      end: '2027-08-01',
      allDay: true,
      timezone: 'Europe/Berlin',
      venue,
      categories: ['Ausstellung'],
      offers: [{ price: '14', currency: 'EUR' }],
    });
    expect(show.event).toMatchObject({
      startsAt: '2027-02-28T23:00:00.000Z',
      endsAt: '2027-08-01T22:00:00.000Z',
      category: 'exhibition',
      subcategory: 'art',
    });
    expect(show.localDate).toBe('2027-03-01');
  });

  it('B6, B7: the two A-Trane nights, city from the address, either side of the switch', () => {
    const b6 = ok({
      title: 'Trio Nocturne – Jazz im A-Trane',
      start: '2027-03-27T21:30:00',
      timezone: 'Europe/Berlin',
      venue: aTrane,
      categories: ['Jazz'],
      priceText: 'ab 19,00 €',
    });
    const b7 = ok({
      title: 'Trio Nocturne – Jazz im A-Trane',
      start: '2027-03-28T21:30:00',
      timezone: 'Europe/Berlin',
      venue: aTrane,
      categories: ['Jazz'],
      offers: [{ lowPrice: 19, highPrice: 25, currency: 'EUR' }],
    });
    expect([b6.event.startsAt, b7.event.startsAt]).toEqual([
      '2027-03-27T20:30:00.000Z',
      '2027-03-28T19:30:00.000Z',
    ]);
    expect([b6.localDate, b7.localDate]).toEqual(['2027-03-27', '2027-03-28']);
    expect(b6.event.price).toEqual({ min: 19, max: 19, currency: 'EUR', isFree: false });
    expect(b7.event.price).toEqual({ min: 19, max: 25, currency: 'EUR', isFree: false });
    expect(b6.event).toMatchObject({
      city: 'Berlin',
      country: 'DE',
      category: 'music',
      subcategory: 'jazz',
      performers: ['Trio Nocturne'],
    });
  });

  it('P1, P4, P5: Paris — a floating time, an offset time, a cancelled-by-title concert', () => {
    const p1 = ok({
      title: 'Le Misanthrope',
      start: '2027-04-02T20:30:00',
      timezone: 'Europe/Paris',
      venue: {
        name: 'Comédie-Française – Salle Richelieu',
        address: '1 Place Colette, 75001 Paris',
        lat: 48.8634,
        lon: 2.3364,
      },
      categories: ['Théâtre'],
      priceText: '15 – 45 €',
      language: 'fr',
    });
    expect(p1.event).toMatchObject({
      startsAt: '2027-04-02T18:30:00.000Z',
      category: 'theatre',
      subcategory: 'drama',
      city: 'Paris',
      country: 'FR',
      timezone: 'Europe/Paris',
    });
    const p4 = ok({
      title: 'Soirée stand-up au Point Virgule',
      start: '2027-04-09T21:00:00+02:00',
      venue: {
        name: 'Le Point Virgule',
        address: '7 Rue Sainte-Croix de la Bretonnerie, 75004 Paris',
        city: 'Paris',
        country: 'France',
        lat: 48.8577,
        lon: 2.355,
      },
      categories: ['ComedyEvent', 'Stand-up'],
      offers: [{ price: '20', currency: 'EUR' }],
      status: 'https://schema.org/EventPostponed',
    });
    expect(p4.event).toMatchObject({
      startsAt: '2027-04-09T19:00:00.000Z',
      category: 'comedy',
      subcategory: 'stand-up',
      status: 'postponed',
      timezone: 'Europe/Paris',
    });
    const p5 = ok({
      title: 'ANNULÉ : Orchestre de Paris – Ravel',
      start: '2027-04-20T20:00:00',
      timezone: 'Europe/Paris',
      venue: {
        name: 'Philharmonie de Paris',
        address: '221 Avenue Jean-Jaurès, 75019 Paris',
        lat: 48.8918,
        lon: 2.394,
      },
      categories: ['concert classique'],
      priceText: '30-90 EUR',
      language: 'fr',
    });
    expect(p5.event).toMatchObject({
      title: 'Orchestre de Paris – Ravel',
      status: 'cancelled',
      startsAt: '2027-04-20T18:00:00.000Z',
      performers: ['Orchestre de Paris'],
    });
  });

  it('P2, P3: Paris all-day listings, the festival free', () => {
    const p2 = ok({
      title: "Matisse, l'atelier rouge",
      start: '2027-03-10',
      end: '2027-06-20',
      allDay: true,
      timezone: 'Europe/Paris',
      venue: {
        name: "Musée d'Orsay",
        address: "1 Rue de la Légion d'Honneur, 75007 Paris",
        lat: 48.86,
        lon: 2.3266,
      },
      categories: ['exposition'],
      priceText: '16 €',
    });
    expect(p2.event).toMatchObject({
      startsAt: '2027-03-09T23:00:00.000Z',
      endsAt: '2027-06-20T22:00:00.000Z',
      category: 'exhibition',
      subcategory: 'art',
    });
    const p3 = ok({
      title: 'Le Printemps des Poètes : lectures au jardin',
      start: '2027-03-13',
      end: '2027-03-15',
      venue: { name: 'Jardin du Luxembourg', address: '75006 Paris', lat: 48.8462, lon: 2.3372 },
      categories: ['Festival', 'Lecture', 'Poésie'],
      priceText: 'gratuit',
      language: 'fr',
    });
    expect(p3.event).toMatchObject({
      startsAt: '2027-03-12T23:00:00.000Z',
      endsAt: '2027-03-15T23:00:00.000Z',
      category: 'festival',
      subcategory: 'literature',
      timezone: 'Europe/Paris',
    });
    expect(p3.event.price).toEqual({ min: 0, max: 0, currency: 'EUR', isFree: true });
  });

  it('M1–M5: Madrid — opera, an exhibition without coordinates, the spring gap, the autumn overlap, a cancellation', () => {
    const m1 = ok({
      title: 'Carmen',
      start: '2027-04-15T19:30:00',
      timezone: 'Europe/Madrid',
      venue: {
        name: 'Teatro Real',
        address: 'Plaza de Isabel II s/n, 28013 Madrid',
        lat: 40.4184,
        lon: -3.7109,
      },
      categories: ['Ópera'],
      priceText: '15,50 - 120 €',
      language: 'es',
    });
    expect(m1.event).toMatchObject({
      startsAt: '2027-04-15T17:30:00.000Z',
      category: 'music',
      subcategory: 'opera',
      performers: [],
    });
    expect(m1.event.price).toEqual({ min: 15.5, max: 120, currency: 'EUR', isFree: false });
    const m2 = ok({
      title: 'Sorolla: luz del Mediterráneo',
      start: '2027-02-01',
      end: '2027-05-31',
      venue: { name: 'Museo del Prado', address: 'Calle de Ruiz de Alarcón 23, 28014 Madrid' },
      categories: ['Exposición'],
      priceText: '15 €',
    });
    expect(m2.event).toMatchObject({
      startsAt: '2027-01-31T23:00:00.000Z',
      endsAt: '2027-05-31T22:00:00.000Z',
      city: 'Madrid',
      country: 'ES',
      timezone: 'Europe/Madrid',
      venue: { lat: null, lon: null },
    });
    expect(m2.missingCoordinates).toBe(true);
    const m3 = ok({
      title: 'Maratón de cine nocturno',
      start: '2027-03-28T02:30:00',
      venue: cineDore,
      categories: ['Cine'],
      priceText: 'gratis',
    });
    expect(m3.event).toMatchObject({
      startsAt: '2027-03-28T01:30:00.000Z',
      category: 'cinema',
      subcategory: null,
    });
    expect(m3.event.price?.isFree).toBe(true);
    const m4 = ok({
      title: 'Sesión golfa: The Rocky Horror Picture Show',
      start: '2027-10-31T02:30:00',
      venue: cineDore,
      categories: ['Cine clásico'],
      priceText: '4,50 €',
    });
    expect(m4.event).toMatchObject({
      startsAt: '2027-10-31T00:30:00.000Z',
      subcategory: 'classic',
      price: { min: 4.5, max: 4.5 },
    });
    const m5 = ok({
      title: 'Flamenco en Casa Patas',
      start: '2027-04-16T22:00:00',
      venue: {
        name: 'Casa Patas',
        address: 'Calle de Cañizares 10, 28012 Madrid',
        city: 'Madrid',
        lat: 40.4124,
        lon: -3.7013,
      },
      categories: ['Flamenco'],
      priceText: '25 €',
      status: 'Cancelado',
    });
    expect(m5.event).toMatchObject({
      startsAt: '2027-04-16T20:00:00.000Z',
      category: 'dance',
      subcategory: 'flamenco',
      status: 'cancelled',
    });
  });

  it('L1: a London venue with no city, resolved from its coordinates, priced in pounds', () => {
    const l1 = ok({
      title: 'Stand-up Showcase',
      start: '2027-04-03T20:00:00',
      venue: { name: 'The Comedy Store', lat: 51.5099, lon: -0.1318 },
      categories: ['Stand-up', 'Immersive experience'],
      priceText: '£12.50',
    });
    expect(l1.event).toMatchObject({
      startsAt: '2027-04-03T19:00:00.000Z',
      city: 'London',
      country: 'GB',
      timezone: 'Europe/London',
      price: { min: 12.5, max: 12.5, currency: 'GBP', isFree: false },
    });
    expect(l1.unmappedTerms).toEqual(['immersive experience']);
  });
});

describe('normaliseListing refusals', () => {
  it('names the draft fields that fail', () => {
    const r = normaliseListing(raw({ title: '  ', start: '32/13/2027', venue: { name: 'Somewhere' } }));
    expect(r).toEqual({
      ok: false,
      errors: [
        { path: 'title', message: 'empty' },
        { path: 'venue.city', message: 'could not resolve a city' },
        { path: 'start', message: "not a date or date-time: '32/13/2027'" },
      ],
    });
  });

  it('refuses a local time when the venue and the draft give no zone', () => {
    const r = normaliseListing(raw({ title: 'X', start: '2027-04-02T20:30:00', venue: { name: 'Y' } }));
    expect(r).toEqual({
      ok: false,
      errors: [
        { path: 'venue.city', message: 'could not resolve a city' },
        { path: 'timezone', message: 'unknown for a local time' },
      ],
    });
  });

  it('refuses a venue with neither name nor address, and an end before the start', () => {
    expect(
      normaliseListing(raw({ title: 'X', start: '2027-04-02T20:30:00', venue: { city: 'Paris' } })),
    ).toEqual({
      ok: false,
      errors: [{ path: 'venue.name', message: 'no venue name or address' }],
    });
    const r = normaliseListing(
      raw({
        title: 'X',
        start: '2027-04-02T20:30:00',
        end: '2027-04-02T19:00:00',
        venue: { name: 'Y', city: 'Paris' },
      }),
    );
    expect(r).toMatchObject({ ok: false, errors: [{ path: 'end' }] });
  });

  it('uses the venue name’s address when the name is missing', () => {
    const l = ok({ title: 'X', start: '2027-04-02T20:30:00Z', venue: { address: '75006 Paris' } });
    expect(l.event.venue.name).toBe('75006 Paris');
  });
});
