// Headless Chromium for the HTML report tests (playwright-core driving the Debian chromium that
// .ci/run installs): one place for its path and launch flags (offline: no background networking,
// no component updates, no sync).

import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where .ci/run installs Chromium. */
export const CHROMIUM = '/usr/bin/chromium';

/** True when the browser tests can run (they are skipped, and say so, otherwise). */
export const hasChromium = existsSync(CHROMIUM);

/** Launches headless Chromium with network-quiet flags; close it in afterAll. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    timeout: 30_000,
  });
}
