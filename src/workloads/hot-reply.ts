// The generator's side of net/keep-hot.ts: while a reply is due on a path whose distance hcbench
// emulates, the driver keeps its process hot, so that its own wake-up after sitting idle for the
// whole round trip (50–90 µs on the 2-core VM, against ~15 µs awake) is not measured as distance.
// The window opens WARM_LEAD_US before the configured round trip has passed and closes when the
// reply arrives, or REPLY_SLACK_US after it was due (a reply queued in the system is then timed by
// an idle process again, as any client would).

import { isKeepHotEnabled, keepHotBetween, WARM_LEAD_US, type HotWindow } from '../net/keep-hot.js';
import { sharedNowUs } from '../net/shared-clock.js';

/** How long after its configured round trip a reply is still waited for hot, µs. */
export const REPLY_SLACK_US = 2000;

/** A hot window for one reply due `expectedRoundTripUs` from now; undefined when the distance is not emulated. */
export function hotUntilReply(expectedRoundTripUs: number | undefined): HotWindow | undefined {
  if (!isKeepHotEnabled || expectedRoundTripUs === undefined || expectedRoundTripUs <= 0) return undefined;
  const now = sharedNowUs();
  return keepHotBetween(now + expectedRoundTripUs - WARM_LEAD_US, now + expectedRoundTripUs + REPLY_SLACK_US);
}
