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

/**
 * The password reset mail (`{name}`, `{link}`: where the new password is sent, `{token}`: the one-time
 * code, `{minutes}`). The link opens the portal's page for the new password; scripts use the code.
 */
export const PASSWORD_RESET_MAIL: Record<Language, { subject: string; text: string }> = {
  en: {
    subject: 'Reset your mylic password',
    text: 'Hello {name},\n\nsomeone (hopefully you) asked to reset the password of your mylic account.\nChoose a new password here:\n{link}\n\nThe link works once, for {minutes} minutes, and logs out all your sessions and API tokens. (For scripts: the code {token} with the new password, POST /api/v1/password-reset/confirm.) If you did not ask for it, ignore this mail: your password stays as it is.\n',
  },
  de: {
    subject: 'Setzen Sie Ihr mylic-Passwort zurück',
    text: 'Hallo {name},\n\njemand (hoffentlich Sie) möchte das Passwort Ihres mylic-Kontos zurücksetzen.\nWählen Sie hier ein neues Passwort:\n{link}\n\nDer Link gilt einmal, {minutes} Minuten lang, und meldet alle Ihre Sitzungen und API-Tokens ab. (Für Skripte: der Code {token} mit dem neuen Passwort, POST /api/v1/password-reset/confirm.) Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.\n',
  },
  it: {
    subject: 'Reimposta la tua password mylic',
    text: "Ciao {name},\n\nqualcuno (speriamo tu) ha chiesto di reimpostare la password del tuo account mylic.\nScegli qui una nuova password:\n{link}\n\nIl link vale una sola volta, per {minutes} minuti, e chiude tutte le tue sessioni e i token API. (Per gli script: il codice {token} con la nuova password, POST /api/v1/password-reset/confirm.) Se non l'hai chiesto tu, ignora questa e-mail: la tua password resta invariata.\n",
  },
  nl: {
    subject: 'Stel uw mylic-wachtwoord opnieuw in',
    text: 'Hallo {name},\n\niemand (hopelijk u) heeft gevraagd het wachtwoord van uw mylic-account opnieuw in te stellen.\nKies hier een nieuw wachtwoord:\n{link}\n\nDe link werkt één keer, {minutes} minuten lang, en beëindigt al uw sessies en API-tokens. (Voor scripts: de code {token} met het nieuwe wachtwoord, POST /api/v1/password-reset/confirm.) Hebt u dit niet gevraagd, negeer dan deze e-mail: uw wachtwoord blijft ongewijzigd.\n',
  },
  fr: {
    subject: 'Réinitialisez votre mot de passe mylic',
    text: "Bonjour {name},\n\nquelqu'un (vous, espérons-le) a demandé la réinitialisation du mot de passe de votre compte mylic.\nChoisissez ici un nouveau mot de passe :\n{link}\n\nLe lien ne sert qu'une fois, pendant {minutes} minutes, et ferme toutes vos sessions et jetons API. (Pour les scripts : le code {token} avec le nouveau mot de passe, POST /api/v1/password-reset/confirm.) Si vous ne l'avez pas demandé, ignorez cet e-mail : votre mot de passe reste inchangé.\n",
  },
};

/** To the owner of an address someone tried to register again (`{name}`, `{link}`: the reset request). */
export const REGISTRATION_ATTEMPT_MAIL: Record<Language, { subject: string; text: string }> = {
  en: {
    subject: 'Someone tried to register with your address at mylic',
    text: 'Hello {name},\n\nsomeone tried to register a new mylic account with your e-mail address, which already has an account. Nothing was changed.\n\nIf it was you: log in with your password, or if you forgot it, reset it ({link}).\nIf it was not you, ignore this mail.\n',
  },
  de: {
    subject: 'Jemand wollte sich mit Ihrer Adresse bei mylic registrieren',
    text: 'Hallo {name},\n\njemand wollte mit Ihrer E-Mail-Adresse ein neues mylic-Konto anlegen; für diese Adresse gibt es bereits ein Konto. Es wurde nichts geändert.\n\nWaren Sie es: Melden Sie sich mit Ihrem Passwort an, oder setzen Sie es zurück, wenn Sie es vergessen haben ({link}).\nWaren Sie es nicht, ignorieren Sie diese E-Mail.\n',
  },
  it: {
    subject: 'Qualcuno ha provato a registrarsi con il tuo indirizzo su mylic',
    text: "Ciao {name},\n\nqualcuno ha provato a creare un nuovo account mylic con il tuo indirizzo e-mail, che ha già un account. Non è stato cambiato nulla.\n\nSe eri tu: accedi con la tua password, oppure, se l'hai dimenticata, reimpostala ({link}).\nSe non eri tu, ignora questa e-mail.\n",
  },
  nl: {
    subject: 'Iemand probeerde zich met uw adres bij mylic te registreren',
    text: 'Hallo {name},\n\niemand probeerde een nieuw mylic-account aan te maken met uw e-mailadres, dat al een account heeft. Er is niets gewijzigd.\n\nWas u het: log in met uw wachtwoord, of stel het opnieuw in als u het vergeten bent ({link}).\nWas u het niet, negeer dan deze e-mail.\n',
  },
  fr: {
    subject: "Quelqu'un a essayé de s'inscrire avec votre adresse sur mylic",
    text: "Bonjour {name},\n\nquelqu'un a essayé de créer un nouveau compte mylic avec votre adresse e-mail, qui a déjà un compte. Rien n'a été modifié.\n\nSi c'était vous : connectez-vous avec votre mot de passe, ou réinitialisez-le si vous l'avez oublié ({link}).\nSinon, ignorez cet e-mail.\n",
  },
};

export const fill = (template: string, values: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
