import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';

/**
 * Register Now, the activation link and the forgotten password as pages (issue 13, sign-in): the mail
 * links land on pages that say what happened and lead to the log-in; errors are sentences beside the
 * fields in the user's language, the input kept.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
const sent: { to: string; subject: string; text: string }[] = [];
const ORIGIN = 'https://portal.example.test';

beforeAll(async () => {
  root = await tempDir('mylic-web-accounts-');
  tc = await makeTestCore(root.dir, undefined, {
    mailer: { send: async (m) => void sent.push(m) },
    publicUrl: ORIGIN,
  });
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

const page = (
  path: string,
  init: { method?: string; form?: Record<string, string>; lang?: string; origin?: string } = {},
) =>
  tc.app.request(`${ORIGIN}${path}`, {
    method: init.method ?? (init.form ? 'POST' : 'GET'),
    ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    headers: {
      host: 'portal.example.test',
      accept: 'text/html',
      'accept-language': init.lang ?? 'en',
      ...(init.form
        ? { origin: init.origin ?? ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }
        : {}),
    },
  });
const mailTo = async (to: string, includes: string) => {
  for (let i = 0; i < 200; i++) {
    const m = sent.find((x) => x.to === to && x.text.includes(includes));
    if (m) return m;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no mail to ${to} with ${includes}`);
};
const logIn = (email: string, password: string) => page('/login', { form: { email, password } });

describe('Register Now', () => {
  it('names every field that is wrong, in the user’s language, and keeps what was typed', async () => {
    const res = await page('/register', {
      lang: 'de',
      form: { email: 'not-an-address', name: '', phone: '', password: 'short', language: 'de' },
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    for (const text of [MESSAGES.de.emailInvalid, MESSAGES.de.nameRequired, MESSAGES.de.passwordRule])
      expect(html).toContain(text);
    expect(html).toContain('value="not-an-address"');
    expect(html).not.toContain('value="short"');
  });

  it('registers, mails a link that opens the activation page, activates on the button, and the log-in works', async () => {
    const reg = await page('/register', {
      lang: 'nl',
      form: {
        email: 'gus@example.com',
        name: 'Gus',
        phone: '',
        password: 'gus has a long password',
        language: 'nl',
      },
    });
    expect(reg.status).toBe(201);
    expect(await reg.text()).toContain('gus@example.com');
    expect((await logIn('gus@example.com', 'gus has a long password')).status).toBe(403);
    const mail = await mailTo('gus@example.com', '/activate?token=');
    const link = new URL(/https:\/\/\S+\/activate\?token=\S+/.exec(mail.text)![0]);
    // Opening the link changes nothing: a mail scanner may fetch it.
    const landing = await page(`${link.pathname}${link.search}`, { lang: 'nl' });
    expect(await landing.text()).toContain(MESSAGES.nl.activateButton);
    expect((await logIn('gus@example.com', 'gus has a long password')).status).toBe(403);
    const done = await page('/activate', {
      lang: 'nl',
      form: { token: link.searchParams.get('token')!, password: 'gus has a long password' },
    });
    expect(await done.text()).toContain('Uw account gus@example.com is actief');
    expect((await logIn('gus@example.com', 'gus has a long password')).status).toBe(303);
    // The same link again: used.
    const again = await page('/activate', {
      lang: 'nl',
      form: { token: link.searchParams.get('token')!, password: 'gus has a long password' },
    });
    expect(again.status).toBe(404);
    expect(await again.text()).toContain(MESSAGES.nl.activationInvalid);
  });

  it('activates only with the password chosen at registration, so whoever registered an address first cannot have its owner activate their account', async () => {
    // Mallory registers Hana's address with a password Hana does not know; the link goes to Hana.
    await page('/register', {
      form: {
        email: 'hana@example.com',
        name: 'Hana?',
        phone: '',
        password: 'mallory knows this one',
        language: 'en',
      },
    });
    const mail = await mailTo('hana@example.com', '/activate?token=');
    const token = /\/activate\?token=(\S+)/.exec(mail.text)![1]!;
    const refused = await page('/activate', { form: { token, password: 'hana has her own password' } });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain(MESSAGES.en.activationWrongPassword);
    expect((await logIn('hana@example.com', 'mallory knows this one')).status).toBe(403);
    // Hana gets in with a password reset, which activates the address she owns.
    await page('/password-reset', { form: { email: 'hana@example.com' } });
    const reset = await mailTo('hana@example.com', '/password-reset/confirm?code=');
    const code = /code=([A-Za-z0-9_-]{43})/.exec(reset.text)![1]!;
    await page('/password-reset/confirm', { form: { code, password: 'hana has her own password' } });
    expect((await logIn('hana@example.com', 'hana has her own password')).status).toBe(303);
    expect((await logIn('hana@example.com', 'mallory knows this one')).status).toBe(401);
  });

  it('answers a taken address exactly like a new one', async () => {
    const fresh = await page('/register', {
      form: {
        email: 'new-one@example.com',
        name: 'N',
        phone: '',
        password: 'a long enough password',
        language: 'en',
      },
    });
    const taken = await page('/register', {
      form: {
        email: 'gus@example.com',
        name: 'N',
        phone: '',
        password: 'a long enough password',
        language: 'en',
      },
    });
    expect(taken.status).toBe(fresh.status);
    expect((await taken.text()).replace('gus@example.com', 'X')).toBe(
      (await fresh.text()).replace('new-one@example.com', 'X'),
    );
  });

  it('refuses a registration form posted from another site', async () => {
    const res = await page('/register', {
      form: {
        email: 'evil@example.com',
        name: 'E',
        phone: '',
        password: 'a long enough password',
        language: 'en',
      },
      origin: 'https://evil.example',
    });
    expect(res.status).toBe(403);
  });
});

describe('a forgotten password', () => {
  it('sends a link whose page sets the new password; the old one stops working', async () => {
    const asked = await page('/password-reset', { lang: 'fr', form: { email: 'gus@example.com' } });
    expect(asked.status).toBe(202);
    expect(await asked.text()).toContain('Si gus@example.com a un compte');
    // An unknown address gets the same page.
    const unknown = await page('/password-reset', { lang: 'fr', form: { email: 'nobody@example.com' } });
    expect((await unknown.text()).replace('nobody@example.com', 'X')).toBe(
      (
        await (await page('/password-reset', { lang: 'fr', form: { email: 'gus@example.com' } })).text()
      ).replace('gus@example.com', 'X'),
    );
    // Two requests were made: the newest link is the one that works.
    for (
      let i = 0;
      i < 200 &&
      sent.filter((x) => x.to === 'gus@example.com' && x.text.includes('/password-reset/confirm?code='))
        .length < 2;
      i++
    )
      await new Promise((r) => setTimeout(r, 10));
    const mail = sent
      .filter((x) => x.to === 'gus@example.com' && x.text.includes('/password-reset/confirm?code='))
      .at(-1)!;
    const code = /code=([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
    const form = await page(`/password-reset/confirm?code=${code}`, { lang: 'fr' });
    expect(await form.text()).toContain(MESSAGES.fr.newPasswordTitle);
    const short = await page('/password-reset/confirm', { lang: 'fr', form: { code, password: 'short' } });
    expect(await short.text()).toContain(MESSAGES.fr.passwordRule);
    const done = await page('/password-reset/confirm', {
      lang: 'fr',
      form: { code, password: 'gus has a new long password' },
    });
    const doneHtml = await done.text();
    expect(doneHtml, doneHtml.slice(doneHtml.indexOf('<main'), doneHtml.indexOf('<main') + 600)).toContain(
      MESSAGES.fr.passwordChanged,
    );
    expect((await logIn('gus@example.com', 'gus has a long password')).status).toBe(401);
    expect((await logIn('gus@example.com', 'gus has a new long password')).status).toBe(303);
    const reused = await page('/password-reset/confirm', {
      lang: 'fr',
      form: { code, password: 'yet another long password' },
    });
    expect(await reused.text()).toContain(MESSAGES.fr.resetInvalid);
  });
});
