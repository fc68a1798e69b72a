/**
 * The agent's usage text and option table. Kept apart from the commands: `mylic --help` and the
 * argument parser load only this (and protocol/errors.ts), not the code of any command.
 */
export const USAGE = `usage: mylic <command> [options] [--dir DEVICE_DIR] [--json]

Device (factory):
  device init --mac MAC --dir DIR [--type IP811] [--firmware 13.1] [--portal URL] [--pki DIR]
                                     the factory: also writes the registration to DIR/device-registrations/
                                     (mylic-bridge ops device register records it in the device database)
Portal:
  login --email E [--password P]     log in (password also from MYLIC_PASSWORD); the device proves its key
  logout
  licenses                           what the portal holds for this device, and the versions to download
  download [--version V]             fetch, check and install the license file (default: the firmware's version)
  install FILE                       check and install a license file downloaded from the portal
  invalidate --transfer              invalidate the returnable licenses and return them online
  invalidate --backup FILE           invalidate and save the document for upload on the portal
    [--accept-no-downgrade]          agree never to downgrade below V8: needed to return V5–V7 licenses
  confirm FILE                       apply the portal's confirmation file (Step1): an invalidation's,
                                     or a new certificate requested on the device's portal page
  test-license [--version V] (--slave | --pbx N)
                                     download and install test licenses (V11+: 3 months, once per device)
  request-certificate [--password P] new key and certificate from the portal (needs the right); with the
                                     password (or MYLIC_PASSWORD) it logs in again so the portal uses it at once
Device:
  check                              certificate, NTP, DNS, clock and portal checks, each with its fix
  config [--ntp H[:P]|none] [--dns H[:P]|none] [--portal URL] [--tolerance SECONDS]
                                     show or change the device's network settings
  status                             identity, installed licenses, pending invalidation, reset needed
  reset                              acknowledge the reset the device asked for
  page [--port N]                    serve the device's General→License page on http://127.0.0.1:N/ (default 8080)
  --version                          print the agent version

The device folder is --dir, else MYLIC_DEVICE_DIR, else ./device.
Exit codes: 0 ok, 2 usage/bad input, 3 auth, 4 not found, 5 conflict, 6 document refused,
7 portal unreachable, 8 device check failed, 10 internal.`;

export const options = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'string' },
  dir: { type: 'string' },
  mac: { type: 'string' },
  type: { type: 'string' },
  firmware: { type: 'string' },
  portal: { type: 'string' },
  pki: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  transfer: { type: 'boolean' },
  backup: { type: 'string' },
  'accept-no-downgrade': { type: 'boolean' },
  ntp: { type: 'string' },
  dns: { type: 'string' },
  tolerance: { type: 'string' },
  slave: { type: 'boolean' },
  pbx: { type: 'string' },
  port: { type: 'string' },
} as const;
