import { defineMessages } from '../define-messages.js';

/** The texts of the V7 floating license on the device page in the five languages (see define-messages.ts). */
export const floatingMessages = defineMessages({
  en: {
    flTitle: 'Floating license (V7)',
    flIntro:
      'A V7 floating license is for a slave PBX: it is free of charge. A device with a floating license cannot have V7 PBX licenses, and a device with V7 PBX licenses cannot have a floating license.',
    flHas: 'This device has a V7 floating license (license {serial}).',
    flNone: 'This device has no V7 floating license.',
    flAdd: 'Add V7 floating license',
    flDeleteIntro:
      'Delete the floating license if you will not use it any more. It is not returned to a balance.',
    flDeleteConfirm: 'Yes, delete the V7 floating license of this device.',
    flDelete: 'Delete V7 floating license',
    flDoneAdded: 'The V7 floating license was added to this device.',
    flDoneDeleted: 'The V7 floating license of this device was deleted.',
    flErrExclusive:
      'This device has V7 PBX licenses, so it cannot have a V7 floating license. Nothing was changed.',
    flErrNone: 'This device has no V7 floating license to delete. Nothing was changed.',
    flErrOtherCompany:
      'The V7 floating license of this device belongs to another company that holds the device; only that company can delete it. Nothing was changed.',
    flErrConfirm: 'Tick the box to confirm that the V7 floating license is to be deleted.',
  },
  de: {
    flTitle: 'Floating-Lizenz (V7)',
    flIntro:
      'Eine V7-Floating-Lizenz ist für eine Slave-PBX und kostenlos. Ein Gerät mit Floating-Lizenz kann keine V7-PBX-Lizenzen haben, und ein Gerät mit V7-PBX-Lizenzen kann keine Floating-Lizenz haben.',
    flHas: 'Dieses Gerät hat eine V7-Floating-Lizenz (Lizenz {serial}).',
    flNone: 'Dieses Gerät hat keine V7-Floating-Lizenz.',
    flAdd: 'V7-Floating-Lizenz hinzufügen',
    flDeleteIntro:
      'Löschen Sie die Floating-Lizenz, wenn Sie sie nicht mehr verwenden. Sie wird keinem Guthaben zurückgegeben.',
    flDeleteConfirm: 'Ja, die V7-Floating-Lizenz dieses Geräts löschen.',
    flDelete: 'V7-Floating-Lizenz löschen',
    flDoneAdded: 'Die V7-Floating-Lizenz wurde diesem Gerät hinzugefügt.',
    flDoneDeleted: 'Die V7-Floating-Lizenz dieses Geräts wurde gelöscht.',
    flErrExclusive:
      'Dieses Gerät hat V7-PBX-Lizenzen und kann deshalb keine V7-Floating-Lizenz haben. Es wurde nichts geändert.',
    flErrNone:
      'Dieses Gerät hat keine V7-Floating-Lizenz, die gelöscht werden könnte. Es wurde nichts geändert.',
    flErrOtherCompany:
      'Die V7-Floating-Lizenz dieses Geräts gehört einer anderen Firma, die das Gerät ebenfalls hat; nur diese Firma kann sie löschen. Es wurde nichts geändert.',
    flErrConfirm:
      'Kreuzen Sie das Kästchen an, um zu bestätigen, dass die V7-Floating-Lizenz gelöscht werden soll.',
  },
  it: {
    flTitle: 'Licenza floating (V7)',
    flIntro:
      'Una licenza floating V7 è per un PBX slave ed è gratuita. Un dispositivo con una licenza floating non può avere licenze PBX V7, e un dispositivo con licenze PBX V7 non può avere una licenza floating.',
    flHas: 'Questo dispositivo ha una licenza floating V7 (licenza {serial}).',
    flNone: 'Questo dispositivo non ha una licenza floating V7.',
    flAdd: 'Aggiungi licenza floating V7',
    flDeleteIntro: 'Elimina la licenza floating se non la usi più. Non viene restituita a un saldo.',
    flDeleteConfirm: 'Sì, elimina la licenza floating V7 di questo dispositivo.',
    flDelete: 'Elimina licenza floating V7',
    flDoneAdded: 'La licenza floating V7 è stata aggiunta a questo dispositivo.',
    flDoneDeleted: 'La licenza floating V7 di questo dispositivo è stata eliminata.',
    flErrExclusive:
      'Questo dispositivo ha licenze PBX V7, quindi non può avere una licenza floating V7. Non è stato modificato nulla.',
    flErrNone:
      'Questo dispositivo non ha una licenza floating V7 da eliminare. Non è stato modificato nulla.',
    flErrOtherCompany:
      "La licenza floating V7 di questo dispositivo appartiene a un'altra azienda che ha il dispositivo; solo quell'azienda può eliminarla. Non è stato modificato nulla.",
    flErrConfirm: 'Spunta la casella per confermare che la licenza floating V7 va eliminata.',
  },
  nl: {
    flTitle: 'Floating-licentie (V7)',
    flIntro:
      'Een V7-floating-licentie is voor een slave-PBX en is gratis. Een apparaat met een floating-licentie kan geen V7-PBX-licenties hebben, en een apparaat met V7-PBX-licenties kan geen floating-licentie hebben.',
    flHas: 'Dit apparaat heeft een V7-floating-licentie (licentie {serial}).',
    flNone: 'Dit apparaat heeft geen V7-floating-licentie.',
    flAdd: 'V7-floating-licentie toevoegen',
    flDeleteIntro:
      'Verwijder de floating-licentie als u die niet meer gebruikt. Ze gaat niet terug naar een saldo.',
    flDeleteConfirm: 'Ja, verwijder de V7-floating-licentie van dit apparaat.',
    flDelete: 'V7-floating-licentie verwijderen',
    flDoneAdded: 'De V7-floating-licentie is aan dit apparaat toegevoegd.',
    flDoneDeleted: 'De V7-floating-licentie van dit apparaat is verwijderd.',
    flErrExclusive:
      'Dit apparaat heeft V7-PBX-licenties en kan daarom geen V7-floating-licentie hebben. Er is niets gewijzigd.',
    flErrNone: 'Dit apparaat heeft geen V7-floating-licentie om te verwijderen. Er is niets gewijzigd.',
    flErrOtherCompany:
      'De V7-floating-licentie van dit apparaat is van een ander bedrijf dat het apparaat ook heeft; alleen dat bedrijf kan ze verwijderen. Er is niets gewijzigd.',
    flErrConfirm: 'Vink het vakje aan om te bevestigen dat de V7-floating-licentie verwijderd moet worden.',
  },
  fr: {
    flTitle: 'Licence flottante (V7)',
    flIntro:
      'Une licence flottante V7 est destinée à un PBX esclave et est gratuite. Un appareil avec une licence flottante ne peut pas avoir de licences PBX V7, et un appareil avec des licences PBX V7 ne peut pas avoir de licence flottante.',
    flHas: 'Cet appareil a une licence flottante V7 (licence {serial}).',
    flNone: "Cet appareil n'a pas de licence flottante V7.",
    flAdd: 'Ajouter une licence flottante V7',
    flDeleteIntro:
      "Supprimez la licence flottante si vous ne l'utilisez plus. Elle n'est pas rendue à un solde.",
    flDeleteConfirm: 'Oui, supprimer la licence flottante V7 de cet appareil.',
    flDelete: 'Supprimer la licence flottante V7',
    flDoneAdded: 'La licence flottante V7 a été ajoutée à cet appareil.',
    flDoneDeleted: 'La licence flottante V7 de cet appareil a été supprimée.',
    flErrExclusive:
      "Cet appareil a des licences PBX V7 et ne peut donc pas avoir de licence flottante V7. Rien n'a été modifié.",
    flErrNone: "Cet appareil n'a pas de licence flottante V7 à supprimer. Rien n'a été modifié.",
    flErrOtherCompany:
      "La licence flottante V7 de cet appareil appartient à une autre société qui détient l'appareil ; seule cette société peut la supprimer. Rien n'a été modifié.",
    flErrConfirm: 'Cochez la case pour confirmer que la licence flottante V7 doit être supprimée.',
  },
});
