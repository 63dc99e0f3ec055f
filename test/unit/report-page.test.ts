import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { catalogIds, renderReportPage, verdictOf, type PageFeature } from '../../support/report-page';

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'report', 'cucumber.json'), 'utf8')) as PageFeature[];

test('the page names no external resource: everything it shows is in the file', () => {
  const html = renderReportPage({ title: 't', metadata: { a: 'b' }, features: fixture });
  assert.equal(/(src|href)="(https?:)?\/\//i.test(html), false);
  assert.equal(/<script/i.test(html), false);
  assert.match(html, /default-src 'none'/);
});

test('verdicts: a failed step or hook fails the scenario, a skipped one skips it', () => {
  const [passing] = fixture[0].elements ?? [];
  const [failing, skipped] = fixture[1].elements ?? [];
  assert.deepEqual([verdictOf(passing), verdictOf(failing), verdictOf(skipped)], ['passed', 'failed', 'skipped']);
});

test('catalog ids come from the Catalog paragraph only', () => {
  assert.deepEqual(catalogIds('Rule.\n\n  Catalog: T1.5 (as T2.10 does), T3.4; README examples 3 and 7\n\n  T9.9'), ['T1.5', 'T3.4', 'README 3', 'README 7']);
  assert.deepEqual(catalogIds('Catalog: no catalog id (T3.12 has no source)'), []);
});

test('text from a run is escaped, never markup', () => {
  const html = renderReportPage({ title: '<b>x</b>', metadata: {}, features: [{ name: '<script>alert(1)</script>', tags: [{ name: '@tier1' }], elements: [] }] });
  assert.equal(html.includes('<script>alert(1)</script>'), false);
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
});
