"""Messages about a guest's own data (GDPR): the export link and the erasure link.

Kept apart from the booking templates: these name no booking, no date and no
party, only the link and how long it works. Patterns use ``{days}`` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

PrivacyKind = Literal["privacy_export", "privacy_erasure"]
PRIVACY_KINDS: tuple[PrivacyKind, ...] = get_args(PrivacyKind)


@dataclass(frozen=True, slots=True)
class PrivacyText:
    """One privacy message in one language: subject, paragraphs and the link's caption."""

    subject: str
    body: tuple[str, ...]
    link: str


_EXPORT: Mapping[str, PrivacyText] = {
    "en": PrivacyText(
        subject="Your personal data: download link",
        body=(
            "You asked for a copy of the personal data we hold about you.",
            "The link below works once and for {days} days. If you did not ask for this,"
            " you can ignore this message.",
        ),
        link="Download your data",
    ),
    "nl": PrivacyText(
        subject="Uw persoonsgegevens: downloadlink",
        body=(
            "U heeft gevraagd om een kopie van de persoonsgegevens die wij over u bewaren.",
            "De link hieronder werkt één keer en {days} dagen lang. Heeft u hier niet om"
            " gevraagd, dan kunt u dit bericht negeren.",
        ),
        link="Download uw gegevens",
    ),
    "de": PrivacyText(
        subject="Ihre personenbezogenen Daten: Download-Link",
        body=(
            "Sie haben eine Kopie der personenbezogenen Daten angefordert, die wir über Sie"
            " speichern.",
            "Der Link unten funktioniert einmal und {days} Tage lang. Wenn Sie das nicht"
            " angefordert haben, können Sie diese Nachricht ignorieren.",
        ),
        link="Ihre Daten herunterladen",
    ),
    "fr": PrivacyText(
        subject="Vos données personnelles : lien de téléchargement",
        body=(
            "Vous avez demandé une copie des données personnelles que nous détenons à votre sujet.",
            "Le lien ci-dessous fonctionne une seule fois, pendant {days} jours. Si vous"
            " n'êtes pas à l'origine de cette demande, ignorez ce message.",
        ),
        link="Télécharger vos données",
    ),
    "es": PrivacyText(
        subject="Sus datos personales: enlace de descarga",
        body=(
            "Ha solicitado una copia de los datos personales que conservamos sobre usted.",
            "El enlace de abajo funciona una sola vez y durante {days} días. Si no lo ha"
            " solicitado, puede ignorar este mensaje.",
        ),
        link="Descargar sus datos",
    ),
    "it": PrivacyText(
        subject="I tuoi dati personali: link per il download",
        body=(
            "Hai chiesto una copia dei dati personali che conserviamo su di te.",
            "Il link qui sotto funziona una sola volta e per {days} giorni. Se non hai fatto"
            " tu questa richiesta, puoi ignorare questo messaggio.",
        ),
        link="Scarica i tuoi dati",
    ),
}

_ERASURE: Mapping[str, PrivacyText] = {
    "en": PrivacyText(
        subject="Confirm the erasure of your personal data",
        body=(
            "You asked us to erase the personal data we hold about you. Erasure cancels"
            " your upcoming bookings and cannot be undone.",
            "To confirm, use the link below; it works once and for {days} days. If you did"
            " not ask for this, ignore this message and nothing will change.",
        ),
        link="Erase my data",
    ),
    "nl": PrivacyText(
        subject="Bevestig het wissen van uw persoonsgegevens",
        body=(
            "U heeft gevraagd de persoonsgegevens die wij over u bewaren te wissen. Wissen"
            " annuleert uw komende reserveringen en kan niet ongedaan worden gemaakt.",
            "Bevestig via de link hieronder; die werkt één keer en {days} dagen lang. Heeft"
            " u hier niet om gevraagd, negeer dan dit bericht; er verandert niets.",
        ),
        link="Mijn gegevens wissen",
    ),
    "de": PrivacyText(
        subject="Bestätigen Sie die Löschung Ihrer personenbezogenen Daten",
        body=(
            "Sie haben die Löschung Ihrer bei uns gespeicherten personenbezogenen Daten"
            " beantragt. Die Löschung storniert Ihre kommenden Reservierungen und kann nicht"
            " rückgängig gemacht werden.",
            "Bestätigen Sie über den Link unten; er funktioniert einmal und {days} Tage lang."
            " Wenn Sie das nicht beantragt haben, ignorieren Sie diese Nachricht.",
        ),
        link="Meine Daten löschen",
    ),
    "fr": PrivacyText(
        subject="Confirmez l'effacement de vos données personnelles",
        body=(
            "Vous avez demandé l'effacement des données personnelles que nous détenons à"
            " votre sujet. L'effacement annule vos réservations à venir et est définitif.",
            "Pour confirmer, utilisez le lien ci-dessous ; il fonctionne une seule fois,"
            " pendant {days} jours. Sinon, ignorez ce message : rien ne changera.",
        ),
        link="Effacer mes données",
    ),
    "es": PrivacyText(
        subject="Confirme la eliminación de sus datos personales",
        body=(
            "Ha solicitado eliminar los datos personales que conservamos sobre usted. La"
            " eliminación cancela sus próximas reservas y no se puede deshacer.",
            "Para confirmar, use el enlace de abajo; funciona una sola vez y durante {days}"
            " días. Si no lo ha solicitado, ignore este mensaje y nada cambiará.",
        ),
        link="Eliminar mis datos",
    ),
    "it": PrivacyText(
        subject="Conferma la cancellazione dei tuoi dati personali",
        body=(
            "Hai chiesto di cancellare i dati personali che conserviamo su di te. La"
            " cancellazione annulla le tue prenotazioni future e non può essere annullata.",
            "Per confermare usa il link qui sotto; funziona una sola volta e per {days}"
            " giorni. Se non hai fatto tu questa richiesta, ignora questo messaggio.",
        ),
        link="Cancella i miei dati",
    ),
}

PRIVACY_CATALOG: Mapping[PrivacyKind, Mapping[str, PrivacyText]] = {
    "privacy_export": _EXPORT,
    "privacy_erasure": _ERASURE,
}
