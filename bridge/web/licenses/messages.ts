import { defineMessages } from '../define-messages.js';

/** The texts of the licenses pages in the five languages (see define-messages.ts). */
export const freeLicenseMessages = defineMessages({
  en: {
    freeTitle: 'Free licenses',
    freeIntro:
      'Licenses returned from devices wait here with their bind date, SSA end and external key. Assign them to another device, or convert them back to balance.',
    freeOfAll: 'Free licenses of all projects.',
    freeOfProject: 'Free licenses of project {project}.',
    freeShowAll: 'Show all projects',
    freeOnlySelected: 'Only the selected project',
    freeNone: 'There are no free licenses here. Licenses returned from a device appear here.',
    freeChoose: 'Choose',
    freeChooseOne: 'Choose license {serial}',
    freeConvertButton: 'Convert to balance…',
    freeAssignButton: 'Assign to a device…',
    freeActionsHint: 'Tick the licenses first. You see what happens before anything changes.',
    freeSerial: 'License',
    freeOriginalType: 'Original type',
    freeUnits: 'Units',
    freeBindDate: 'Bind date',
    freeSsaEnd: 'SSA end',
    freeExternalKey: 'External key',
    freeChooseSome: 'Choose at least one license.',
    freeConverted: 'Licenses converted: {count}. Their units are in the balance; {ssc} SSC were paid.',
    freeAssigned: 'Licenses assigned to the device {device}: {count}.',
    freeConvertTitle: 'Convert free licenses to balance',
    freeConvertIntro:
      'Converting costs one year of SSC per unit, paid from the SSC of the license’s project. A license under SSA can be converted to a later version its SSA reaches.',
    freeConvertCaption: 'The licenses to convert',
    freeConvertTo: 'Into the balance as',
    freeLost: 'lost',
    freeVersionFor: 'Version for license {serial}',
    freeRecalculate: 'Calculate again',
    freeSscTotal: 'Total: {ssc} SSC',
    freeSscIn: 'SSC in project {project}: {ssc}',
    freeConvertLoses: 'External keys (such as a DECT ARI) and the current SSA of these licenses are lost.',
    freeConvertConfirm: 'Convert ({count}) and pay {ssc} SSC',
    freeSscChanged: 'The cost has changed since you saw it. Check the new total and confirm again.',
    freeSscMissing:
      '{missing} SSC are missing. Redeem an activation key with SSC into the project, then calculate again.',
    freeConvertExternal:
      'Your company has rights on this project only: the free licenses of the project’s owner cannot be converted by you.',
    freeVersionInvalid: 'A license cannot be converted to V{version}: choose a version its SSA reaches.',
    freeOneCompany: 'Convert the free licenses of one company at a time.',
    freeBack: 'Back to the free licenses',
    freeAssignTitle: 'Assign free licenses to a device',
    freeAssignIntro:
      'Choose the device and the version. Bind date, SSA end and external keys stay with the licenses. The device is checked before anything changes.',
    freeAssignCaption: 'The licenses to assign',
    freeNoCommonVersion: 'These licenses have no version in common. Assign them one group at a time.',
    freeDeviceFilter: 'Find a device (name, comment, MAC or IPEI)',
    freeFindDevices: 'Find devices',
    freeDevice: 'Device',
    freeNoDevices: 'No device found. Change the search or select another project.',
    freeMoreDevices: '{shown} of {total} devices are shown. Narrow the search to find others.',
    freeVersion: 'Version',
    freeAssignConfirm: 'Assign to the device ({count})',
    freeChooseDevice: 'Choose the device the licenses go to.',
    freeSsaNeeded:
      'The device’s project is under SSA: bringing these licenses under it costs {total} SSC from the project’s balance.',
    freeSsaConfirm: 'Assign and pay {total} SSC',
    freeSsaChanged: 'The SSC summary has changed since you saw it. Check the new total and confirm again.',
    freeSsaMissing:
      'The project does not have enough SSC. Redeem an activation key with SSC, then try again.',
    freeOtherCompanyDevice:
      'This device holds licenses of another company: free licenses cannot be added to it.',
    freeForbidden: 'You are not allowed to do this.',
    freeMaximum:
      'These licenses do not fit: the device takes at most {maximum}, has {installed} and would get {amount}.',
    freeWrongVersion:
      'These licenses cannot be used on this device in version V{version}. Choose another version.',
    freeNotFit: 'These licenses do not fit on this device. Choose other licenses or another device.',
  },
  de: {
    freeTitle: 'Freie Lizenzen',
    freeIntro:
      'Von Geräten zurückgegebene Lizenzen warten hier mit Bindedatum, SSA-Ende und externem Schlüssel. Weisen Sie sie einem anderen Gerät zu oder wandeln Sie sie zurück in Guthaben.',
    freeOfAll: 'Freie Lizenzen aller Projekte.',
    freeOfProject: 'Freie Lizenzen des Projekts {project}.',
    freeShowAll: 'Alle Projekte anzeigen',
    freeOnlySelected: 'Nur das ausgewählte Projekt',
    freeNone: 'Hier gibt es keine freien Lizenzen. Von einem Gerät zurückgegebene Lizenzen erscheinen hier.',
    freeChoose: 'Auswählen',
    freeChooseOne: 'Lizenz {serial} auswählen',
    freeConvertButton: 'In Guthaben umwandeln …',
    freeAssignButton: 'Einem Gerät zuweisen …',
    freeActionsHint: 'Haken Sie zuerst die Lizenzen an. Sie sehen, was geschieht, bevor sich etwas ändert.',
    freeSerial: 'Lizenz',
    freeOriginalType: 'Ursprünglicher Typ',
    freeUnits: 'Anzahl',
    freeBindDate: 'Bindedatum',
    freeSsaEnd: 'SSA-Ende',
    freeExternalKey: 'Externer Schlüssel',
    freeChooseSome: 'Wählen Sie mindestens eine Lizenz.',
    freeConverted:
      'Umgewandelte Lizenzen: {count}. Ihre Einheiten sind im Guthaben; {ssc} SSC wurden bezahlt.',
    freeAssigned: 'Dem Gerät {device} zugewiesene Lizenzen: {count}.',
    freeConvertTitle: 'Freie Lizenzen in Guthaben umwandeln',
    freeConvertIntro:
      'Das Umwandeln kostet ein Jahr SSC pro Einheit, bezahlt aus dem SSC des Projekts der Lizenz. Eine Lizenz unter SSA kann in eine spätere Version umgewandelt werden, die ihr SSA erreicht.',
    freeConvertCaption: 'Die umzuwandelnden Lizenzen',
    freeConvertTo: 'Ins Guthaben als',
    freeLost: 'geht verloren',
    freeVersionFor: 'Version für Lizenz {serial}',
    freeRecalculate: 'Neu berechnen',
    freeSscTotal: 'Summe: {ssc} SSC',
    freeSscIn: 'SSC im Projekt {project}: {ssc}',
    freeConvertLoses:
      'Externe Schlüssel (etwa eine DECT-ARI) und das aktuelle SSA dieser Lizenzen gehen verloren.',
    freeConvertConfirm: 'Umwandeln ({count}) und {ssc} SSC bezahlen',
    freeSscChanged:
      'Die Kosten haben sich geändert, seit Sie sie gesehen haben. Prüfen Sie die neue Summe und bestätigen Sie erneut.',
    freeSscMissing:
      'Es fehlen {missing} SSC. Lösen Sie einen Aktivierungsschlüssel mit SSC in das Projekt ein und berechnen Sie neu.',
    freeConvertExternal:
      'Ihre Firma hat nur Rechte auf diesem Projekt: Die freien Lizenzen des Projektinhabers können Sie nicht umwandeln.',
    freeVersionInvalid:
      'Eine Lizenz kann nicht in V{version} umgewandelt werden: Wählen Sie eine Version, die ihr SSA erreicht.',
    freeOneCompany: 'Wandeln Sie die freien Lizenzen jeweils nur einer Firma um.',
    freeBack: 'Zurück zu den freien Lizenzen',
    freeAssignTitle: 'Freie Lizenzen einem Gerät zuweisen',
    freeAssignIntro:
      'Wählen Sie das Gerät und die Version. Bindedatum, SSA-Ende und externe Schlüssel bleiben bei den Lizenzen. Das Gerät wird geprüft, bevor sich etwas ändert.',
    freeAssignCaption: 'Die zuzuweisenden Lizenzen',
    freeNoCommonVersion: 'Diese Lizenzen haben keine gemeinsame Version. Weisen Sie sie gruppenweise zu.',
    freeDeviceFilter: 'Gerät suchen (Name, Kommentar, MAC oder IPEI)',
    freeFindDevices: 'Geräte suchen',
    freeDevice: 'Gerät',
    freeNoDevices: 'Kein Gerät gefunden. Ändern Sie die Suche oder wählen Sie ein anderes Projekt.',
    freeMoreDevices:
      '{shown} von {total} Geräten werden gezeigt. Grenzen Sie die Suche ein, um andere zu finden.',
    freeVersion: 'Version',
    freeAssignConfirm: 'Dem Gerät zuweisen ({count})',
    freeChooseDevice: 'Wählen Sie das Gerät, das die Lizenzen bekommt.',
    freeSsaNeeded:
      'Das Projekt des Geräts hat ein SSA: Diese Lizenzen darunter zu bringen kostet {total} SSC aus dem Guthaben des Projekts.',
    freeSsaConfirm: 'Zuweisen und {total} SSC bezahlen',
    freeSsaChanged:
      'Die SSC-Berechnung hat sich geändert, seit Sie sie gesehen haben. Prüfen Sie die neue Summe und bestätigen Sie erneut.',
    freeSsaMissing:
      'Das Projekt hat nicht genug SSC. Lösen Sie einen Aktivierungsschlüssel mit SSC ein und versuchen Sie es erneut.',
    freeOtherCompanyDevice:
      'Dieses Gerät trägt Lizenzen einer anderen Firma: Freie Lizenzen können ihm nicht hinzugefügt werden.',
    freeForbidden: 'Das dürfen Sie nicht.',
    freeMaximum:
      'Diese Lizenzen passen nicht: Das Gerät nimmt höchstens {maximum}, hat {installed} und bekäme {amount}.',
    freeWrongVersion:
      'Diese Lizenzen sind auf diesem Gerät in Version V{version} nicht nutzbar. Wählen Sie eine andere Version.',
    freeNotFit:
      'Diese Lizenzen passen nicht auf dieses Gerät. Wählen Sie andere Lizenzen oder ein anderes Gerät.',
  },
  it: {
    freeTitle: 'Licenze libere',
    freeIntro:
      'Le licenze restituite dai dispositivi restano qui con data di associazione, fine SSA e chiave esterna. Assegnale a un altro dispositivo o riconvertile in saldo.',
    freeOfAll: 'Licenze libere di tutti i progetti.',
    freeOfProject: 'Licenze libere del progetto {project}.',
    freeShowAll: 'Mostra tutti i progetti',
    freeOnlySelected: 'Solo il progetto selezionato',
    freeNone: 'Qui non ci sono licenze libere. Le licenze restituite da un dispositivo compaiono qui.',
    freeChoose: 'Scegli',
    freeChooseOne: 'Scegli la licenza {serial}',
    freeConvertButton: 'Converti in saldo…',
    freeAssignButton: 'Assegna a un dispositivo…',
    freeActionsHint: 'Seleziona prima le licenze. Vedi cosa succede prima che cambi qualcosa.',
    freeSerial: 'Licenza',
    freeOriginalType: 'Tipo originale',
    freeUnits: 'Unità',
    freeBindDate: 'Data di associazione',
    freeSsaEnd: 'Fine SSA',
    freeExternalKey: 'Chiave esterna',
    freeChooseSome: 'Scegli almeno una licenza.',
    freeConverted: 'Licenze convertite: {count}. Le loro unità sono nel saldo; sono stati pagati {ssc} SSC.',
    freeAssigned: 'Licenze assegnate al dispositivo {device}: {count}.',
    freeConvertTitle: 'Convertire licenze libere in saldo',
    freeConvertIntro:
      'La conversione costa un anno di SSC per unità, pagato con gli SSC del progetto della licenza. Una licenza sotto SSA può essere convertita in una versione successiva raggiunta dal suo SSA.',
    freeConvertCaption: 'Le licenze da convertire',
    freeConvertTo: 'Nel saldo come',
    freeLost: 'si perde',
    freeVersionFor: 'Versione per la licenza {serial}',
    freeRecalculate: 'Ricalcola',
    freeSscTotal: 'Totale: {ssc} SSC',
    freeSscIn: 'SSC nel progetto {project}: {ssc}',
    freeConvertLoses:
      'Le chiavi esterne (per esempio un ARI DECT) e l’SSA attuale di queste licenze vanno persi.',
    freeConvertConfirm: 'Converti ({count}) e paga {ssc} SSC',
    freeSscChanged:
      'Il costo è cambiato da quando lo hai visto. Controlla il nuovo totale e conferma di nuovo.',
    freeSscMissing:
      'Mancano {missing} SSC. Riscatta nel progetto una chiave di attivazione con SSC, poi ricalcola.',
    freeConvertExternal:
      'La tua azienda ha solo diritti su questo progetto: non puoi convertire le licenze libere del proprietario del progetto.',
    freeVersionInvalid:
      'Una licenza non può essere convertita in V{version}: scegli una versione raggiunta dal suo SSA.',
    freeOneCompany: 'Converti le licenze libere di una sola azienda alla volta.',
    freeBack: 'Torna alle licenze libere',
    freeAssignTitle: 'Assegnare licenze libere a un dispositivo',
    freeAssignIntro:
      'Scegli il dispositivo e la versione. Data di associazione, fine SSA e chiavi esterne restano con le licenze. Il dispositivo viene verificato prima che cambi qualcosa.',
    freeAssignCaption: 'Le licenze da assegnare',
    freeNoCommonVersion: 'Queste licenze non hanno una versione in comune. Assegnale un gruppo alla volta.',
    freeDeviceFilter: 'Cerca un dispositivo (nome, commento, MAC o IPEI)',
    freeFindDevices: 'Cerca dispositivi',
    freeDevice: 'Dispositivo',
    freeNoDevices: 'Nessun dispositivo trovato. Cambia la ricerca o seleziona un altro progetto.',
    freeMoreDevices: 'Sono mostrati {shown} dispositivi su {total}. Restringi la ricerca per trovarne altri.',
    freeVersion: 'Versione',
    freeAssignConfirm: 'Assegna al dispositivo ({count})',
    freeChooseDevice: 'Scegli il dispositivo che riceve le licenze.',
    freeSsaNeeded:
      'Il progetto del dispositivo è sotto SSA: portare queste licenze sotto SSA costa {total} SSC dal saldo del progetto.',
    freeSsaConfirm: 'Assegna e paga {total} SSC',
    freeSsaChanged:
      'Il calcolo SSC è cambiato da quando lo hai visto. Controlla il nuovo totale e conferma di nuovo.',
    freeSsaMissing:
      'Il progetto non ha abbastanza SSC. Riscatta una chiave di attivazione con SSC, poi riprova.',
    freeOtherCompanyDevice:
      'Questo dispositivo ha licenze di un’altra azienda: non gli si possono aggiungere licenze libere.',
    freeForbidden: 'Non ti è permesso farlo.',
    freeMaximum:
      'Queste licenze non sono compatibili: il dispositivo ne accetta al massimo {maximum}, ne ha {installed} e ne avrebbe {amount}.',
    freeWrongVersion:
      'Queste licenze non si possono usare su questo dispositivo nella versione V{version}. Scegli un’altra versione.',
    freeNotFit:
      'Queste licenze non sono adatte a questo dispositivo. Scegli altre licenze o un altro dispositivo.',
  },
  nl: {
    freeTitle: 'Vrije licenties',
    freeIntro:
      'Licenties die van apparaten zijn teruggegeven, wachten hier met hun koppeldatum, SSA-einde en externe sleutel. Wijs ze toe aan een ander apparaat of zet ze terug om naar saldo.',
    freeOfAll: 'Vrije licenties van alle projecten.',
    freeOfProject: 'Vrije licenties van project {project}.',
    freeShowAll: 'Alle projecten tonen',
    freeOnlySelected: 'Alleen het geselecteerde project',
    freeNone: 'Er zijn hier geen vrije licenties. Licenties die een apparaat teruggeeft, verschijnen hier.',
    freeChoose: 'Kiezen',
    freeChooseOne: 'Licentie {serial} kiezen',
    freeConvertButton: 'Omzetten naar saldo…',
    freeAssignButton: 'Aan een apparaat toewijzen…',
    freeActionsHint: 'Vink eerst de licenties aan. U ziet wat er gebeurt voordat er iets verandert.',
    freeSerial: 'Licentie',
    freeOriginalType: 'Oorspronkelijk type',
    freeUnits: 'Aantal',
    freeBindDate: 'Koppeldatum',
    freeSsaEnd: 'SSA-einde',
    freeExternalKey: 'Externe sleutel',
    freeChooseSome: 'Kies ten minste één licentie.',
    freeConverted: 'Omgezette licenties: {count}. Hun eenheden staan in het saldo; er is {ssc} SSC betaald.',
    freeAssigned: 'Licenties toegewezen aan apparaat {device}: {count}.',
    freeConvertTitle: 'Vrije licenties omzetten naar saldo',
    freeConvertIntro:
      'Omzetten kost één jaar SSC per eenheid, betaald uit de SSC van het project van de licentie. Een licentie onder SSA kan worden omgezet naar een latere versie die haar SSA bereikt.',
    freeConvertCaption: 'De om te zetten licenties',
    freeConvertTo: 'In het saldo als',
    freeLost: 'gaat verloren',
    freeVersionFor: 'Versie voor licentie {serial}',
    freeRecalculate: 'Opnieuw berekenen',
    freeSscTotal: 'Totaal: {ssc} SSC',
    freeSscIn: 'SSC in project {project}: {ssc}',
    freeConvertLoses:
      'Externe sleutels (zoals een DECT-ARI) en de huidige SSA van deze licenties gaan verloren.',
    freeConvertConfirm: 'Omzetten ({count}) en {ssc} SSC betalen',
    freeSscChanged:
      'De kosten zijn veranderd sinds u ze zag. Controleer het nieuwe totaal en bevestig opnieuw.',
    freeSscMissing:
      'Er ontbreekt {missing} SSC. Wissel een activeringssleutel met SSC in het project in en bereken opnieuw.',
    freeConvertExternal:
      'Uw bedrijf heeft alleen rechten op dit project: de vrije licenties van de eigenaar van het project kunt u niet omzetten.',
    freeVersionInvalid:
      'Een licentie kan niet naar V{version} worden omgezet: kies een versie die haar SSA bereikt.',
    freeOneCompany: 'Zet de vrije licenties van één bedrijf tegelijk om.',
    freeBack: 'Terug naar de vrije licenties',
    freeAssignTitle: 'Vrije licenties aan een apparaat toewijzen',
    freeAssignIntro:
      'Kies het apparaat en de versie. Koppeldatum, SSA-einde en externe sleutels blijven bij de licenties. Het apparaat wordt gecontroleerd voordat er iets verandert.',
    freeAssignCaption: 'De toe te wijzen licenties',
    freeNoCommonVersion: 'Deze licenties hebben geen gemeenschappelijke versie. Wijs ze per groep toe.',
    freeDeviceFilter: 'Apparaat zoeken (naam, opmerking, MAC of IPEI)',
    freeFindDevices: 'Apparaten zoeken',
    freeDevice: 'Apparaat',
    freeNoDevices: 'Geen apparaat gevonden. Wijzig de zoekopdracht of selecteer een ander project.',
    freeMoreDevices:
      '{shown} van {total} apparaten worden getoond. Verfijn de zoekopdracht om andere te vinden.',
    freeVersion: 'Versie',
    freeAssignConfirm: 'Aan het apparaat toewijzen ({count})',
    freeChooseDevice: 'Kies het apparaat dat de licenties krijgt.',
    freeSsaNeeded:
      'Het project van het apparaat valt onder SSA: deze licenties eronder brengen kost {total} SSC uit het saldo van het project.',
    freeSsaConfirm: 'Toewijzen en {total} SSC betalen',
    freeSsaChanged:
      'De SSC-berekening is veranderd sinds u haar zag. Controleer het nieuwe totaal en bevestig opnieuw.',
    freeSsaMissing:
      'Het project heeft niet genoeg SSC. Wissel een activeringssleutel met SSC in en probeer het opnieuw.',
    freeOtherCompanyDevice:
      'Dit apparaat heeft licenties van een ander bedrijf: er kunnen geen vrije licenties aan worden toegevoegd.',
    freeForbidden: 'U mag dit niet doen.',
    freeMaximum:
      'Deze licenties passen niet: het apparaat neemt er hoogstens {maximum}, heeft er {installed} en zou er {amount} krijgen.',
    freeWrongVersion:
      'Deze licenties zijn op dit apparaat niet bruikbaar in versie V{version}. Kies een andere versie.',
    freeNotFit: 'Deze licenties passen niet op dit apparaat. Kies andere licenties of een ander apparaat.',
  },
  fr: {
    freeTitle: 'Licences libres',
    freeIntro:
      'Les licences rendues par des appareils attendent ici avec leur date d’association, leur fin de SSA et leur clé externe. Attribuez-les à un autre appareil ou reconvertissez-les en solde.',
    freeOfAll: 'Licences libres de tous les projets.',
    freeOfProject: 'Licences libres du projet {project}.',
    freeShowAll: 'Afficher tous les projets',
    freeOnlySelected: 'Seulement le projet sélectionné',
    freeNone: 'Il n’y a pas de licence libre ici. Les licences rendues par un appareil apparaissent ici.',
    freeChoose: 'Choisir',
    freeChooseOne: 'Choisir la licence {serial}',
    freeConvertButton: 'Convertir en solde…',
    freeAssignButton: 'Attribuer à un appareil…',
    freeActionsHint: 'Cochez d’abord les licences. Vous voyez ce qui se passe avant que rien ne change.',
    freeSerial: 'Licence',
    freeOriginalType: 'Type d’origine',
    freeUnits: 'Unités',
    freeBindDate: 'Date d’association',
    freeSsaEnd: 'Fin de SSA',
    freeExternalKey: 'Clé externe',
    freeChooseSome: 'Choisissez au moins une licence.',
    freeConverted:
      'Licences converties : {count}. Leurs unités sont dans le solde ; {ssc} SSC ont été payés.',
    freeAssigned: 'Licences attribuées à l’appareil {device} : {count}.',
    freeConvertTitle: 'Convertir des licences libres en solde',
    freeConvertIntro:
      'La conversion coûte un an de SSC par unité, payé avec les SSC du projet de la licence. Une licence sous SSA peut être convertie vers une version ultérieure que son SSA atteint.',
    freeConvertCaption: 'Les licences à convertir',
    freeConvertTo: 'Dans le solde comme',
    freeLost: 'perdue',
    freeVersionFor: 'Version pour la licence {serial}',
    freeRecalculate: 'Recalculer',
    freeSscTotal: 'Total : {ssc} SSC',
    freeSscIn: 'SSC dans le projet {project} : {ssc}',
    freeConvertLoses: 'Les clés externes (comme un ARI DECT) et le SSA actuel de ces licences sont perdus.',
    freeConvertConfirm: 'Convertir ({count}) et payer {ssc} SSC',
    freeSscChanged:
      'Le coût a changé depuis que vous l’avez vu. Vérifiez le nouveau total et confirmez de nouveau.',
    freeSscMissing:
      'Il manque {missing} SSC. Utilisez une clé d’activation avec des SSC dans le projet, puis recalculez.',
    freeConvertExternal:
      'Votre société n’a que des droits sur ce projet : vous ne pouvez pas convertir les licences libres du propriétaire du projet.',
    freeVersionInvalid:
      'Une licence ne peut pas être convertie en V{version} : choisissez une version que son SSA atteint.',
    freeOneCompany: 'Convertissez les licences libres d’une seule société à la fois.',
    freeBack: 'Retour aux licences libres',
    freeAssignTitle: 'Attribuer des licences libres à un appareil',
    freeAssignIntro:
      'Choisissez l’appareil et la version. La date d’association, la fin de SSA et les clés externes restent avec les licences. L’appareil est vérifié avant que rien ne change.',
    freeAssignCaption: 'Les licences à attribuer',
    freeNoCommonVersion: 'Ces licences n’ont pas de version en commun. Attribuez-les un groupe à la fois.',
    freeDeviceFilter: 'Chercher un appareil (nom, commentaire, MAC ou IPEI)',
    freeFindDevices: 'Chercher des appareils',
    freeDevice: 'Appareil',
    freeNoDevices: 'Aucun appareil trouvé. Modifiez la recherche ou sélectionnez un autre projet.',
    freeMoreDevices:
      '{shown} appareils sur {total} sont affichés. Affinez la recherche pour en trouver d’autres.',
    freeVersion: 'Version',
    freeAssignConfirm: 'Attribuer à l’appareil ({count})',
    freeChooseDevice: 'Choisissez l’appareil qui reçoit les licences.',
    freeSsaNeeded:
      'Le projet de l’appareil est sous SSA : y faire entrer ces licences coûte {total} SSC du solde du projet.',
    freeSsaConfirm: 'Attribuer et payer {total} SSC',
    freeSsaChanged:
      'Le calcul des SSC a changé depuis que vous l’avez vu. Vérifiez le nouveau total et confirmez de nouveau.',
    freeSsaMissing:
      'Le projet n’a pas assez de SSC. Utilisez une clé d’activation avec des SSC, puis réessayez.',
    freeOtherCompanyDevice:
      'Cet appareil porte des licences d’une autre société : on ne peut pas lui ajouter de licences libres.',
    freeForbidden: 'Vous n’avez pas le droit de faire cela.',
    freeMaximum:
      'Ces licences ne conviennent pas : l’appareil en accepte au plus {maximum}, en a {installed} et en aurait {amount}.',
    freeWrongVersion:
      'Ces licences ne sont pas utilisables sur cet appareil en version V{version}. Choisissez une autre version.',
    freeNotFit:
      'Ces licences ne conviennent pas à cet appareil. Choisissez d’autres licences ou un autre appareil.',
  },
});
