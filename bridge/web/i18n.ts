/**
 * The portal pages' texts in the five languages of the seed (Language selection: English, German,
 * Italian, Dutch, French). English is the reference: every other language must have exactly its keys
 * (the type says so, and test/web/i18n.test.ts checks it at run time too). Dates go through Intl.
 */
export const LANGUAGES = ['en', 'de', 'it', 'nl', 'fr'] as const;
export type Lang = (typeof LANGUAGES)[number];

const en = {
  notActivated: 'This account is not activated yet. Open the activation link in the e-mail we sent you, then log in.',
  languageName: 'English',
  portal: 'License portal',
  language: 'Language',
  logIn: 'Log in',
  logOut: 'Log out',
  email: 'E-mail address',
  password: 'Password',
  loginTitle: 'Log in to the license portal',
  loginIntro: 'Log in with the e-mail address and password of your portal account.',
  loginFailed: 'The e-mail address or the password is wrong. Check both and try again.',
  loginLimited: 'Too many failed log-ins. Wait {minutes} minutes and try again, or reset your password.',
  loginNeeded: 'Log in to see this page.',
  loggedOut: 'You are logged out.',
  errorSummary: 'There is a problem',
  fieldRequired: 'Enter your {field}.',
  sessionExpired: 'Your form was too old or came from another page. Send it again.',
  projects: 'Projects',
  projectsIntro: 'The projects of {company}. The selected project is used by all other pages.',
  project: 'Project',
  description: 'Description',
  ssaEnd: 'SSA until',
  noSsa: 'no SSA',
  external: 'shared with you by {company}',
  selected: 'selected',
  noProjects: 'This company has no projects yet.',
  noCompany: 'You are not in a company yet. Create one or ask a company admin to add you.',
  locked: 'Your account is locked in this company. Ask a company admin to unlock it.',
  company: 'Company',
  notFoundTitle: 'Page not found',
  notFound: 'There is nothing here, or it is not yours to see.',
  skipToContent: 'Skip to content',
} as const;

type Messages = { readonly [K in keyof typeof en]: string };

const de = {
  notActivated: 'Dieses Konto ist noch nicht aktiviert. Öffnen Sie den Aktivierungslink aus der E-Mail, die wir Ihnen geschickt haben, und melden Sie sich dann an.',
  languageName: 'Deutsch',
  portal: 'Lizenzportal',
  language: 'Sprache',
  logIn: 'Anmelden',
  logOut: 'Abmelden',
  email: 'E-Mail-Adresse',
  password: 'Passwort',
  loginTitle: 'Am Lizenzportal anmelden',
  loginIntro: 'Melden Sie sich mit der E-Mail-Adresse und dem Passwort Ihres Portalkontos an.',
  loginFailed: 'E-Mail-Adresse oder Passwort ist falsch. Prüfen Sie beides und versuchen Sie es erneut.',
  loginLimited: 'Zu viele fehlgeschlagene Anmeldungen. Warten Sie {minutes} Minuten und versuchen Sie es erneut, oder setzen Sie Ihr Passwort zurück.',
  loginNeeded: 'Melden Sie sich an, um diese Seite zu sehen.',
  loggedOut: 'Sie sind abgemeldet.',
  errorSummary: 'Es gibt ein Problem',
  fieldRequired: 'Geben Sie Ihre {field} ein.',
  sessionExpired: 'Ihr Formular war zu alt oder kam von einer anderen Seite. Senden Sie es erneut.',
  projects: 'Projekte',
  projectsIntro: 'Die Projekte von {company}. Das ausgewählte Projekt gilt für alle anderen Seiten.',
  project: 'Projekt',
  description: 'Beschreibung',
  ssaEnd: 'SSA bis',
  noSsa: 'kein SSA',
  external: 'freigegeben von {company}',
  selected: 'ausgewählt',
  noProjects: 'Diese Firma hat noch keine Projekte.',
  noCompany: 'Sie gehören noch zu keiner Firma. Legen Sie eine an oder bitten Sie einen Firmenadministrator, Sie hinzuzufügen.',
  locked: 'Ihr Konto ist in dieser Firma gesperrt. Bitten Sie einen Firmenadministrator, es zu entsperren.',
  company: 'Firma',
  notFoundTitle: 'Seite nicht gefunden',
  notFound: 'Hier gibt es nichts, oder es ist nicht für Sie bestimmt.',
  skipToContent: 'Zum Inhalt springen',
} as const satisfies Messages;

const it = {
  notActivated: "Questo account non è ancora attivato. Apri il link di attivazione nell'e-mail che ti abbiamo inviato, poi accedi.",
  languageName: 'Italiano',
  portal: 'Portale licenze',
  language: 'Lingua',
  logIn: 'Accedi',
  logOut: 'Esci',
  email: 'Indirizzo e-mail',
  password: 'Password',
  loginTitle: 'Accedi al portale licenze',
  loginIntro: "Accedi con l'indirizzo e-mail e la password del tuo account del portale.",
  loginFailed: "L'indirizzo e-mail o la password non sono corretti. Controlla entrambi e riprova.",
  loginLimited: 'Troppi accessi non riusciti. Attendi {minutes} minuti e riprova, oppure reimposta la password.',
  loginNeeded: 'Accedi per vedere questa pagina.',
  loggedOut: 'Sei uscito.',
  errorSummary: "C'è un problema",
  fieldRequired: 'Inserisci il tuo {field}.',
  sessionExpired: "Il modulo era troppo vecchio o proveniva da un'altra pagina. Invialo di nuovo.",
  projects: 'Progetti',
  projectsIntro: 'I progetti di {company}. Il progetto selezionato vale per tutte le altre pagine.',
  project: 'Progetto',
  description: 'Descrizione',
  ssaEnd: 'SSA fino al',
  noSsa: 'nessun SSA',
  external: 'condiviso con te da {company}',
  selected: 'selezionato',
  noProjects: 'Questa azienda non ha ancora progetti.',
  noCompany: "Non fai ancora parte di un'azienda. Creane una o chiedi a un amministratore di aggiungerti.",
  locked: "Il tuo account è bloccato in quest'azienda. Chiedi a un amministratore di sbloccarlo.",
  company: 'Azienda',
  notFoundTitle: 'Pagina non trovata',
  notFound: 'Qui non c\u2019è nulla, oppure non è visibile per te.',
  skipToContent: 'Vai al contenuto',
} as const satisfies Messages;

