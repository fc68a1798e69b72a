import type { CheckReport } from '../flows/checks.js';
import type { CheckResult } from '../checks/check-result.js';
import type { DeviceState, InstalledLicenses, PendingInvalidation } from '../device/state.js';
import { firmwareMajor } from '../device/state.js';
import { formatMac } from '../../protocol/hardware-id.js';
import type { Flash } from './csrf.js';
import { html, trustedStyle, type Html } from './html.js';
import { CSS } from './style.js';

/** What the portal said for the logged-in device (the `portalLicenses` flow), or why it could not say. */
export type PortalView =
  | {
      ok: true;
      project: { name: string };
      licenses: { type: string; units: number }[];
      versions: { version: number; encrypted: boolean; licenses: number }[];
      runsVersion: number;
    }
  | { ok: false; code: string; message: string };

export interface PageModel {
  state: DeviceState;
  installed: InstalledLicenses | null;
  pending: PendingInvalidation | null;
  checks: CheckReport | null;
  portal: PortalView | null;
  flash: Flash | null;
  csrf: string;
  now: Date;
}

const CHECK_LABELS: Record<CheckResult['name'], string> = {
  clock: 'Device clock',
  ntp: 'NTP',
  certificate: 'Device certificate',
  dns: 'DNS',
  portal: 'Portal',
};

/** 2026-11-28T20:19:26.123Z → 2026-11-28 20:19 UTC */
const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** The device's own page on the portal (issue 14): where the "my.innovaphone" link lands. */
export const portalDeviceUrl = (portalUrl: string, hardwareId: string) =>
  new URL(`devices/${encodeURIComponent(hardwareId)}`, new URL(portalUrl)).toString();

/** The "my.innovaphone" link and what the admin finds behind it. */
const portalLink = (s: DeviceState) =>
  html`<p class="portal-link" data-field="portal-link"><a href="${portalDeviceUrl(s.config.portalUrl, s.hardwareId)}">Open this device on my.innovaphone</a>
<span class="muted">– its licenses (returnable or not, SSA end), warranty, certificate, RMA state and history; there you add licenses from the balance or the free licenses, download the license file, upload the invalidation backup and download the confirmation file for Step1. You log in there with your my.innovaphone account; the device must be in one of your projects.</span></p>`;

const csrfField = (token: string) => html`<input type="hidden" name="_csrf" value="${token}">`;

const postForm = (action: string, csrf: string, body: Html, cls = '') =>
  html`<form method="post" action="${action}"${cls ? html` class="${cls}"` : ''}>${csrfField(csrf)}${body}</form>`;

