"""The words of the guest's manage page in every message language.

The page also uses the message catalogs' own link captions (pay, confirm, cancel,
calendar, map) and labels (reference, party, "date at time"), so a button reads as
the link that led to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from rules.state_machine import ReservationStatus


class ManagePageWords(TypedDict):
    not_found_title: str
    not_found_body: str
    booking: str  # fields: reference, party, when
    status: str  # field: status
    statuses: Mapping[ReservationStatus, str]
    change: str
    confirm_yes: str
    cancel_yes: str
    cancelled: str
    thanks: str


S = ReservationStatus

MANAGE_PAGE_WORDS: Mapping[str, ManagePageWords] = {
    "en": ManagePageWords(
        not_found_title="Reservation not found",
        not_found_body=(
            "This link is not valid (any more). Use the link in your latest confirmation "
            "message, or look your booking up with its reference and email."
        ),
        booking="Reservation {reference} for {party}, {when}.",
        status="Status: {status}.",
        statuses={
            S.HELD: "held, awaiting payment",
            S.PENDING_CONFIRMATION: "awaiting the restaurant's confirmation",
            S.CONFIRMED: "confirmed",
            S.SEATED: "seated",
            S.COMPLETED: "completed",
            S.NO_SHOW: "no-show",
            S.CANCELLED_BY_GUEST: "cancelled by you",
            S.CANCELLED_BY_RESTAURANT: "cancelled by the restaurant",
            S.EXPIRED: "expired",
            S.DECLINED: "declined by the restaurant",
        },
        change="Change the date, time or party size",
        confirm_yes="Yes, we are coming",
        cancel_yes="Yes, cancel this reservation",
        cancelled="Cancelled.",
        thanks="Thank you!",
    ),
    "nl": ManagePageWords(
        not_found_title="Reservering niet gevonden",
        not_found_body=(
            "Deze link is niet (meer) geldig. Gebruik de link in uw laatste bevestiging, "
            "of zoek uw reservering op met het reserveringsnummer en uw e-mailadres."
        ),
        booking="Reservering {reference} voor {party}, {when}.",
        status="Status: {status}.",
        statuses={
            S.HELD: "vastgehouden, wacht op betaling",
            S.PENDING_CONFIRMATION: "wacht op bevestiging van het restaurant",
            S.CONFIRMED: "bevestigd",
            S.SEATED: "aan tafel",
            S.COMPLETED: "afgerond",
            S.NO_SHOW: "niet verschenen",
            S.CANCELLED_BY_GUEST: "door u geannuleerd",
            S.CANCELLED_BY_RESTAURANT: "door het restaurant geannuleerd",
            S.EXPIRED: "verlopen",
            S.DECLINED: "door het restaurant afgewezen",
        },
        change="Datum, tijd of aantal personen wijzigen",
        confirm_yes="Ja, wij komen",
        cancel_yes="Ja, annuleer deze reservering",
        cancelled="Geannuleerd.",
        thanks="Dank u wel!",
    ),
    "de": ManagePageWords(
        not_found_title="Reservierung nicht gefunden",
        not_found_body=(
            "Dieser Link ist nicht (mehr) gültig. Verwenden Sie den Link in Ihrer letzten "
            "Bestätigung oder suchen Sie Ihre Reservierung mit Reservierungsnummer und "
            "E-Mail-Adresse."
        ),
        booking="Reservierung {reference} für {party}, {when}.",
        status="Status: {status}.",
        statuses={
            S.HELD: "vorgemerkt, Zahlung ausstehend",
            S.PENDING_CONFIRMATION: "wartet auf die Bestätigung des Restaurants",
            S.CONFIRMED: "bestätigt",
            S.SEATED: "am Tisch",
            S.COMPLETED: "abgeschlossen",
            S.NO_SHOW: "nicht erschienen",
            S.CANCELLED_BY_GUEST: "von Ihnen storniert",
            S.CANCELLED_BY_RESTAURANT: "vom Restaurant storniert",
            S.EXPIRED: "abgelaufen",
            S.DECLINED: "vom Restaurant abgelehnt",
        },
        change="Datum, Uhrzeit oder Personenzahl ändern",
        confirm_yes="Ja, wir kommen",
        cancel_yes="Ja, diese Reservierung stornieren",
        cancelled="Storniert.",
        thanks="Vielen Dank!",
    ),
    "fr": ManagePageWords(
        not_found_title="Réservation introuvable",
        not_found_body=(
            "Ce lien n'est pas (ou plus) valable. Utilisez le lien de votre dernière "
            "confirmation, ou retrouvez votre réservation avec sa référence et votre "
            "adresse e-mail."
        ),
        booking="Réservation {reference} pour {party}, {when}.",
        status="Statut : {status}.",
        statuses={
            S.HELD: "retenue, en attente de paiement",
            S.PENDING_CONFIRMATION: "en attente de confirmation du restaurant",
            S.CONFIRMED: "confirmée",
            S.SEATED: "à table",
            S.COMPLETED: "terminée",
            S.NO_SHOW: "non présentée",
            S.CANCELLED_BY_GUEST: "annulée par vous",
            S.CANCELLED_BY_RESTAURANT: "annulée par le restaurant",
            S.EXPIRED: "expirée",
            S.DECLINED: "refusée par le restaurant",
        },
        change="Modifier la date, l'heure ou le nombre de personnes",
        confirm_yes="Oui, nous venons",
        cancel_yes="Oui, annuler cette réservation",
        cancelled="Annulée.",
        thanks="Merci !",
    ),
    "es": ManagePageWords(
        not_found_title="Reserva no encontrada",
        not_found_body=(
            "Este enlace no es (o ya no es) válido. Use el enlace de su última "
            "confirmación o busque su reserva con su referencia y su correo electrónico."
        ),
        booking="Reserva {reference} para {party}, {when}.",
        status="Estado: {status}.",
        statuses={
            S.HELD: "retenida, pendiente de pago",
            S.PENDING_CONFIRMATION: "pendiente de confirmación del restaurante",
            S.CONFIRMED: "confirmada",
            S.SEATED: "en la mesa",
            S.COMPLETED: "completada",
            S.NO_SHOW: "no presentada",
            S.CANCELLED_BY_GUEST: "cancelada por usted",
            S.CANCELLED_BY_RESTAURANT: "cancelada por el restaurante",
            S.EXPIRED: "caducada",
            S.DECLINED: "rechazada por el restaurante",
        },
        change="Cambiar la fecha, la hora o el número de personas",
        confirm_yes="Sí, vamos",
        cancel_yes="Sí, cancelar esta reserva",
        cancelled="Cancelada.",
        thanks="¡Gracias!",
    ),
    "it": ManagePageWords(
        not_found_title="Prenotazione non trovata",
        not_found_body=(
            "Questo link non è (più) valido. Usi il link dell'ultima conferma ricevuta, "
            "oppure cerchi la prenotazione con il codice e l'indirizzo e-mail."
        ),
        booking="Prenotazione {reference} per {party}, {when}.",
        status="Stato: {status}.",
        statuses={
            S.HELD: "trattenuta, in attesa di pagamento",
            S.PENDING_CONFIRMATION: "in attesa della conferma del ristorante",
            S.CONFIRMED: "confermata",
            S.SEATED: "al tavolo",
            S.COMPLETED: "conclusa",
            S.NO_SHOW: "mancata presentazione",
            S.CANCELLED_BY_GUEST: "annullata da lei",
            S.CANCELLED_BY_RESTAURANT: "annullata dal ristorante",
            S.EXPIRED: "scaduta",
            S.DECLINED: "rifiutata dal ristorante",
        },
        change="Cambiare data, ora o numero di persone",
        confirm_yes="Sì, veniamo",
        cancel_yes="Sì, annullare questa prenotazione",
        cancelled="Annullata.",
        thanks="Grazie!",
    ),
}
