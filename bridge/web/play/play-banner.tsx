/** @jsxImportSource hono/jsx */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { MiddlewareHandler } from 'hono';
import { parseHardwareId } from '../../../protocol/hardware-id.js';
import { type Lang, t } from '../i18n.js';

/**
 * The banner that tells myplay from the live portal (seed L331 "[myplay] offers a platform to test all
 * my.innovaphone related content"): the page shell (layout.tsx) shows it at the top of every page the
 * sandbox answers, in the page's language. The sandbox's pages run inside `playScope` (a middleware
 * mounted only when the core is in play mode), so the live portal's pages never show it.
 */
const scope = new AsyncLocalStorage<true>();

export const playScope: MiddlewareHandler = (_c, next) => scope.run(true, next);

export function PlayBanner(p: { lang: Lang; path: string }) {
  if (!scope.getStore()) return null;
  // On a device page (`/devices/{hardwareId}`), the way to the device's myplay editing (seed L340, L350).
  const device = deviceOf(p.path);
  return (
    <div class="play-banner" role="note">
      <strong>{t(p.lang, 'playBanner')}</strong>
      <a href="/play">{t(p.lang, 'playBannerLink')}</a>
      <a href="/play/balance">{t(p.lang, 'playBalanceTitle')}</a>
      {device ? <a href={`/play/devices/${device}`}>{t(p.lang, 'playBannerDevice')}</a> : null}
    </div>
  );
}

/** The hardware id of a device page's path (`/devices/{hardwareId}…`), or null. */
function deviceOf(path: string): string | null {
  const segment = /^\/devices\/([^/?#]+)/.exec(path)?.[1];
  if (segment === undefined) return null;
  try {
    return parseHardwareId(decodeURIComponent(segment)).hardwareId;
  } catch {
    return null;
  }
}

/** The stylesheet rules of myplay's pages and banner, appended to the portal's one stylesheet. */
export const playCss = `
.play-banner{background:#ffdd00;color:#1d2733;padding:10px 24px;border-bottom:4px solid #1d2733;font-size:16px}
.play-banner a{color:#1d2733;font-weight:600;margin-left:16px}
.play-rules li{margin:4px 0}.play-forms{display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start;margin-top:24px}
.play-forms form.card{flex:1 1 320px}
input[type=number]{display:block;padding:8px 10px;font:inherit;border:2px solid #8a96a3;border-radius:4px;width:10em}
fieldset.play-action{border:0;padding:0;margin:12px 0 0}fieldset.play-action legend{font-weight:600}
fieldset.play-action label{display:inline-block;font-weight:400;margin:4px 16px 4px 4px}
`;
