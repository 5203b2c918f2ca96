import { ANY, NO_STREAM, STREAM_EXISTS } from '@eventstore/db-client';
import { expect, it } from 'vitest';
import { fromEsdbRevision, toEsdbExpectedRevision } from './esdb-store.ts';

it('maps expected revisions to EventStoreDB and back', () => {
  expect(toEsdbExpectedRevision('any')).toBe(ANY);
  expect(toEsdbExpectedRevision('no_stream')).toBe(NO_STREAM);
  expect(toEsdbExpectedRevision(-1)).toBe(NO_STREAM);
  expect(toEsdbExpectedRevision('stream_exists')).toBe(STREAM_EXISTS);
  expect(toEsdbExpectedRevision(0)).toBe(0n);
  expect(toEsdbExpectedRevision(41)).toBe(41n);
  expect(fromEsdbRevision(NO_STREAM)).toBe(-1);
  expect(fromEsdbRevision(0n)).toBe(0);
  expect(fromEsdbRevision(41n)).toBe(41);
});
