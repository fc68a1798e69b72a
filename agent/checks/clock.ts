import type { DeviceState } from '../device/state.js';
import { failed, passed, type CheckResult } from './check-result.js';

/**
 * Clock safety: the device remembers the latest time a trusted source showed it (an NTP answer, the
 * issue time of a signed license file or confirmation). A clock now behind that by more than the
 * tolerance was set back, and certificate and document time checks could not be trusted.
 */
export function checkClockNotSetBack(state: DeviceState, now: Date): CheckResult {
  const latest = state.latestTrustedTime ? new Date(state.latestTrustedTime) : null;
  const toleranceMs = state.config.toleranceSeconds * 1000;
  if (latest && now.getTime() < latest.getTime() - toleranceMs) {
    const behind = Math.round((latest.getTime() - now.getTime()) / 1000);
    return failed(
      'clock',
      'CLOCK_SET_BACK',
      `The device clock (${now.toISOString()}) is ${behind} s behind a time it already trusted (${latest.toISOString()}).`,
      'Set the device time from NTP (Configuration/General/Time) and check why it was set back.',
      { latestTrustedTime: latest.toISOString(), behindSeconds: behind },
    );
  }
  return passed(
    'clock',
    latest
      ? `The device clock is not behind the latest trusted time (${latest.toISOString()}).`
      : 'No trusted time seen yet.',
  );
}

/** Moves the remembered trusted time forward, never back. */
export function advanceTrustedTime(state: DeviceState, seen: Date): DeviceState {
  const current = state.latestTrustedTime ? new Date(state.latestTrustedTime).getTime() : 0;
  if (seen.getTime() > current) state.latestTrustedTime = seen.toISOString();
  return state;
}
