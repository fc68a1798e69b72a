import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { HardwareId, LicenseEntry, Version } from '../../agent/device/state.js';
import { formatMac } from '../../agent/format-mac.js';
import {
  LicenseEntry as ProtocolLicenseEntry,
  Version as ProtocolVersion,
} from '../../protocol/documents/payloads.js';
import {
  HardwareId as ProtocolHardwareId,
  formatMac as protocolFormatMac,
} from '../../protocol/hardware-id.js';

/**
 * The agent's device files are read with zod/mini (agent/device/state.ts) so the local commands do not
 * load the full zod; the protocol parts they hold are written out again there. Same rules, proven by
 * the JSON Schema each pair gives: a change on one side fails here until the other follows.
 */
describe('the agent state schemas (zod/mini) and the protocol schemas they mirror', () => {
  for (const [name, mini, classic] of [
    ['HardwareId', HardwareId, ProtocolHardwareId],
    ['Version', Version, ProtocolVersion],
    ['LicenseEntry', LicenseEntry, ProtocolLicenseEntry],
  ] as const) {
    it(`${name}: the same JSON Schema`, () => {
      expect(z.toJSONSchema(mini)).toEqual(z.toJSONSchema(classic));
    });
  }

  it('formatMac is the protocol one', () => {
    for (const hw of ['009033012345', '00903301ABCD', 'FFFFFFFFFFFF'])
      expect(formatMac(hw)).toBe(protocolFormatMac(hw));
  });
});
