import type { Lang } from '../i18n.js';

/**
 * The portal's own help (issue 15 item 6): the quickstart and SSA guides (seed L14–25) and one page per
 * menu, opened by the help link at the right of the tab menu (seed L33). The texts are short guides
 * written from the seed's sections. English is complete; a language that has no text of a page yet shows
 * the English one with a sentence saying so (the guides are written in English and German so far).
 */
export const HELP_TOPICS = [
  'quickstart',
  'ssa',
  'projects',
  'balance',
  'free',
  'activations',
  'keys',
  'devices',
  'history',
  'company',
  'account',
  'search',
] as const;
export type HelpTopic = (typeof HELP_TOPICS)[number];

export interface HelpPage {
  title: string;
  /** Paragraphs; a line starting with "- " is an item of a list. */
  body: string[];
}

export interface HelpChrome {
  help: string;
  linkTitle: string;
  indexTitle: string;
  indexIntro: string;
  guides: string;
  menus: string;
  configurator: string;
  configuratorIntro: string;
  notTranslated: string;
  back: string;
}

const EN: Record<HelpTopic, HelpPage> = {
  quickstart: {
    title: 'Quickstart guide',
    body: [
      'Register with "Register Now" on the log-in page: enter your personal data, then open the activation link in the mail you receive.',
      'After the activation you have two options:',
      '- create a new company of your own (Company menu), or',
      '- ask a user of your company to add your account to the existing company.',
      'If you created a company by mistake, ask a user of your company to import it into theirs.',
      'A new company starts with one project named DEFAULT. Select a project in the Projects menu: the selection holds for the other pages.',
      'Increase the balance of the selected project with an activation key (Activations → Add), add your devices (Devices), and give them licenses from the balance on the device page. Download the license file there, or let the device fetch it itself.',
      'One user can be a member of several companies; switch between them at the top right.',
      'The help link at the right of the tab menu opens the help of the menu you are in.',
    ],
  },
  ssa: {
    title: 'SSA guide',
    body: [
      'SSA (software service agreement) keeps the licenses of a project upgradable until an SSA end date.',
      'Put a project under SSA on its page (Projects → the project → SSA): enter an SSA end date, which must not be in the past. It is the date on which all SSA licenses of all devices in this project expire.',
      'You then see a summary of every license that will be put under SSA and the SSC licenses needed, calculated per license from its bind date and the SSA end date. Nothing is booked until you confirm it; the SSCs are paid from the balance.',
      'A license of an older version than the current one pays from the release date of the next version (that date is shown as its calculation date).',
      'A license that already has an SSA date pays only the difference up to the new end date.',
      'If the bind date lies in the past, the days between the bind date and today are paid twice (the column days × 2); so is the time between an SSA date that is already over and today.',
      'Do not set SSA on a project you still want to import devices into from the old license manager: set it after the import.',
      "Moving devices into an SSA project shows the same calculation first, since their licenses are extended to the project's SSA end date.",
    ],
  },
  projects: {
    title: 'Projects',
    body: [
      'A new company has one project named DEFAULT; you can rename it, and create more projects with Create. Each project of a company has its own name.',
      'Select a project by choosing it in the list: the selection holds for every other page (some need one). Deselect it to see all projects together.',
      "On a project's page you change its name and description, put it under SSA (see the SSA guide), grant rights on it to other companies, join it into another project, or delete it.",
    ],
  },
  balance: {
    title: 'Balance',
    body: [
      'The balance page shows the balance of the selected project, or of all your projects together.',
      'The balance belongs to your company, not to your user account. It is bound to a project, and can be shared with other projects of the company for licenses and own activation keys if wished (not in external projects).',
    ],
  },
  free: {
    title: 'Free licenses',
    body: [
      "Here are all your free licenses. Licenses you return from a device (invalidation) are stored in the free licenses of the device's project.",
      'Assign them to another device (on its page: Add licenses from free licenses), or convert them back to your balance.',
      'The bind date, SSA end date and external key are kept for each license.',
    ],
  },
  activations: {
    title: 'Activations',
    body: [
      "To increase a project's balance, select the project, follow Add and enter the activation key, with an optional comment. You see the licenses the key holds; after you confirm, the project's balance holds them.",
      'Deselect the project to see all activation keys, whatever the project.',
      'The license certificate of an activation key can be downloaded from the list at any time.',
    ],
  },
  keys: {
    title: 'Own activation keys',
    body: [
      'Make your own activation keys from your balance, for example for a customer. The licenses leave the balance when the key is created.',
      'An unredeemed key can be changed or deleted; deleting it puts its licenses back into the balance.',
    ],
  },
  devices: {
    title: 'Devices',
    body: [
      'Show lists your devices; leave the filter empty to see all of them. Devices in RMA are marked.',
      'Add new devices by MAC address (or IPEI for DECT handsets), one by one or as a list.',
      "On a device's page you add licenses from the balance or from the free licenses, warranty extensions and the V7 floating license, download the license file or test licenses, move the device or its licenses, and request RMA.",
      "Invalidation: upload the backup file the device made (Invalidate → Backup on the device), then load the confirmation file on the device (Step1). Returned licenses go to the free licenses of the device's project; gateway licenses and warranty extensions stay on the device. V5–V7 licenses return only if you agree on the device never to downgrade it below V8.",
    ],
  },
  history: {
    title: 'History',
    body: [
      'The history shows what happened for the company, one user or one device, in the selected project or, with no project selected, in all projects.',
      'Choose the last day, week, month, year or always, or dates of your own.',
    ],
  },
  company: {
    title: 'Company',
    body: [
      "Manage the users of your company, import other companies, or change your company's data.",
      'The first user of a company is its admin and can grant this right to other users after adding their e-mail addresses.',
      'RMA lists your devices in RMA that arrived at the vendor; their licenses can be moved.',
    ],
  },
  account: {
    title: 'Account',
    body: [
      'Change your personal data and password here; every change needs your current password.',
      'If you change your e-mail address, you activate your account again with the link sent to the new address.',
    ],
  },
  search: {
    title: 'Search',
    body: [
      'The search field at the top right finds devices (name or comment), projects (name or description) and own activation keys (key or description). Enter at least three characters, five for activation keys.',
      'License types: PBX-Port8 finds the devices with V8 port licenses, PBX-Port8=100 those with at least 100 of them.',
    ],
  },
};

