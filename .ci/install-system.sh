#!/usr/bin/env bash
# Installs the Debian packages the tests use for real: Chromium for the device page test (driven by
# playwright-core), and the daemons that test/agent/daemons.test.ts runs the NTP and DNS checks against:
# chronyd (package chrony) and dnsmasq (package dnsmasq-base: the binary only, without the system
# service that package "dnsmasq" would start on port 53). The test starts both itself, on free loopback
# ports with their own temporary configuration; nothing here starts or enables a system service.
# PostgreSQL (package postgresql) for the two-store suites: test/support/postgres.ts runs initdb and
# pg_ctl from /usr/lib/postgresql/<major>/bin itself, as the user "postgres" the package creates, in a
# temporary folder on a free port. The package would create a "main" cluster and start it as a service:
# createcluster.conf says create_main_cluster = false before the install, and policy-rc.d keeps any
# service from starting, so no PostgreSQL server runs after the install (if a main cluster exists from an
# earlier install it is left alone: the tests never use it, nor its port).
#
# Runs as root: `npm test` runs it itself (scripts/test-setup.mjs, as root or through `sudo -n`) when a
# binary is missing, and otherwise asks for `sudo .ci/install-system.sh`. Idempotent: when all the
# binaries are there it does nothing and returns at once.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }
have_postgres() { for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && return 0; done; return 1; }

if have chronyd && have dnsmasq && have chromium && have curl && have_postgres; then
  echo "install-system: chronyd, dnsmasq, chromium, curl and postgresql are already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-system: run as root (sudo $0)" >&2
  exit 1
fi

# Keep the packages' maintainer scripts from starting chronyd as the system time daemon during the
# install (it would try to steer this machine's clock). A policy-rc.d that is already there is left alone.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi

# No "main" cluster from the postgresql package: the tests make their own (a file already there is kept).
if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
  mkdir -p /etc/postgresql-common
  printf 'create_main_cluster = false\n' >/etc/postgresql-common/createcluster.conf
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confold \
  chrony dnsmasq-base chromium fonts-dejavu-core curl ca-certificates postgresql

have chronyd && have dnsmasq && have chromium && have curl && have_postgres
echo "install-system: installed $(chromium --version 2>/dev/null | head -n1 || echo chromium), $(chronyd --version 2>/dev/null | head -n1 || echo chronyd) and $(dnsmasq --version 2>/dev/null | head -n1 || echo dnsmasq)"
