// Reads JUnit XML with a standard XML parser (fast-xml-parser) and checks the structure CI JUnit
// readers rely on (junit-10: testsuites > testsuite > testcase, totals that agree). Test helper.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect } from 'vitest';

export interface Case { '@_name': string; '@_classname': string; '@_time': string; failure?: unknown; error?: unknown; skipped?: unknown }
export interface Suite { '@_name': string; '@_tests': string; '@_failures': string; '@_errors': string; '@_skipped': string; testcase: Case[] }

/** Parses JUnit XML the way a reader does and checks the structure every reader expects. */
export function readJUnit(xml: string): { suites: Suite[]; tests: number; failures: number; errors: number } {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(xml) as {
    testsuites: { '@_tests': string; '@_failures': string; '@_errors': string; testsuite?: Suite[] };
  };
  const suites = doc.testsuites.testsuite ?? [];
  for (const suite of suites) {
    const cases = suite.testcase ?? [];
    expect(Number(suite['@_tests'])).toBe(cases.length);
    expect(Number(suite['@_failures'])).toBe(cases.filter((c) => c.failure !== undefined).length);
    expect(Number(suite['@_errors'])).toBe(cases.filter((c) => c.error !== undefined).length);
    for (const c of cases) {
      expect(c['@_name']).not.toBe('');
      expect(c['@_classname']).not.toBe('');
      expect(Number.isFinite(Number(c['@_time']))).toBe(true);
    }
  }
  const total = (key: '@_tests' | '@_failures' | '@_errors') => suites.reduce((a, s) => a + Number(s[key]), 0);
  expect(Number(doc.testsuites['@_tests'])).toBe(total('@_tests'));
  expect(Number(doc.testsuites['@_failures'])).toBe(total('@_failures'));
  return { suites, tests: total('@_tests'), failures: total('@_failures'), errors: total('@_errors') };
}