export function layout(title: string, body: Html, subtitle?: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${trustedStyle(CSS)}</style>
</head>
<body>
<header class="top"><span class="product">innovaphone device</span>${subtitle ?? ''}</header>
<nav class="crumbs">Configuration › General › <b>License</b> › my.innovaphone</nav>
<main>
${body}
<footer>Device web interface · served by the device on this host only</footer>
</main>
</body>
</html>`;
}

export function flashBox(flash: Flash | null): Html {
  if (!flash) return html``;
  return html`<div class="box ${flash.kind === 'ok' ? 'ok' : 'error'}" role="${flash.kind === 'ok' ? 'status' : 'alert'}" data-flash="${flash.kind}">
<p><strong>${flash.title}</strong></p>
<p>${flash.code ? html`<span class="code">${flash.code}</span>` : ''}${flash.message}</p>
</div>`;
}

function deviceCard(m: PageModel): Html {
  const s = m.state;
  return html`<section class="card" id="device"><h2>Device</h2>
<dl class="facts">
<dt>MAC address</dt><dd class="mono" data-field="mac">${formatMac(s.hardwareId)}</dd>
<dt>Hardware id</dt><dd class="mono">${s.hardwareId}</dd>
<dt>Type</dt><dd data-field="type">${s.deviceType}</dd>
<dt>Firmware</dt><dd data-field="firmware">${s.firmware} <span class="muted">(runs V${firmwareMajor(s.firmware)} licenses)</span></dd>
<dt>Portal</dt><dd data-field="portal">${s.config.portalUrl}</dd>
<dt>Portal login</dt><dd>${s.session ? s.session.email : html`<span class="muted">not logged in</span>`}</dd>
</dl>
</section>`;
}

function checksCard(m: PageModel): Html {
  const r = m.checks;
  const rows = (r?.results ?? []).map(
    (c) => html`<tr data-check="${c.name}">
<td>${CHECK_LABELS[c.name] ?? c.name}</td>
<td>${c.ok ? html`<span class="badge ok">OK</span>` : html`<span class="badge bad">FAIL</span>`}</td>
<td class="mono">${c.code ?? ''}</td>
<td>${c.message}${c.ok ? '' : html`<div class="fix"><b>Fix:</b> ${c.fix}</div>`}</td>
</tr>`,
  );
  return html`<section class="card wide" id="checks"><h2><span>Certificate and checks</span>
${r ? html`<span class="badge ${r.ok ? 'ok' : 'bad'}">${r.ok ? 'all passed' : `${r.results.filter((x) => !x.ok).length} failed`}</span>` : ''}</h2>
${
  r
    ? html`<table><thead><tr><th>Check</th><th>Status</th><th>Code</th><th>Result</th></tr></thead><tbody>${rows}</tbody></table>
<p class="muted">Checked at ${when(r.checkedAt)}. A transfer fails when NTP or DNS is not configured properly or the device certificate is not installed.</p>`
    : html`<p class="muted">The checks have not run yet.</p>`
}
<div class="row">
${postForm('/checks', m.csrf, html`<button type="submit">Run checks</button>`)}
${postForm('/request-certificate', m.csrf, html`<button type="submit" class="secondary">Request certificate</button>`)}
<span class="muted">A new certificate needs the portal login and the "request certificate" right; log in again afterwards so that the portal uses it.</span>
</div>
</section>`;
}

function licensesCard(m: PageModel): Html {
  const inst = m.installed;
  if (!inst?.licenses.length) {
    return html`<section class="card wide" id="licenses"><h2>Installed licenses</h2>
<p class="muted" data-empty="licenses">${inst ? `The V${inst.version} license file holds no licenses any more.` : 'No license file is installed.'}</p></section>`;
  }
  const rows = inst.licenses.map(
    (l) => html`<tr data-serial="${l.serial}">
<td class="mono">${l.serial}</td>
<td>${l.type} ${l.testEnd ? html`<span class="badge test">test license</span>` : ''}</td>
<td class="num">${l.units}</td>
<td>${l.ssaEnd ?? html`<span class="muted">–</span>`}</td>
<td>${l.testEnd ?? html`<span class="muted">–</span>`}</td>
<td>${m.pending?.serials.includes(l.serial) ? html`<span class="badge bad">invalidated, not in use</span>` : l.returnable ? 'returnable' : html`<span class="muted">stays on the device</span>`}</td>
</tr>`,
  );
  return html`<section class="card wide" id="licenses"><h2><span>Installed licenses</span><span class="badge muted">V${inst.version} · ${inst.encrypted ? 'encrypted' : 'unencrypted'}</span></h2>
<table><thead><tr><th>Serial</th><th>Type</th><th class="num">Units</th><th>SSA end</th><th>Test end</th><th>Return</th></tr></thead><tbody>${rows}</tbody></table>
<p class="muted">License file ${inst.fileId}, issued ${when(inst.issuedAt)}.</p>
</section>`;
}

function portalCard(m: PageModel): Html {
  const s = m.state.session;
  const runs = firmwareMajor(m.state.firmware);
  const loggedIn = s && new Date(s.expiresAt) > m.now;
  if (!s || !loggedIn) {
    return html`<section class="card" id="portal"><h2>my.innovaphone login</h2>
${s ? html`<div class="box warn"><p>The portal session of ${s.email} has expired: log in again.</p></div>` : ''}
<p class="muted">Enter your my.innovaphone account; the device must be in one of your projects.</p>
${portalLink(m.state)}
${postForm(
  '/login',
  m.csrf,
  html`<label>E-mail <input type="email" name="email" autocomplete="username" required maxlength="254" value="${s?.email ?? ''}"></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required maxlength="1024"></label>
<div><button type="submit">Log in</button></div>`,
  'stack',
)}
</section>`;
  }
  const p = m.portal;
  let download: Html;
  if (!p) download = html``;
  else if (!p.ok)
    download = html`<div class="box error" role="alert"><p><span class="code">${p.code}</span>${p.message}</p></div>`;
  else if (!p.versions.length)
    download = html`<p class="muted">The portal has no license versions to download for this device.</p>`;
  else
    download = postForm(
      '/download',
      m.csrf,
      html`<div class="row"><label class="inline">Version
<select name="version">${p.versions.map(
        (v) =>
          html`<option value="${v.version}"${v.version === runs ? ' selected' : ''}>V${v.version} – ${v.licenses} license${v.licenses === 1 ? '' : 's'}${v.encrypted ? '' : ' (unencrypted: not returnable)'}</option>`,
      )}</select></label>
<button type="submit">Download</button></div>`,
    );
  const onPortal = p?.ok
    ? html`<p class="muted">On the portal (project ${p.project.name}): ${p.licenses.length ? p.licenses.map((l, i) => html`${i ? ', ' : ''}${l.type} ×${l.units}`) : 'no licenses'}.</p>`
    : '';
  const versions = [6, 7, 8, 9, 10, 11, 12, 13, 14];
  return html`<section class="card" id="portal"><h2><span>my.innovaphone</span>
${postForm('/logout', m.csrf, html`<button type="submit" class="secondary">Log out</button>`)}</h2>
<p>Logged in as <b data-field="user">${s.email}</b> · ${s.company.name} · project ${s.project.name}</p>
${portalLink(m.state)}
<h3>Download licenses</h3>
${onPortal}
${download}
<h3>Download test licenses</h3>
${postForm(
  '/test-license',
  m.csrf,
  html`<div class="row">
<label class="inline">Version <select name="version">${versions.map((v) => html`<option value="${v}"${v === runs ? ' selected' : ''}>V${v}</option>`)}</select></label>
<label class="inline"><input type="checkbox" name="slave" value="1"> used as slave</label>
<label class="inline">or PBX licenses <input type="number" name="pbx" min="1" max="1000" step="1" value="1"></label>
<button type="submit" class="secondary">Get test licenses</button></div>`,
)}
</section>`;
}

function invalidationCard(m: PageModel): Html {
  const p = m.pending;
  const returnable = (m.installed?.licenses ?? []).filter((l) => l.returnable);
  // Seed L206, L227: V7 licenses return only if the user agrees never to downgrade below V8; the box is signed
  // into a new document (a pending one is finished as it was signed).
  const finish = (consent: boolean) =>
    postForm(
      '/invalidate',
      m.csrf,
      html`${consent ? html`<p><label class="inline"><input type="checkbox" name="acceptNoDowngrade" value="1"> I agree that this device can never be downgraded below V8 (needed to return V5–V7 licenses; it needs a new bootcode).</label></p>` : ''}<div class="row"><button type="submit" name="how" value="transfer">Transfer</button>
<button type="submit" name="how" value="backup" class="secondary">Backup</button>
<span class="muted">Transfer returns them online (needs the portal login); Backup saves the document for upload on my.innovaphone.</span></div>`,
    );
  let top: Html;
  if (p) {
    top = html`<div class="box info" id="pending" data-document="${p.documentId}">
<p><strong>Invalidation pending</strong> – document <code>${p.documentId}</code> (${p.state === 'saved' ? 'saved as backup' : p.state === 'sent' ? 'transfer tried' : 'created'}, ${when(p.createdAt)})</p>
<p>The device no longer uses ${p.serials.length} license${p.serials.length === 1 ? '' : 's'}: ${p.serials.map((s, i) => html`${i ? ', ' : ''}<code>${s}</code>`)}. Finish it one of two ways:</p>
<ul class="plain"><li><b>Transfer</b> it online, or</li><li><b>Backup</b> (download the document again), upload it on <a href="${portalDeviceUrl(m.state.config.portalUrl, m.state.hardwareId)}">this device's page on my.innovaphone</a> (Return licenses), and upload the confirmation file it gives you below under Step1.</li></ul>
${finish(false)}
</div>`;
  } else if (returnable.length) {
    top = html`<details class="invalidate"><summary class="btn">Invalidate</summary>
<div class="panel">
<p>These licenses will be returned to the free licenses of the device's project on the portal:</p>
<ul class="plain">${returnable.map((l) => html`<li><code>${l.serial}</code> ${l.type} ×${l.units}</li>`)}</ul>
<p class="muted">Gateway licenses and warranty extensions stay on the device.</p>
${finish(true)}
</div></details>`;
  } else {
    top = html`<p class="muted">No returnable licenses are installed.</p>`;
  }
  return html`<section class="card" id="invalidation"><h2>Invalidation</h2>
${top}
<hr class="sep">
<h3>Step1: upload the confirmation file</h3>
<form method="post" action="/confirm" enctype="multipart/form-data" class="stack">${csrfField(m.csrf)}
<label>Confirmation file <small>(from my.innovaphone after uploading the backup, max. 1 MiB)</small>
<input type="file" name="confirmation" accept=".xml,application/xml,text/xml" required></label>
<div><button type="submit" class="secondary">Upload</button></div>
</form>
</section>`;
}

function settingsCard(m: PageModel): Html {
  const c = m.state.config;
  return html`<section class="card" id="settings"><h2>Network settings</h2>
${postForm(
  '/config',
  m.csrf,
  html`<label>Portal URL <input type="url" name="portal" required maxlength="2048" value="${c.portalUrl}"></label>
<label>NTP server <small>host or host:port; empty for none</small><input type="text" name="ntp" maxlength="255" value="${c.ntpServer ?? ''}"></label>
<label>DNS server <small>IP address, optionally :port; empty for none</small><input type="text" name="dns" maxlength="255" value="${c.dnsServer ?? ''}"></label>
<label>Clock tolerance <small>seconds</small><input type="number" name="tolerance" min="1" max="86400" step="1" value="${c.toleranceSeconds}"></label>
<div><button type="submit">Save</button></div>`,
  'stack',
)}
</section>`;
}

function notices(m: PageModel): Html {
  return html`${flashBox(m.flash)}
${
  m.state.resetRequired
    ? html`<div class="box warn row between" id="reset-needed"><p><strong>Reset needed.</strong> The licenses changed; reset the device to use them.</p>
${postForm('/reset', m.csrf, html`<button type="submit" class="danger">Reset</button>`)}</div>`
    : ''
}`;
}

export function devicePage(m: PageModel): Html {
  const sub = html`<span class="dev">${m.state.deviceType} · ${formatMac(m.state.hardwareId)} · firmware ${m.state.firmware}</span>`;
  return layout(
    `License – ${formatMac(m.state.hardwareId)}`,
    html`${notices(m)}
<div class="grid">
${deviceCard(m)}
${portalCard(m)}
${checksCard(m)}
${licensesCard(m)}
${invalidationCard(m)}
${settingsCard(m)}
</div>`,
    sub,
  );
}

export function errorPage(title: string, message: string, code?: string): Html {
  return layout(
    title,
    html`<div class="box error" role="alert"><p><strong>${title}</strong></p><p>${code ? html`<span class="code">${code}</span>` : ''}${message}</p></div>
<p><a href="/">Back to the license page</a></p>`,
  );
}
