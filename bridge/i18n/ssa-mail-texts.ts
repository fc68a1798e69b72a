import type { Language } from './languages.js';

/**
 * The SSA expiry reminder in each portal language (seed: Projects → SSA, "each company user will
 * receive a reminder mail 7 weeks before and then every week one mail").
 */
export interface SsaReminderValues {
  name: string;
  project: string;
  company: string;
  /** The SSA end date, ISO (YYYY-MM-DD); shown in the language's long form. */
  end: string;
  /** Weeks left on the day the mail is sent. */
  weeks: number;
  /** Set when the reminder is sent after its own week (the portal did not run then): its due date, ISO. */
  lateFor?: string | undefined;
  link: string;
}

const LOCALE: Record<Language, string> = { en: 'en-GB', de: 'de-DE', it: 'it-IT', nl: 'nl-NL', fr: 'fr-FR' };

export const formatDate = (iso: string, language: Language) =>
  new Intl.DateTimeFormat(LOCALE[language], { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${iso}T00:00:00Z`),
  );

type Text = (v: SsaReminderValues & { date: string; late: string }) => { subject: string; text: string };

export const SSA_REMINDER_MAIL: Record<Language, Text> = {
  en: (v) => ({
    subject: `SSA of project "${v.project}" ends on ${v.date}`,
    text:
      `Hello ${v.name},\n\nthe software service agreement (SSA) of project "${v.project}" of ${v.company} ends on ${v.date}, ` +
      `in ${v.weeks} ${v.weeks === 1 ? 'week' : 'weeks'}. After that its licenses can no longer be downloaded in versions released later.\n` +
      `You can extend the SSA in the portal:\n${v.link}\n\n` +
      (v.lateFor
        ? `This is the reminder that was due on ${v.late}; it comes late because the portal did not run that week.\n\n`
        : '') +
      `This reminder comes every week from seven weeks before the end. To stop it, turn off "Send SSA expiry mails" in the project's SSA settings, or turn off mails in your account settings.\n`,
  }),
  de: (v) => ({
    subject: `SSA des Projekts "${v.project}" endet am ${v.date}`,
    text:
      `Hallo ${v.name},\n\nder Software-Service-Vertrag (SSA) des Projekts "${v.project}" von ${v.company} endet am ${v.date}, ` +
      `in ${v.weeks} ${v.weeks === 1 ? 'Woche' : 'Wochen'}. Danach können seine Lizenzen nicht mehr in später veröffentlichten Versionen heruntergeladen werden.\n` +
      `Sie können den SSA im Portal verlängern:\n${v.link}\n\n` +
      (v.lateFor
        ? `Dies ist die Erinnerung, die am ${v.late} fällig war; sie kommt verspätet, weil das Portal in jener Woche nicht lief.\n\n`
        : '') +
      `Diese Erinnerung kommt ab sieben Wochen vor dem Ende jede Woche. Um sie abzustellen, schalten Sie "SSA-Ablauf-Mails senden" in den SSA-Einstellungen des Projekts aus oder deaktivieren Sie E-Mails in Ihren Kontoeinstellungen.\n`,
  }),
  it: (v) => ({
    subject: `L'SSA del progetto "${v.project}" scade il ${v.date}`,
    text:
      `Ciao ${v.name},\n\nil contratto di assistenza software (SSA) del progetto "${v.project}" di ${v.company} scade il ${v.date}, ` +
      `tra ${v.weeks} ${v.weeks === 1 ? 'settimana' : 'settimane'}. In seguito le sue licenze non potranno più essere scaricate nelle versioni pubblicate dopo.\n` +
      `Puoi prolungare l'SSA nel portale:\n${v.link}\n\n` +
      (v.lateFor
        ? `Questo è il promemoria previsto per il ${v.late}; arriva in ritardo perché quella settimana il portale non era in funzione.\n\n`
        : '') +
      `Questo promemoria arriva ogni settimana a partire da sette settimane prima della scadenza. Per fermarlo, disattiva "Invia e-mail di scadenza SSA" nelle impostazioni SSA del progetto, oppure disattiva le e-mail nelle impostazioni del tuo account.\n`,
  }),
  nl: (v) => ({
    subject: `SSA van project "${v.project}" loopt af op ${v.date}`,
    text:
      `Hallo ${v.name},\n\nde software service agreement (SSA) van project "${v.project}" van ${v.company} loopt af op ${v.date}, ` +
      `over ${v.weeks} ${v.weeks === 1 ? 'week' : 'weken'}. Daarna kunnen de licenties niet meer worden gedownload in later uitgebrachte versies.\n` +
      `U kunt de SSA in het portaal verlengen:\n${v.link}\n\n` +
      (v.lateFor
        ? `Dit is de herinnering die op ${v.late} gepland was; ze komt te laat omdat het portaal die week niet draaide.\n\n`
        : '') +
      `Deze herinnering komt elke week vanaf zeven weken voor het einde. Om ze te stoppen, zet u "SSA-vervalmails verzenden" uit in de SSA-instellingen van het project, of zet u mails uit in uw accountinstellingen.\n`,
  }),
  fr: (v) => ({
    subject: `Le SSA du projet "${v.project}" se termine le ${v.date}`,
    text:
      `Bonjour ${v.name},\n\nle contrat de service logiciel (SSA) du projet "${v.project}" de ${v.company} se termine le ${v.date}, ` +
      `dans ${v.weeks} ${v.weeks === 1 ? 'semaine' : 'semaines'}. Ensuite, ses licences ne pourront plus être téléchargées dans les versions publiées plus tard.\n` +
      `Vous pouvez prolonger le SSA dans le portail :\n${v.link}\n\n` +
      (v.lateFor
        ? `Ceci est le rappel prévu le ${v.late} ; il arrive en retard parce que le portail ne fonctionnait pas cette semaine-là.\n\n`
        : '') +
      `Ce rappel arrive chaque semaine à partir de sept semaines avant la fin. Pour l'arrêter, désactivez « Envoyer les e-mails d'expiration SSA » dans les paramètres SSA du projet, ou désactivez les e-mails dans les paramètres de votre compte.\n`,
  }),
};

export function ssaReminderMail(language: Language, v: SsaReminderValues) {
  return SSA_REMINDER_MAIL[language]({
    ...v,
    date: formatDate(v.end, language),
    late: v.lateFor ? formatDate(v.lateFor, language) : '',
  });
}
