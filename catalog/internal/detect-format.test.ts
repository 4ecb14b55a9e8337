import { describe, expect, it } from 'vitest';
import { detectFormat } from './detect-format.ts';

const ICS = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n';
const JSONLD = '{"@context":"https://schema.org","@type":"Event","name":"Carmen"}';
const HTML_LD = '<div><script type="application/ld+json">{"@context":"https://schema.org"}</script></div>';

const doc = (body: string, contentType: string | null = null, location: string | null = null) => ({
  body,
  contentType,
  location,
});

describe('detectFormat', () => {
  it.each([
    ['text/calendar; charset=utf-8', 'ics'],
    ['TEXT/CALENDAR', 'ics'],
    ['text/html; charset=ISO-8859-1', 'jsonld'],
    ['application/ld+json', 'jsonld'],
    ['application/json', 'json'],
    ['application/vnd.api+json', 'json'],
    ['text/csv; header=present', 'csv'],
  ] as const)('reads the Content-Type %j as %s', (contentType, format) => {
    expect(detectFormat(doc('', contentType))).toBe(format);
  });

  it('prefers the Content-Type over a contradicting extension', () => {
    expect(detectFormat(doc('', 'text/calendar', 'https://x.test/export.csv'))).toBe('ics');
  });

  it.each([
    ['https://x.test/agenda.ics', 'ics'],
    ['https://x.test/agenda.ICAL?token=1', 'ics'],
    ['https://x.test/kalender.html#top', 'jsonld'],
    ['catalog/fixtures/madrid-agenda.htm', 'jsonld'],
    ['/srv/feeds/events.jsonld', 'jsonld'],
    ['file:///srv/feeds/api.json', 'json'],
    ['C:\\feeds\\export.csv', 'csv'],
  ] as const)('reads the extension of %s as %s', (location, format) => {
    expect(detectFormat(doc('', null, location))).toBe(format);
    expect(detectFormat(doc('', 'application/octet-stream', location))).toBe(format);
    expect(detectFormat(doc('', 'text/plain', location))).toBe(format);
  });

  it('ignores a dot in the host or query when the path has no extension', () => {
    expect(detectFormat(doc('', null, 'https://events.ics.test/feed?f=x.csv'))).toBeNull();
  });

  it('sniffs an iCalendar body', () => {
    expect(detectFormat(doc(`\r\n  ${ICS}`))).toBe('ics');
    expect(detectFormat(doc('begin:vcalendar\nEND:VCALENDAR'))).toBe('ics');
  });

  it.each([
    ['<!DOCTYPE html><html><body></body></html>'],
    ['\n<html lang="de"><head></head></html>'],
    [HTML_LD],
    ["<p>x</p><script type='application/ld+json'>{}</script>"],
    ['<p>x</p><script id="ld" type=application/ld+json>{}</script>'],
  ])('sniffs HTML as jsonld: %s', (body) => {
    expect(detectFormat(doc(body))).toBe('jsonld');
  });

  it('sniffs JSON objects and arrays', () => {
    expect(detectFormat(doc('{"events":[]}'))).toBe('json');
    expect(detectFormat(doc('  [{"id":1}]'))).toBe('json');
  });

  it('recognises schema.org JSON-LD however the JSON was identified', () => {
    expect(detectFormat(doc(JSONLD))).toBe('jsonld');
    expect(detectFormat(doc(`[${JSONLD}]`, 'application/json'))).toBe('jsonld');
    expect(detectFormat(doc(JSONLD, null, 'https://x.test/events.json'))).toBe('jsonld');
  });

  it('keeps JSON with an @context that is not schema.org as json', () => {
    expect(detectFormat(doc('{"@context":"https://www.w3.org/ns/activitystreams"}'))).toBe('json');
  });

  it('sniffs comma- and semicolon-separated values with matching delimiter counts', () => {
    expect(detectFormat(doc('id,title,start\n1,Carmen,2027-04-15\n'))).toBe('csv');
    expect(detectFormat(doc('id;título;fecha\r\nM1;Carmen;15/04/2027\r\n'))).toBe('csv');
  });

  it('counts only delimiters outside quoted fields', () => {
    expect(detectFormat(doc('id;title;price\nM1;"Carmen; Bizet";"15,50"\n'))).toBe('csv');
    expect(detectFormat(doc('id,title\n1,"a,b"\n'))).toBeNull();
  });

  it.each([
    ['a,b\n1,2\n', 'one delimiter only'],
    ['a,b,c\n1,2\n', 'second line differs'],
    ['a,b,c', 'a single line'],
    ['a,b;c\n1,2;3', 'two different delimiters, one each'],
    ['Just some prose, with commas, here.', 'prose'],
    ['', 'empty'],
  ])('finds no format in %j (%s)', (body) => {
    expect(detectFormat(doc(body))).toBeNull();
  });
});
