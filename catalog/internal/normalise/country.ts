/**
 * Countries as sources write them (an ISO code, an English or native name, a name in another
 * European language) to ISO 3166-1 alpha-2, and each country's currency. Tables built once.
 */
import { countries, getCountryDataList } from 'countries-list';
import { foldKey } from './fold.ts';

/**
 * Names `countries-list` lacks: the catalogue's languages (de, fr, es, it, nl, en) for the
 * countries its sources cover, plus the usual informal names.
 */
const EXTRA_NAMES: Record<string, readonly string[]> = {
  DE: ['Allemagne', 'Alemania', 'Germania', 'Duitsland', 'Bundesrepublik Deutschland', 'BRD'],
  FR: ['Frankreich', 'Francia', 'Frankrijk'],
  ES: ['Spanien', 'Espagne', 'Spagna', 'Spanje', 'Espana'],
  IT: ['Italien', 'Italie', 'Italië'],
  GB: [
    'UK',
    'U.K.',
    'England',
    'Scotland',
    'Wales',
    'Northern Ireland',
    'Vereinigtes Königreich',
    'Großbritannien',
    'Royaume-Uni',
    'Grande-Bretagne',
    'Angleterre',
    'Reino Unido',
    'Gran Bretaña',
    'Regno Unito',
    'Inghilterra',
    'Verenigd Koninkrijk',
    'Groot-Brittannië',
    'Engeland',
  ],
  US: ['U.S.', 'U.S.A.', 'Vereinigte Staaten', 'États-Unis', 'Estados Unidos', 'Stati Uniti'],
  AT: ['Autriche', 'Austria', 'Oostenrijk'],
  CH: ['Schweiz', 'Suisse', 'Svizzera', 'Suiza', 'Zwitserland', 'Confoederatio Helvetica'],
  NL: ['Niederlande', 'Pays-Bas', 'Países Bajos', 'Paesi Bassi', 'Holland', 'Olanda', 'Holanda'],
  BE: ['Belgien', 'Belgique', 'Bélgica', 'Belgio', 'België'],
  PT: ['Portugal', 'Portogallo'],
  IE: ['Irland', 'Irlande', 'Irlanda', 'Ierland'],
  LU: ['Luxemburg', 'Luxembourg', 'Luxemburgo', 'Lussemburgo'],
  DK: ['Dänemark', 'Danemark', 'Dinamarca', 'Danimarca', 'Denemarken'],
  SE: ['Schweden', 'Suède', 'Suecia', 'Svezia', 'Zweden'],
  NO: ['Norwegen', 'Norvège', 'Noruega', 'Norvegia', 'Noorwegen'],
  FI: ['Finnland', 'Finlande', 'Finlandia', 'Finland'],
  PL: ['Polen', 'Pologne', 'Polonia'],
  CZ: ['Tschechien', 'Tchéquie', 'République tchèque', 'Chequia', 'República Checa', 'Cechia', 'Tsjechië'],
  GR: ['Griechenland', 'Grèce', 'Grecia', 'Griekenland'],
  HU: ['Ungarn', 'Hongrie', 'Hungría', 'Ungheria', 'Hongarije'],
};

/**
 * Where `countries-list` gives several currencies, the one prices are written in (it lists CHF,
 * CHE and CHW for Switzerland, USD and USN for the USA).
 */
const CURRENCY_OVERRIDES: Record<string, string> = { CH: 'CHF', US: 'USD' };

const BY_KEY = new Map<string, string>();
const CURRENCY = new Map<string, string>();

for (const c of getCountryDataList()) {
  const names = [c.iso2, c.iso3, c.name, c.native, ...((c as { alias?: string[] }).alias ?? [])];
  for (const n of names) {
    const k = foldKey(n);
    if (k && !BY_KEY.has(k)) BY_KEY.set(k, c.iso2);
  }
  const cur = CURRENCY_OVERRIDES[c.iso2] ?? c.currency[0];
  if (cur) CURRENCY.set(c.iso2, cur);
}
for (const [code, names] of Object.entries(EXTRA_NAMES)) {
  // The informal names win over codes that happen to collide (`UK` is no ISO code, but keep it GB).
  for (const n of names) BY_KEY.set(foldKey(n), code);
}

/** ISO-2 for a country code (alpha-2 or alpha-3) or name in several languages; null if unknown. */
export function parseCountry(text: string | null | undefined): string | null {
  if (!text) return null;
  return BY_KEY.get(foldKey(text)) ?? null;
}

/** The ISO 4217 currency a country's prices are written in, or null for an unknown code. */
export function countryCurrency(iso2: string | null | undefined): string | null {
  return iso2 ? (CURRENCY.get(iso2.toUpperCase()) ?? null) : null;
}

/** True when the code is an ISO 3166-1 alpha-2 code `countries-list` knows. */
export const isCountryCode = (code: string): boolean => code in countries;
