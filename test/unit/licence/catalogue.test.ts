// The SPDX list for completion and the descriptions for hover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeLicence, spdxLicenceList } from '../../../language-server/src/engine/licence';

void test('spdxLicenceList has every current and deprecated id with names', () => {
  const list = spdxLicenceList();
  assert.ok(list.length > 600);
  const mit = list.find((l) => l.id === 'MIT')!;
  assert.deepEqual(mit, { id: 'MIT', name: 'MIT License', deprecated: false, osi: true });
  assert.equal(list.find((l) => l.id === 'GPL-3.0')!.deprecated, true);
  assert.equal(new Set(list.map((l) => l.id)).size, list.length);
});

void test('describeLicence spells out Creative Commons terms', () => {
  const info = describeLicence('CC-BY-NC-SA-4.0')!;
  assert.equal(info.name, 'Creative Commons Attribution Non Commercial Share Alike 4.0 International');
  assert.match(info.summary!, /Attribution, NonCommercial, ShareAlike/);
  assert.match(describeLicence('CC-BY-ND-4.0')!.summary!, /Attribution, NoDerivatives/);
  assert.match(describeLicence('CC0-1.0')!.summary!, /Public-domain/);
});

void test('describeLicence accepts any case and +, and names successors of deprecated ids', () => {
  const info = describeLicence('gpl-3.0+')!;
  assert.equal(info.id, 'GPL-3.0');
  assert.equal(info.deprecated, true);
  assert.equal(info.successor, 'GPL-3.0-or-later');
  assert.equal(describeLicence('MIT')!.osi, true);
  assert.equal(describeLicence('LicenseRef-Acme')!.name, 'Custom licence (LicenseRef)');
  assert.equal(describeLicence('no-such-licence'), undefined);
  assert.equal(describeLicence(undefined as unknown as string), undefined);
});
