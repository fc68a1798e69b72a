import { defineMessages } from '../define-messages.js';

/**
 * The device page's certificate, test license and unencrypted-download texts (issue 15 items 3–5) in the
 * five languages (see define-messages.ts).
 */
export const certMessages = defineMessages({
  en: {
    crtRequestIntro:
      'With the "request certificate" right you can request a new device certificate here, also when the old one has expired. You get a confirmation file: upload it on the device under Step1 before you install license files downloaded after the request.',
    crtRequest: 'Request certificate',
    crtConfirmations: 'Certificate confirmation files',
    crtConfirmationLink: 'Confirmation file of the certificate of {date}',
    crtDoneRequested:
      'A new certificate was made for this device. Download its confirmation file below and upload it on the device under Step1.',
    crtErrForbidden: 'Your account does not have the "request certificate" right. Nothing was changed.',
    crtErrNoCertificate:
      'No certificate of this device is on record, so a new one cannot be sent to it. Ask the vendor to register the factory certificate of the device, or log in once from the device (its my.innovaphone link). Nothing was changed.',
    crtTestTitle: 'Test licenses',
    crtTestIntro:
      'Download test licenses to run tests: choose the version, whether the device is used as slave and, if not, how many PBX licenses. Since V11 a device gets one test license, for 3 months; for V6 to V10 a test license lasts 30 days.',
    crtTestVersion: 'Version of the test licenses',
    crtTestSlave: 'The device is used as slave',
    crtTestPbx: 'Number of PBX licenses (if not used as slave)',
    crtTestDownload: 'Download test licenses',
    crtErrTestUsed: 'This device has had its test license: since V11 a device gets one. Nothing was changed.',
    crtErrTestPbx: 'Enter 1 to 1000 PBX licenses, or tick that the device is used as slave.',
    crtPlainTitle: 'Unencrypted license file (V8 and later)',
    crtPlainIntro:
      "You can also download a V8 or later file without encryption. If you download the licenses unencrypted, you won't be able to return those licenses anymore.",
    crtPlainVersion: 'Version of the unencrypted file',
    crtPlainOption: 'V{version}, unencrypted ({licenses} licenses)',
    crtPlainAccept: 'I accept that the licenses in this file can never be returned.',
    crtPlainDownload: 'Download unencrypted file',
    crtErrPlainAccept:
      'Tick the box to accept that these licenses can never be returned. Nothing was downloaded.',
  },
  de: {
    crtRequestIntro:
      'Mit dem Recht „Zertifikat anfordern“ können Sie hier ein neues Gerätezertifikat anfordern, auch wenn das alte abgelaufen ist. Sie erhalten eine Bestätigungsdatei: Laden Sie sie unter Step1 auf das Gerät, bevor Sie Lizenzdateien installieren, die nach der Anforderung heruntergeladen wurden.',
    crtRequest: 'Zertifikat anfordern',
    crtConfirmations: 'Bestätigungsdateien der Zertifikate',
    crtConfirmationLink: 'Bestätigungsdatei des Zertifikats vom {date}',
    crtDoneRequested:
      'Für dieses Gerät wurde ein neues Zertifikat erstellt. Laden Sie unten seine Bestätigungsdatei herunter und unter Step1 auf das Gerät.',
    crtErrForbidden: 'Ihr Konto hat das Recht „Zertifikat anfordern“ nicht. Es wurde nichts geändert.',
    crtErrNoCertificate:
      'Von diesem Gerät ist kein Zertifikat hinterlegt, daher kann ihm kein neues geschickt werden. Bitten Sie den Hersteller, das Werkszertifikat des Geräts zu registrieren, oder melden Sie sich einmal vom Gerät aus an (über seinen my.innovaphone-Link). Es wurde nichts geändert.',
    crtTestTitle: 'Testlizenzen',
    crtTestIntro:
      'Laden Sie Testlizenzen für Tests herunter: Wählen Sie die Version, ob das Gerät als Slave verwendet wird und, wenn nicht, wie viele PBX-Lizenzen. Seit V11 erhält ein Gerät eine Testlizenz für 3 Monate; für V6 bis V10 gilt eine Testlizenz 30 Tage.',
    crtTestVersion: 'Version der Testlizenzen',
    crtTestSlave: 'Das Gerät wird als Slave verwendet',
    crtTestPbx: 'Anzahl PBX-Lizenzen (wenn nicht als Slave verwendet)',
    crtTestDownload: 'Testlizenzen herunterladen',
    crtErrTestUsed:
      'Dieses Gerät hatte seine Testlizenz schon: Seit V11 erhält ein Gerät eine. Es wurde nichts geändert.',
    crtErrTestPbx:
      'Geben Sie 1 bis 1000 PBX-Lizenzen ein oder kreuzen Sie an, dass das Gerät als Slave verwendet wird.',
    crtPlainTitle: 'Unverschlüsselte Lizenzdatei (ab V8)',
    crtPlainIntro:
      'Sie können eine Datei ab V8 auch unverschlüsselt herunterladen. Wenn Sie die Lizenzen unverschlüsselt herunterladen, können Sie diese Lizenzen nicht mehr zurückgeben.',
    crtPlainVersion: 'Version der unverschlüsselten Datei',
    crtPlainOption: 'V{version}, unverschlüsselt ({licenses} Lizenzen)',
    crtPlainAccept: 'Ich akzeptiere, dass die Lizenzen in dieser Datei nie mehr zurückgegeben werden können.',
    crtPlainDownload: 'Unverschlüsselte Datei herunterladen',
    crtErrPlainAccept:
      'Kreuzen Sie an, dass diese Lizenzen nie mehr zurückgegeben werden können. Es wurde nichts heruntergeladen.',
  },
  it: {
    crtRequestIntro:
      'Con il diritto "richiedere certificato" puoi richiedere qui un nuovo certificato del dispositivo, anche se quello vecchio è scaduto. Ricevi un file di conferma: caricalo sul dispositivo in Step1 prima di installare i file di licenza scaricati dopo la richiesta.',
    crtRequest: 'Richiedi certificato',
    crtConfirmations: 'File di conferma dei certificati',
    crtConfirmationLink: 'File di conferma del certificato del {date}',
    crtDoneRequested:
      'È stato creato un nuovo certificato per questo dispositivo. Scarica qui sotto il suo file di conferma e caricalo sul dispositivo in Step1.',
    crtErrForbidden:
      'Il tuo account non ha il diritto "richiedere certificato". Non è stato modificato nulla.',
    crtErrNoCertificate:
      'Di questo dispositivo non è registrato alcun certificato, quindi non gli se ne può inviare uno nuovo. Chiedi al produttore di registrare il certificato di fabbrica del dispositivo, oppure accedi una volta dal dispositivo (il suo link my.innovaphone). Non è stato modificato nulla.',
    crtTestTitle: 'Licenze di prova',
    crtTestIntro:
      'Scarica licenze di prova per eseguire dei test: scegli la versione, se il dispositivo è usato come slave e, se no, quante licenze PBX. Da V11 un dispositivo riceve una licenza di prova, per 3 mesi; per V6–V10 una licenza di prova dura 30 giorni.',
    crtTestVersion: 'Versione delle licenze di prova',
    crtTestSlave: 'Il dispositivo è usato come slave',
    crtTestPbx: 'Numero di licenze PBX (se non usato come slave)',
    crtTestDownload: 'Scarica licenze di prova',
    crtErrTestUsed:
      'Questo dispositivo ha già avuto la sua licenza di prova: da V11 un dispositivo ne riceve una. Non è stato modificato nulla.',
    crtErrTestPbx: 'Inserisci da 1 a 1000 licenze PBX, oppure indica che il dispositivo è usato come slave.',
    crtPlainTitle: 'File di licenza non cifrato (da V8)',
    crtPlainIntro:
      'Puoi scaricare un file da V8 in poi anche senza cifratura. Se scarichi le licenze non cifrate, non potrai più restituire quelle licenze.',
    crtPlainVersion: 'Versione del file non cifrato',
    crtPlainOption: 'V{version}, non cifrato ({licenses} licenze)',
    crtPlainAccept: 'Accetto che le licenze di questo file non potranno mai essere restituite.',
    crtPlainDownload: 'Scarica file non cifrato',
    crtErrPlainAccept:
      'Spunta la casella per accettare che queste licenze non potranno mai essere restituite. Non è stato scaricato nulla.',
  },
  nl: {
    crtRequestIntro:
      'Met het recht "certificaat aanvragen" kunt u hier een nieuw apparaatcertificaat aanvragen, ook als het oude verlopen is. U krijgt een bevestigingsbestand: upload het onder Step1 op het apparaat voordat u licentiebestanden installeert die na de aanvraag zijn gedownload.',
    crtRequest: 'Certificaat aanvragen',
    crtConfirmations: 'Bevestigingsbestanden van certificaten',
    crtConfirmationLink: 'Bevestigingsbestand van het certificaat van {date}',
    crtDoneRequested:
      'Er is een nieuw certificaat voor dit apparaat gemaakt. Download hieronder het bevestigingsbestand en upload het onder Step1 op het apparaat.',
    crtErrForbidden: 'Uw account heeft het recht "certificaat aanvragen" niet. Er is niets gewijzigd.',
    crtErrNoCertificate:
      'Van dit apparaat is geen certificaat bekend, dus er kan geen nieuw naartoe worden gestuurd. Vraag de leverancier het fabriekscertificaat van het apparaat te registreren, of meld u één keer aan vanaf het apparaat (via de my.innovaphone-link). Er is niets gewijzigd.',
    crtTestTitle: 'Testlicenties',
    crtTestIntro:
      'Download testlicenties om te testen: kies de versie, of het apparaat als slave wordt gebruikt en, zo niet, hoeveel PBX-licenties. Sinds V11 krijgt een apparaat één testlicentie, voor 3 maanden; voor V6 tot V10 geldt een testlicentie 30 dagen.',
    crtTestVersion: 'Versie van de testlicenties',
    crtTestSlave: 'Het apparaat wordt als slave gebruikt',
    crtTestPbx: 'Aantal PBX-licenties (als het niet als slave wordt gebruikt)',
    crtTestDownload: 'Testlicenties downloaden',
    crtErrTestUsed:
      'Dit apparaat heeft zijn testlicentie al gehad: sinds V11 krijgt een apparaat er één. Er is niets gewijzigd.',
    crtErrTestPbx: 'Voer 1 tot 1000 PBX-licenties in, of vink aan dat het apparaat als slave wordt gebruikt.',
    crtPlainTitle: 'Onversleuteld licentiebestand (V8 en later)',
    crtPlainIntro:
      'U kunt een bestand voor V8 of later ook onversleuteld downloaden. Als u de licenties onversleuteld downloadt, kunt u die licenties niet meer terugsturen.',
    crtPlainVersion: 'Versie van het onversleutelde bestand',
    crtPlainOption: 'V{version}, onversleuteld ({licenses} licenties)',
    crtPlainAccept: 'Ik accepteer dat de licenties in dit bestand nooit meer teruggestuurd kunnen worden.',
    crtPlainDownload: 'Onversleuteld bestand downloaden',
    crtErrPlainAccept:
      'Vink aan dat u accepteert dat deze licenties nooit meer teruggestuurd kunnen worden. Er is niets gedownload.',
  },
  fr: {
    crtRequestIntro:
      "Avec le droit « demander un certificat », vous pouvez demander ici un nouveau certificat d'appareil, même si l'ancien a expiré. Vous recevez un fichier de confirmation : chargez-le sur l'appareil sous Step1 avant d'installer des fichiers de licences téléchargés après la demande.",
    crtRequest: 'Demander un certificat',
    crtConfirmations: 'Fichiers de confirmation des certificats',
    crtConfirmationLink: 'Fichier de confirmation du certificat du {date}',
    crtDoneRequested:
      "Un nouveau certificat a été créé pour cet appareil. Téléchargez ci-dessous son fichier de confirmation et chargez-le sur l'appareil sous Step1.",
    crtErrForbidden: "Votre compte n'a pas le droit « demander un certificat ». Rien n'a été modifié.",
    crtErrNoCertificate:
      "Aucun certificat de cet appareil n'est enregistré : impossible de lui en envoyer un nouveau. Demandez au fabricant d'enregistrer le certificat d'usine de l'appareil, ou connectez-vous une fois depuis l'appareil (son lien my.innovaphone). Rien n'a été modifié.",
    crtTestTitle: 'Licences de test',
    crtTestIntro:
      "Téléchargez des licences de test pour faire des essais : choisissez la version, si l'appareil est utilisé comme esclave et, sinon, combien de licences PBX. Depuis V11, un appareil reçoit une licence de test, pour 3 mois ; pour V6 à V10, une licence de test dure 30 jours.",
    crtTestVersion: 'Version des licences de test',
    crtTestSlave: "L'appareil est utilisé comme esclave",
    crtTestPbx: "Nombre de licences PBX (s'il n'est pas utilisé comme esclave)",
    crtTestDownload: 'Télécharger des licences de test',
    crtErrTestUsed:
      "Cet appareil a déjà eu sa licence de test : depuis V11, un appareil en reçoit une. Rien n'a été modifié.",
    crtErrTestPbx: "Saisissez de 1 à 1000 licences PBX, ou cochez que l'appareil est utilisé comme esclave.",
    crtPlainTitle: 'Fichier de licences non chiffré (V8 et suivantes)',
    crtPlainIntro:
      'Vous pouvez aussi télécharger un fichier V8 ou suivant sans chiffrement. Si vous téléchargez les licences non chiffrées, vous ne pourrez plus jamais retourner ces licences.',
    crtPlainVersion: 'Version du fichier non chiffré',
    crtPlainOption: 'V{version}, non chiffré ({licenses} licences)',
    crtPlainAccept: "J'accepte que les licences de ce fichier ne puissent jamais être retournées.",
    crtPlainDownload: 'Télécharger le fichier non chiffré',
    crtErrPlainAccept:
      "Cochez la case pour accepter que ces licences ne puissent jamais être retournées. Rien n'a été téléchargé.",
  },
});