const DE: Partial<Record<HelpTopic, HelpPage>> = {
  quickstart: {
    title: 'Schnellstart',
    body: [
      'Registrieren Sie sich mit „Jetzt registrieren“ auf der Anmeldeseite: Geben Sie Ihre Daten ein und öffnen Sie dann den Aktivierungslink in der E-Mail, die Sie erhalten.',
      'Nach der Aktivierung haben Sie zwei Möglichkeiten:',
      '- eine eigene neue Firma anlegen (Menü Firma), oder',
      '- einen Benutzer Ihrer Firma bitten, Ihr Konto zur bestehenden Firma hinzuzufügen.',
      'Haben Sie versehentlich eine eigene Firma angelegt, bitten Sie einen Benutzer Ihrer Firma, sie in seine zu importieren.',
      'Eine neue Firma beginnt mit einem Projekt namens DEFAULT. Wählen Sie im Menü Projekte ein Projekt aus: Die Auswahl gilt auch für die anderen Seiten.',
      'Erhöhen Sie das Guthaben des ausgewählten Projekts mit einem Aktivierungsschlüssel (Aktivierungen → Hinzufügen), fügen Sie Ihre Geräte hinzu (Geräte) und geben Sie ihnen auf der Geräteseite Lizenzen aus dem Guthaben. Laden Sie dort die Lizenzdatei herunter, oder lassen Sie das Gerät sie selbst holen.',
      'Ein Benutzer kann Mitglied mehrerer Firmen sein; oben rechts wechseln Sie zwischen ihnen.',
      'Der Hilfe-Link rechts im Menü öffnet die Hilfe des Menüs, in dem Sie sind.',
    ],
  },
  ssa: {
    title: 'SSA-Leitfaden',
    body: [
      'SSA (Software Service Agreement) hält die Lizenzen eines Projekts bis zu einem SSA-Enddatum aktualisierbar.',
      'Stellen Sie ein Projekt auf seiner Seite unter SSA (Projekte → das Projekt → SSA): Geben Sie ein SSA-Enddatum ein, das nicht in der Vergangenheit liegt. An diesem Tag laufen alle SSA-Lizenzen aller Geräte des Projekts ab.',
      'Sie sehen dann eine Übersicht aller Lizenzen, die unter SSA kommen, und der nötigen SSC-Lizenzen, je Lizenz aus ihrem Bindungsdatum und dem SSA-Enddatum berechnet. Gebucht wird erst, wenn Sie bestätigen; die SSC werden aus dem Guthaben bezahlt.',
      'Eine Lizenz einer älteren Version als der aktuellen zahlt ab dem Erscheinungsdatum der nächsten Version (es steht als ihr Berechnungsdatum da).',
      'Eine Lizenz, die schon ein SSA-Datum hat, zahlt nur die Differenz bis zum neuen Enddatum.',
      'Liegt das Bindungsdatum in der Vergangenheit, werden die Tage zwischen Bindungsdatum und heute doppelt bezahlt (Spalte Tage × 2); ebenso die Zeit zwischen einem abgelaufenen SSA-Datum und heute.',
      'Setzen Sie SSA nicht auf ein Projekt, in das Sie noch Geräte aus dem alten Lizenzmanager importieren wollen: Setzen Sie es nach dem Import.',
      'Beim Verschieben von Geräten in ein SSA-Projekt sehen Sie zuerst dieselbe Berechnung, da ihre Lizenzen bis zum SSA-Enddatum des Projekts verlängert werden.',
    ],
  },
};