const nl = {
  notActivated: 'Dit account is nog niet geactiveerd. Open de activeringslink in de e-mail die we u stuurden en log daarna in.',
  languageName: 'Nederlands',
  portal: 'Licentieportaal',
  language: 'Taal',
  logIn: 'Inloggen',
  logOut: 'Uitloggen',
  email: 'E-mailadres',
  password: 'Wachtwoord',
  loginTitle: 'Inloggen op het licentieportaal',
  loginIntro: 'Log in met het e-mailadres en wachtwoord van uw portaalaccount.',
  loginFailed: 'Het e-mailadres of het wachtwoord is onjuist. Controleer beide en probeer het opnieuw.',
  loginLimited: 'Te veel mislukte inlogpogingen. Wacht {minutes} minuten en probeer het opnieuw, of stel uw wachtwoord opnieuw in.',
  loginNeeded: 'Log in om deze pagina te zien.',
  loggedOut: 'U bent uitgelogd.',
  errorSummary: 'Er is een probleem',
  fieldRequired: 'Vul uw {field} in.',
  sessionExpired: 'Uw formulier was te oud of kwam van een andere pagina. Verstuur het opnieuw.',
  projects: 'Projecten',
  projectsIntro: 'De projecten van {company}. Het gekozen project geldt voor alle andere pagina\u2019s.',
  project: 'Project',
  description: 'Beschrijving',
  ssaEnd: 'SSA tot',
  noSsa: 'geen SSA',
  external: 'met u gedeeld door {company}',
  selected: 'gekozen',
  noProjects: 'Dit bedrijf heeft nog geen projecten.',
  noCompany: 'U hoort nog bij geen enkel bedrijf. Maak er een aan of vraag een bedrijfsbeheerder u toe te voegen.',
  locked: 'Uw account is in dit bedrijf geblokkeerd. Vraag een bedrijfsbeheerder het te deblokkeren.',
  company: 'Bedrijf',
  notFoundTitle: 'Pagina niet gevonden',
  notFound: 'Hier is niets, of het is niet voor u bestemd.',
  skipToContent: 'Naar de inhoud',
} as const satisfies Messages;

const fr = {
  notActivated: "Ce compte n'est pas encore activé. Ouvrez le lien d'activation de l'e-mail que nous vous avons envoyé, puis connectez-vous.",
  languageName: 'Français',
  portal: 'Portail de licences',
  language: 'Langue',
  logIn: 'Se connecter',
  logOut: 'Se déconnecter',
  email: 'Adresse e-mail',
  password: 'Mot de passe',
  loginTitle: 'Connexion au portail de licences',
  loginIntro: "Connectez-vous avec l'adresse e-mail et le mot de passe de votre compte du portail.",
  loginFailed: "L'adresse e-mail ou le mot de passe est incorrect. Vérifiez les deux et réessayez.",
  loginLimited: 'Trop de connexions échouées. Attendez {minutes} minutes et réessayez, ou réinitialisez votre mot de passe.',
  loginNeeded: 'Connectez-vous pour voir cette page.',
  loggedOut: 'Vous êtes déconnecté.',
  errorSummary: 'Il y a un problème',
  fieldRequired: 'Saisissez votre {field}.',
  sessionExpired: "Votre formulaire était trop ancien ou venait d'une autre page. Envoyez-le à nouveau.",
  projects: 'Projets',
  projectsIntro: 'Les projets de {company}. Le projet sélectionné vaut pour toutes les autres pages.',
  project: 'Projet',
  description: 'Description',
  ssaEnd: "SSA jusqu'au",
  noSsa: 'pas de SSA',
  external: 'partagé avec vous par {company}',
  selected: 'sélectionné',
  noProjects: "Cette entreprise n'a pas encore de projets.",
  noCompany: "Vous ne faites encore partie d'aucune entreprise. Créez-en une ou demandez à un administrateur de vous ajouter.",
  locked: 'Votre compte est bloqué dans cette entreprise. Demandez à un administrateur de le débloquer.',
  company: 'Entreprise',
  notFoundTitle: 'Page introuvable',
  notFound: "Il n'y a rien ici, ou ce n'est pas à vous de le voir.",
  skipToContent: 'Aller au contenu',
} as const satisfies Messages;

export const MESSAGES: Record<Lang, Messages> = { en, de, it, nl, fr };
export type MessageKey = keyof typeof en;

/** A text with its {placeholders} filled in. */
export function t(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return MESSAGES[lang][key].replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export const isLang = (s: string | undefined | null): s is Lang => (LANGUAGES as readonly string[]).includes(s ?? '');

/** The first of the five languages the browser asks for (Accept-Language), else English. */
export function fromAcceptLanguage(header: string | undefined): Lang {
  for (const part of (header ?? '').split(',')) {
    const code = part.trim().split(';')[0]!.slice(0, 2).toLowerCase();
    if (isLang(code)) return code;
  }
  return 'en';
}

export function formatDate(lang: Lang, isoDate: string): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${isoDate.slice(0, 10)}T00:00:00Z`));
}
