// The --resolve grammar (curl's host:port:address, plus an optional target port): what it accepts,
// how it prints, and that bad specs fail with a usage error naming the spec.

import { describe, expect, test } from 'vitest';
import { ExitCode, UsageError } from '../../src/errors.js';
import { findResolveOverride, formatResolveOverride, parseResolveOverride, parseResolveOverrides } from '../../src/azure/resolve-override.js';

describe('--resolve host:port:address[:port]', () => {
  test('parses the curl form and the form with a target port; prints them back', () => {
    const curl = parseResolveOverride('Contoso-HC.servicebus.windows.net:443:127.0.0.1');
    expect(curl).toEqual({ host: 'contoso-hc.servicebus.windows.net', port: 443, address: '127.0.0.1', toPort: 443 });
    expect(formatResolveOverride(curl)).toBe('contoso-hc.servicebus.windows.net:443:127.0.0.1');
    const mapped = parseResolveOverride('ns.servicebus.windows.net:443:[::1]:40123');
    expect(mapped).toEqual({ host: 'ns.servicebus.windows.net', port: 443, address: '::1', toPort: 40123 });
    expect(formatResolveOverride(mapped)).toBe('ns.servicebus.windows.net:443:[::1]:40123');
    expect(findResolveOverride([curl, mapped], 'NS.servicebus.windows.net.', 443)).toBe(mapped);
    expect(findResolveOverride([curl, mapped], 'ns.servicebus.windows.net', 80)).toBeUndefined();
  });

  test.each([
    ['no address', 'ns.servicebus.windows.net:443'],
    ['a name as the address', 'ns.servicebus.windows.net:443:localhost'],
    ['an octet above 255', 'ns.servicebus.windows.net:443:127.0.0.300'],
    ['port 0', 'ns.servicebus.windows.net:0:127.0.0.1'],
    ['target port above 65535', 'ns.servicebus.windows.net:443:127.0.0.1:70000'],
    ['a scheme', 'wss://ns.servicebus.windows.net:443:127.0.0.1'],
  ])('refuses %s with a usage error naming the spec', (_why, spec) => {
    let error: unknown;
    try {
      parseResolveOverride(spec);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(ExitCode.Usage);
    expect((error as Error).message).toContain(`--resolve ${spec}:`);
  });

  test('refuses two mappings for the same host:port', () => {
    expect(() => parseResolveOverrides(['a.example.net:443:127.0.0.1', 'A.example.net:443:127.0.0.1:9'])).toThrow(/a\.example\.net:443 is mapped twice/);
  });
});