export const HELP_PAGES: Record<Lang, Partial<Record<HelpTopic, HelpPage>>> = {
  en: EN,
  de: DE,
  it: {},
  nl: {},
  fr: {},
};

export const HELP_CHROME: Record<Lang, HelpChrome> = {
  en: {
    help: 'Help',
    linkTitle: 'The help of this menu',
    indexTitle: 'Help',
    indexIntro: 'Short guides to the portal, and the help of each menu.',
    guides: 'Guides',
    menus: 'The menus',
    configurator: 'Configurator',
    configuratorIntro: 'The PBX Configurator:',
    notTranslated: 'This page is not written in English yet; here is the English text.',
    back: 'All help pages',
  },
  de: {
    help: 'Hilfe',
    linkTitle: 'Die Hilfe zu diesem Menü',
    indexTitle: 'Hilfe',
    indexIntro: 'Kurze Leitfäden zum Portal und die Hilfe zu jedem Menü.',
    guides: 'Leitfäden',
    menus: 'Die Menüs',
    configurator: 'Konfigurator',
    configuratorIntro: 'Der PBX-Konfigurator:',
    notTranslated: 'Diese Seite gibt es noch nicht auf Deutsch; hier ist der englische Text.',
    back: 'Alle Hilfeseiten',
  },
  it: {
    help: 'Aiuto',
    linkTitle: "L'aiuto di questo menu",
    indexTitle: 'Aiuto',
    indexIntro: "Brevi guide al portale e l'aiuto di ogni menu.",
    guides: 'Guide',
    menus: 'I menu',
    configurator: 'Configuratore',
    configuratorIntro: 'Il configuratore PBX:',
    notTranslated: 'Questa pagina non è ancora scritta in italiano; ecco il testo inglese.',
    back: 'Tutte le pagine di aiuto',
  },
  nl: {
    help: 'Help',
    linkTitle: 'De help van dit menu',
    indexTitle: 'Help',
    indexIntro: 'Korte handleidingen voor het portaal en de help van elk menu.',
    guides: 'Handleidingen',
    menus: 'De menu’s',
    configurator: 'Configurator',
    configuratorIntro: 'De PBX-configurator:',
    notTranslated: 'Deze pagina is nog niet in het Nederlands geschreven; hier is de Engelse tekst.',
    back: 'Alle helppagina’s',
  },
  fr: {
    help: 'Aide',
    linkTitle: "L'aide de ce menu",
    indexTitle: 'Aide',
    indexIntro: "De courts guides du portail et l'aide de chaque menu.",
    guides: 'Guides',
    menus: 'Les menus',
    configurator: 'Configurateur',
    configuratorIntro: 'Le configurateur PBX :',
    notTranslated: "Cette page n'est pas encore écrite en français ; voici le texte anglais.",
    back: "Toutes les pages d'aide",
  },
};

/** The page of a topic in a language, or the English one (`translated: false`). */
export function helpPage(lang: Lang, topic: HelpTopic): { page: HelpPage; translated: boolean } {
  const own = HELP_PAGES[lang][topic];
  return own ? { page: own, translated: true } : { page: EN[topic], translated: false };
}

export const isHelpTopic = (s: string): s is HelpTopic => (HELP_TOPICS as readonly string[]).includes(s);

/** Seed L33: the help link at the right of the tab menu leads to the help of the menu you are in. */
export const helpPath = (active: string | undefined): string =>
  active !== undefined && isHelpTopic(active) ? `/help/${active}` : '/help';
