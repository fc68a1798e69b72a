import { defineMessages } from '../define-messages.js';

/** The texts of a project's Import from the old license manager (seed L76–81, L305–321) in the five languages. */
export const importMessages = defineMessages({
  en: {
    impTitle: 'Import into {project}',
    impLink: 'Import from the old license manager',
    impIntro:
      'Import your devices, their licenses and your old balance from your old license manager account (license.innovaphone.com) into this project. Log in with your old account first: you then see the balance of all users of your old group and all your devices.',
    impSsaRefused:
      'This project is under SSA until {date}: nothing can be imported into it. Import into a project without SSA, then move the devices into this project and confirm the SSC summary there.',
    impLoginHeading: 'Log in to your old account',
    impEmail: 'E-mail address of the old account',
    impPassword: 'Password of the old account',
    impLoginButton: 'Log in and show my old balance and devices',
    impLoginFailed: 'E-mail or password of the old account is wrong.',
    impRateLimited: 'Too many failed log-ins for this old account: wait a quarter of an hour and try again.',
    impElsewhere:
      'This old account was imported into another company: the rest of it can only be imported there.',
    impExpired: 'The log-in to the old account has expired: log in to it again.',
    impBalanceHeading: 'Old balance of your group ({users} users)',
    impBalanceNone: 'No old balance is left to import.',
    impBalanceDone: 'The balance of this old group was imported already.',
    impDevicesHeading: 'Devices of your old account',
    impChoose: 'Import',
    impChooseDevice: 'Import {device}',
    impDevice: 'Device',
    impType: 'Type',
    impLicenses: 'Licenses',
    impNote: 'Error or warning',
    impNoDevices: 'Your old account has no devices.',
    impErrAlreadyInCompany:
      'Already In Company: this device already exists in your company and cannot be imported. To import it anyway, delete it from its project first.',
    impErrAlreadyImported:
      'Already Imported: this device has been imported already. You cannot import it again.',
    impErrNotFound: 'Not Found: this device was not found in the device database. Contact the administrator.',
    impWarnSeveralCompanies:
      'Several Companies: this device is already in another company. Either you do not have the physical device or it once belonged to another company. You can still import it and get access to all of its current licenses.',
    impWarnSeveralUsers:
      'Several Users: this device has licenses from several users of the old license manager. You are not necessarily the one who physically owns it. If you do not own it, do not import it.',
    impLockWarning:
      'By confirming this import, all users of your old group are locked in the old license manager. You can import the devices you do not choose now into another project later.',
    impSlow: 'Importing your old balance and devices might take a while.',
    impConfirm: 'Import the chosen devices and the balance into {project}',
    impNothingChosen: 'Choose at least one device to import.',
    impDone: '{devices} device(s) imported into this project.',
    impMacHeading: 'Import a single MAC address',
    impMacHint:
      'If you own the device but have created no licenses for it in your old account: it comes with its licenses; your old account and its balance are not affected.',
    impMac: 'MAC address',
    impMacButton: 'Import this device',
    impMacInvalid: 'This is not a valid MAC address.',
    impMacNotInOld: 'This device is not in the old license manager.',
    impMacDone: 'Device {device} imported into this project.',
  },
  de: {
    impTitle: 'Import in {project}',
    impLink: 'Import aus dem alten Lizenzmanager',
    impIntro:
      'Importieren Sie Ihre Geräte, deren Lizenzen und Ihr altes Guthaben aus Ihrem Konto im alten Lizenzmanager (license.innovaphone.com) in dieses Projekt. Melden Sie sich zuerst mit Ihrem alten Konto an: Dann sehen Sie das Guthaben aller Benutzer Ihrer alten Gruppe und alle Ihre Geräte.',
    impSsaRefused:
      'Dieses Projekt hat SSA bis {date}: Hierhin kann nichts importiert werden. Importieren Sie in ein Projekt ohne SSA, verschieben Sie die Geräte dann in dieses Projekt und bestätigen Sie dort die SSC-Übersicht.',
    impLoginHeading: 'Am alten Konto anmelden',
    impEmail: 'E-Mail-Adresse des alten Kontos',
    impPassword: 'Passwort des alten Kontos',
    impLoginButton: 'Anmelden und mein altes Guthaben und meine Geräte zeigen',
    impLoginFailed: 'E-Mail-Adresse oder Passwort des alten Kontos ist falsch.',
    impRateLimited:
      'Zu viele fehlgeschlagene Anmeldungen für dieses alte Konto: Warten Sie eine Viertelstunde und versuchen Sie es erneut.',
    impElsewhere:
      'Dieses alte Konto wurde in eine andere Firma importiert: Der Rest davon kann nur dort importiert werden.',
    impExpired: 'Die Anmeldung am alten Konto ist abgelaufen: Melden Sie sich erneut an.',
    impBalanceHeading: 'Altes Guthaben Ihrer Gruppe ({users} Benutzer)',
    impBalanceNone: 'Es ist kein altes Guthaben mehr zu importieren.',
    impBalanceDone: 'Das Guthaben dieser alten Gruppe wurde bereits importiert.',
    impDevicesHeading: 'Geräte Ihres alten Kontos',
    impChoose: 'Importieren',
    impChooseDevice: '{device} importieren',
    impDevice: 'Gerät',
    impType: 'Typ',
    impLicenses: 'Lizenzen',
    impNote: 'Fehler oder Warnung',
    impNoDevices: 'Ihr altes Konto hat keine Geräte.',
    impErrAlreadyInCompany:
      'Bereits in der Firma: Dieses Gerät ist bereits in Ihrer Firma und kann nicht importiert werden. Um es trotzdem zu importieren, löschen Sie es zuerst aus seinem Projekt.',
    impErrAlreadyImported:
      'Bereits importiert: Dieses Gerät wurde bereits importiert. Sie können es nicht erneut importieren.',
    impErrNotFound:
      'Nicht gefunden: Dieses Gerät wurde in der Gerätedatenbank nicht gefunden. Wenden Sie sich an den Administrator.',
    impWarnSeveralCompanies:
      'Mehrere Firmen: Dieses Gerät ist bereits in einer anderen Firma. Entweder haben Sie das physische Gerät nicht, oder es gehörte einmal einer anderen Firma. Sie können es trotzdem importieren und erhalten Zugriff auf alle seine aktuellen Lizenzen.',
    impWarnSeveralUsers:
      'Mehrere Benutzer: Dieses Gerät hat Lizenzen von mehreren Benutzern des alten Lizenzmanagers. Sie sind nicht unbedingt der Besitzer des Geräts. Wenn es Ihnen nicht gehört, importieren Sie es nicht.',
    impLockWarning:
      'Mit der Bestätigung dieses Imports werden alle Benutzer Ihrer alten Gruppe im alten Lizenzmanager gesperrt. Die Geräte, die Sie jetzt nicht wählen, können Sie später in ein anderes Projekt importieren.',
    impSlow: 'Der Import Ihres alten Guthabens und Ihrer Geräte kann eine Weile dauern.',
    impConfirm: 'Die gewählten Geräte und das Guthaben in {project} importieren',
    impNothingChosen: 'Wählen Sie mindestens ein Gerät zum Import.',
    impDone: '{devices} Gerät(e) in dieses Projekt importiert.',
    impMacHeading: 'Eine einzelne MAC-Adresse importieren',
    impMacHint:
      'Wenn Ihnen das Gerät gehört, Sie im alten Konto aber keine Lizenzen dafür erstellt haben: Es kommt mit seinen Lizenzen; Ihr altes Konto und sein Guthaben bleiben unberührt.',
    impMac: 'MAC-Adresse',
    impMacButton: 'Dieses Gerät importieren',
    impMacInvalid: 'Das ist keine gültige MAC-Adresse.',
    impMacNotInOld: 'Dieses Gerät ist nicht im alten Lizenzmanager.',
    impMacDone: 'Gerät {device} in dieses Projekt importiert.',
  },
  it: {
    impTitle: 'Importa in {project}',
    impLink: 'Importa dal vecchio license manager',
    impIntro:
      'Importa in questo progetto i tuoi dispositivi, le loro licenze e il tuo vecchio saldo dal tuo account del vecchio license manager (license.innovaphone.com). Accedi prima con il vecchio account: vedrai il saldo di tutti gli utenti del tuo vecchio gruppo e tutti i tuoi dispositivi.',
    impSsaRefused:
      'Questo progetto è in SSA fino al {date}: non vi si può importare nulla. Importa in un progetto senza SSA, poi sposta i dispositivi in questo progetto e conferma lì il riepilogo SSC.',
    impLoginHeading: 'Accedi al vecchio account',
    impEmail: 'Indirizzo e-mail del vecchio account',
    impPassword: 'Password del vecchio account',
    impLoginButton: 'Accedi e mostra il mio vecchio saldo e i miei dispositivi',
    impLoginFailed: "L'e-mail o la password del vecchio account è errata.",
    impRateLimited: 'Troppi accessi falliti per questo vecchio account: attendi un quarto d’ora e riprova.',
    impElsewhere:
      'Questo vecchio account è stato importato in un’altra azienda: il resto può essere importato solo lì.',
    impExpired: 'L’accesso al vecchio account è scaduto: accedi di nuovo.',
    impBalanceHeading: 'Vecchio saldo del tuo gruppo ({users} utenti)',
    impBalanceNone: 'Non resta alcun vecchio saldo da importare.',
    impBalanceDone: 'Il saldo di questo vecchio gruppo è già stato importato.',
    impDevicesHeading: 'Dispositivi del tuo vecchio account',
    impChoose: 'Importa',
    impChooseDevice: 'Importa {device}',
    impDevice: 'Dispositivo',
    impType: 'Tipo',
    impLicenses: 'Licenze',
    impNote: 'Errore o avviso',
    impNoDevices: 'Il tuo vecchio account non ha dispositivi.',
    impErrAlreadyInCompany:
      'Già nell’azienda: questo dispositivo esiste già nella tua azienda e non può essere importato. Per importarlo comunque, eliminalo prima dal suo progetto.',
    impErrAlreadyImported:
      'Già importato: questo dispositivo è già stato importato. Non puoi importarlo di nuovo.',
    impErrNotFound:
      'Non trovato: questo dispositivo non è stato trovato nel database dei dispositivi. Contatta l’amministratore.',
    impWarnSeveralCompanies:
      'Più aziende: questo dispositivo è già in un’altra azienda. O non possiedi il dispositivo fisico, o un tempo apparteneva a un’altra azienda. Puoi comunque importarlo e avrai accesso a tutte le sue licenze attuali.',
    impWarnSeveralUsers:
      'Più utenti: questo dispositivo ha licenze di più utenti del vecchio license manager. Non sei necessariamente tu a possederlo fisicamente. Se non è tuo, non importarlo.',
    impLockWarning:
      'Confermando questa importazione, tutti gli utenti del tuo vecchio gruppo vengono bloccati nel vecchio license manager. I dispositivi che non scegli ora puoi importarli più tardi in un altro progetto.',
    impSlow: 'L’importazione del vecchio saldo e dei dispositivi può richiedere un po’ di tempo.',
    impConfirm: 'Importa i dispositivi scelti e il saldo in {project}',
    impNothingChosen: 'Scegli almeno un dispositivo da importare.',
    impDone: '{devices} dispositivo/i importato/i in questo progetto.',
    impMacHeading: 'Importa un singolo indirizzo MAC',
    impMacHint:
      'Se possiedi il dispositivo ma non hai creato licenze per esso nel vecchio account: arriva con le sue licenze; il vecchio account e il suo saldo non vengono toccati.',
    impMac: 'Indirizzo MAC',
    impMacButton: 'Importa questo dispositivo',
    impMacInvalid: 'Questo non è un indirizzo MAC valido.',
    impMacNotInOld: 'Questo dispositivo non è nel vecchio license manager.',
    impMacDone: 'Dispositivo {device} importato in questo progetto.',
  },
  nl: {
    impTitle: 'Importeren in {project}',
    impLink: 'Importeren uit de oude licentiemanager',
    impIntro:
      'Importeer uw apparaten, hun licenties en uw oude saldo uit uw account in de oude licentiemanager (license.innovaphone.com) in dit project. Meld u eerst aan met uw oude account: u ziet dan het saldo van alle gebruikers van uw oude groep en al uw apparaten.',
    impSsaRefused:
      'Dit project heeft SSA tot {date}: er kan niets in worden geïmporteerd. Importeer in een project zonder SSA, verplaats de apparaten daarna naar dit project en bevestig daar het SSC-overzicht.',
    impLoginHeading: 'Aanmelden bij uw oude account',
    impEmail: 'E-mailadres van het oude account',
    impPassword: 'Wachtwoord van het oude account',
    impLoginButton: 'Aanmelden en mijn oude saldo en apparaten tonen',
    impLoginFailed: 'E-mailadres of wachtwoord van het oude account is onjuist.',
    impRateLimited:
      'Te veel mislukte aanmeldingen voor dit oude account: wacht een kwartier en probeer het opnieuw.',
    impElsewhere:
      'Dit oude account is in een ander bedrijf geïmporteerd: de rest ervan kan alleen daar worden geïmporteerd.',
    impExpired: 'De aanmelding bij het oude account is verlopen: meld u opnieuw aan.',
    impBalanceHeading: 'Oud saldo van uw groep ({users} gebruikers)',
    impBalanceNone: 'Er is geen oud saldo meer om te importeren.',
    impBalanceDone: 'Het saldo van deze oude groep is al geïmporteerd.',
    impDevicesHeading: 'Apparaten van uw oude account',
    impChoose: 'Importeren',
    impChooseDevice: '{device} importeren',
    impDevice: 'Apparaat',
    impType: 'Type',
    impLicenses: 'Licenties',
    impNote: 'Fout of waarschuwing',
    impNoDevices: 'Uw oude account heeft geen apparaten.',
    impErrAlreadyInCompany:
      'Al in bedrijf: dit apparaat bestaat al in uw bedrijf en kan niet worden geïmporteerd. Verwijder het eerst uit zijn project om het toch te importeren.',
    impErrAlreadyImported:
      'Al geïmporteerd: dit apparaat is al geïmporteerd. U kunt het niet opnieuw importeren.',
    impErrNotFound:
      'Niet gevonden: dit apparaat is niet gevonden in de apparatendatabase. Neem contact op met de beheerder.',
    impWarnSeveralCompanies:
      'Meerdere bedrijven: dit apparaat is al in een ander bedrijf. Ofwel hebt u het fysieke apparaat niet, ofwel was het ooit van een ander bedrijf. U kunt het toch importeren en krijgt toegang tot al zijn huidige licenties.',
    impWarnSeveralUsers:
      'Meerdere gebruikers: dit apparaat heeft licenties van meerdere gebruikers van de oude licentiemanager. U bent niet noodzakelijk degene die het fysiek bezit. Als het niet van u is, importeer het dan niet.',
    impLockWarning:
      'Door deze import te bevestigen worden alle gebruikers van uw oude groep in de oude licentiemanager geblokkeerd. De apparaten die u nu niet kiest, kunt u later in een ander project importeren.',
    impSlow: 'Het importeren van uw oude saldo en apparaten kan even duren.',
    impConfirm: 'De gekozen apparaten en het saldo in {project} importeren',
    impNothingChosen: 'Kies ten minste één apparaat om te importeren.',
    impDone: '{devices} apparaat/apparaten in dit project geïmporteerd.',
    impMacHeading: 'Eén MAC-adres importeren',
    impMacHint:
      'Als het apparaat van u is maar u er in uw oude account geen licenties voor hebt gemaakt: het komt met zijn licenties; uw oude account en zijn saldo blijven ongemoeid.',
    impMac: 'MAC-adres',
    impMacButton: 'Dit apparaat importeren',
    impMacInvalid: 'Dit is geen geldig MAC-adres.',
    impMacNotInOld: 'Dit apparaat staat niet in de oude licentiemanager.',
    impMacDone: 'Apparaat {device} in dit project geïmporteerd.',
  },
  fr: {
    impTitle: 'Importer dans {project}',
    impLink: "Importer depuis l'ancien gestionnaire de licences",
    impIntro:
      "Importez dans ce projet vos appareils, leurs licences et votre ancien solde depuis votre compte de l'ancien gestionnaire de licences (license.innovaphone.com). Connectez-vous d'abord avec votre ancien compte : vous verrez alors le solde de tous les utilisateurs de votre ancien groupe et tous vos appareils.",
    impSsaRefused:
      "Ce projet est sous SSA jusqu'au {date} : rien ne peut y être importé. Importez dans un projet sans SSA, puis déplacez les appareils dans ce projet et confirmez-y le récapitulatif SSC.",
    impLoginHeading: 'Se connecter à votre ancien compte',
    impEmail: "Adresse e-mail de l'ancien compte",
    impPassword: "Mot de passe de l'ancien compte",
    impLoginButton: 'Se connecter et afficher mon ancien solde et mes appareils',
    impLoginFailed: "L'e-mail ou le mot de passe de l'ancien compte est incorrect.",
    impRateLimited:
      "Trop d'échecs de connexion pour cet ancien compte : attendez un quart d'heure et réessayez.",
    impElsewhere:
      'Cet ancien compte a été importé dans une autre société : le reste ne peut être importé que là-bas.',
    impExpired: "La connexion à l'ancien compte a expiré : reconnectez-vous.",
    impBalanceHeading: 'Ancien solde de votre groupe ({users} utilisateurs)',
    impBalanceNone: "Il ne reste plus d'ancien solde à importer.",
    impBalanceDone: 'Le solde de cet ancien groupe a déjà été importé.',
    impDevicesHeading: 'Appareils de votre ancien compte',
    impChoose: 'Importer',
    impChooseDevice: 'Importer {device}',
    impDevice: 'Appareil',
    impType: 'Type',
    impLicenses: 'Licences',
    impNote: 'Erreur ou avertissement',
    impNoDevices: "Votre ancien compte n'a aucun appareil.",
    impErrAlreadyInCompany:
      "Déjà dans la société : cet appareil existe déjà dans votre société et ne peut pas être importé. Pour l'importer quand même, supprimez-le d'abord de son projet.",
    impErrAlreadyImported:
      'Déjà importé : cet appareil a déjà été importé. Vous ne pouvez pas le réimporter.',
    impErrNotFound:
      "Introuvable : cet appareil n'a pas été trouvé dans la base de données des appareils. Contactez l'administrateur.",
    impWarnSeveralCompanies:
      "Plusieurs sociétés : cet appareil est déjà dans une autre société. Soit vous n'avez pas l'appareil physique, soit il a appartenu à une autre société. Vous pouvez quand même l'importer et vous aurez accès à toutes ses licences actuelles.",
    impWarnSeveralUsers:
      "Plusieurs utilisateurs : cet appareil a des licences de plusieurs utilisateurs de l'ancien gestionnaire de licences. Vous n'êtes pas forcément celui qui le possède physiquement. S'il n'est pas à vous, ne l'importez pas.",
    impLockWarning:
      "En confirmant cette importation, tous les utilisateurs de votre ancien groupe sont bloqués dans l'ancien gestionnaire de licences. Les appareils que vous ne choisissez pas maintenant pourront être importés plus tard dans un autre projet.",
    impSlow: "L'importation de votre ancien solde et de vos appareils peut prendre un moment.",
    impConfirm: 'Importer les appareils choisis et le solde dans {project}',
    impNothingChosen: 'Choisissez au moins un appareil à importer.',
    impDone: '{devices} appareil(s) importé(s) dans ce projet.',
    impMacHeading: 'Importer une seule adresse MAC',
    impMacHint:
      "Si l'appareil est à vous mais que vous n'avez créé aucune licence pour lui dans votre ancien compte : il arrive avec ses licences ; votre ancien compte et son solde ne sont pas touchés.",
    impMac: 'Adresse MAC',
    impMacButton: 'Importer cet appareil',
    impMacInvalid: "Ce n'est pas une adresse MAC valide.",
    impMacNotInOld: "Cet appareil n'est pas dans l'ancien gestionnaire de licences.",
    impMacDone: 'Appareil {device} importé dans ce projet.',
  },
});
