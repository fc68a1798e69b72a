import type { Language } from './languages.js';

/** Mail texts in each portal language. `{link}` and `{name}` are filled in. */
export const ACTIVATION_MAIL: Record<Language, { subject: string; text: string }> = {
  en: {
    subject: 'Activate your mylic account',
    text: 'Hello {name},\n\nplease activate your mylic account by opening this link:\n{link}\n\nThe link is valid for 48 hours. If you did not register, ignore this mail.\n',
  },
  de: {
    subject: 'Aktivieren Sie Ihr mylic-Konto',
    text: 'Hallo {name},\n\nbitte aktivieren Sie Ihr mylic-Konto über diesen Link:\n{link}\n\nDer Link ist 48 Stunden gültig. Wenn Sie sich nicht registriert haben, ignorieren Sie diese E-Mail.\n',
  },
  it: {
    subject: 'Attiva il tuo account mylic',
    text: 'Ciao {name},\n\nattiva il tuo account mylic aprendo questo link:\n{link}\n\nIl link è valido per 48 ore. Se non ti sei registrato, ignora questa e-mail.\n',
  },
  nl: {
    subject: 'Activeer uw mylic-account',
    text: 'Hallo {name},\n\nactiveer uw mylic-account via deze link:\n{link}\n\nDe link is 48 uur geldig. Als u zich niet hebt geregistreerd, negeer dan deze e-mail.\n',
  },
  fr: {
    subject: 'Activez votre compte mylic',
    text: 'Bonjour {name},\n\nveuillez activer votre compte mylic en ouvrant ce lien :\n{link}\n\nLe lien est valable 48 heures. Si vous ne vous êtes pas inscrit, ignorez cet e-mail.\n',
  },
};

export const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
