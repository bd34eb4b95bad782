import { expect, test } from 'vitest';
import { sumCounters } from '../../src/paths/relay.js';

test('agent instances: numbers summed key by key, lists (setup stamps) joined, histogram records kept from the first', () => {
  const record = { encoded: 'x', count: 1 };
  const first = { accepted: 2, timing: { setups: 1 }, setupStamps: [{ id: 'a' }], releaseLateness: record };
  const second = { accepted: 3, timing: { setups: 4 }, setupStamps: [{ id: 'b' }, { id: 'c' }], releaseLateness: { encoded: 'y', count: 2 } };
  expect(sumCounters([first, second])).toEqual({ accepted: 5, timing: { setups: 5 }, setupStamps: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], releaseLateness: record });
});
