"""The words of the guest's waitlist page in every message language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from models.enums import WaitlistStatus


class WaitlistPageWords(TypedDict):
    title: str  # field: restaurant
    not_found_title: str
    not_found_body: str
    entry: str  # fields: party, day, window ("" or the window's words)
    window: str  # fields: start, end
    status: str  # field: status
    statuses: Mapping[WaitlistStatus, str]
    offer: str  # fields: time, tables, until
    accept: str
    decline: str
    leave: str
    leave_yes: str
    booked: str
    accepted: str
    declined: str
    left: str


W = WaitlistStatus

WAITLIST_PAGE_WORDS: Mapping[str, WaitlistPageWords] = {
    "en": WaitlistPageWords(
        title="Waitlist: {restaurant}",
        not_found_title="Waitlist entry not found",
        not_found_body=(
            "This link is not valid (any more). Use the link in your latest message from "
            "the restaurant."
        ),
        entry="Waitlist for {party}, {day}{window}.",
        window=", {start} to {end}",
        status="Status: {status}.",
        statuses={
            W.WAITING: "waiting",
            W.OFFERED: "a table is offered",
            W.ACCEPTED: "booked",
            W.SEATED: "seated",
            W.EXPIRED: "expired",
            W.CANCELLED: "off the list",
        },
        offer="A table is free for you at {time} (table {tables}). "
        "It is held for you until {until}.",
        accept="Yes, book this table",
        decline="No, thank you",
        leave="Leave the waitlist",
        leave_yes="Yes, take me off the list",
        booked="Your table is booked: the confirmation is on its way.",
        accepted="Booked!",
        declined="Declined.",
        left="You left.",
    ),
    "nl": WaitlistPageWords(
        title="Wachtlijst: {restaurant}",
        not_found_title="Plaats op de wachtlijst niet gevonden",
        not_found_body=(
            "Deze link is niet (meer) geldig. Gebruik de link in uw laatste bericht van "
            "het restaurant."
        ),
        entry="Wachtlijst voor {party}, {day}{window}.",
        window=", {start} tot {end}",
        status="Status: {status}.",
        statuses={
            W.WAITING: "wachtend",
            W.OFFERED: "er is een tafel voor u",
            W.ACCEPTED: "gereserveerd",
            W.SEATED: "aan tafel",
            W.EXPIRED: "verlopen",
            W.CANCELLED: "van de lijst",
        },
        offer="Er is om {time} een tafel voor u vrij (tafel {tables}). "
        "Wij houden hem voor u vast tot {until}.",
        accept="Ja, reserveer deze tafel",
        decline="Nee, bedankt",
        leave="Van de wachtlijst af",
        leave_yes="Ja, haal mij van de lijst",
        booked="Uw tafel is gereserveerd: de bevestiging is onderweg.",
        accepted="Gereserveerd!",
        declined="Afgeslagen.",
        left="U staat niet meer op de lijst.",
    ),
    "de": WaitlistPageWords(
        title="Warteliste: {restaurant}",
        not_found_title="Eintrag auf der Warteliste nicht gefunden",
        not_found_body=(
            "Dieser Link ist nicht (mehr) gültig. Verwenden Sie den Link in Ihrer "
            "letzten Nachricht des Restaurants."
        ),
        entry="Warteliste für {party}, {day}{window}.",
        window=", {start} bis {end}",
        status="Status: {status}.",
        statuses={
            W.WAITING: "wartend",
            W.OFFERED: "ein Tisch ist für Sie frei",
            W.ACCEPTED: "reserviert",
            W.SEATED: "am Tisch",
            W.EXPIRED: "abgelaufen",
            W.CANCELLED: "nicht mehr auf der Liste",
        },
        offer="Um {time} ist ein Tisch für Sie frei (Tisch {tables}). "
        "Wir halten ihn bis {until} für Sie.",
        accept="Ja, diesen Tisch reservieren",
        decline="Nein, danke",
        leave="Die Warteliste verlassen",
        leave_yes="Ja, nehmen Sie mich von der Liste",
        booked="Ihr Tisch ist reserviert: die Bestätigung ist unterwegs.",
        accepted="Reserviert!",
        declined="Abgelehnt.",
        left="Sie stehen nicht mehr auf der Liste.",
    ),
    "fr": WaitlistPageWords(
        title="Liste d'attente : {restaurant}",
        not_found_title="Inscription introuvable",
        not_found_body=(
            "Ce lien n'est pas (ou plus) valable. Utilisez le lien du dernier message du "
            "restaurant."
        ),
        entry="Liste d'attente pour {party}, {day}{window}.",
        window=", de {start} à {end}",
        status="Statut : {status}.",
        statuses={
            W.WAITING: "en attente",
            W.OFFERED: "une table vous est proposée",
            W.ACCEPTED: "réservée",
            W.SEATED: "à table",
            W.EXPIRED: "expirée",
            W.CANCELLED: "retirée de la liste",
        },
        offer="Une table est libre pour vous à {time} (table {tables}). "
        "Nous vous la gardons jusqu'à {until}.",
        accept="Oui, réserver cette table",
        decline="Non, merci",
        leave="Quitter la liste d'attente",
        leave_yes="Oui, retirez-moi de la liste",
        booked="Votre table est réservée : la confirmation est en route.",
        accepted="Réservée !",
        declined="Refusée.",
        left="Vous avez quitté la liste.",
    ),
    "es": WaitlistPageWords(
        title="Lista de espera: {restaurant}",
        not_found_title="Inscripción no encontrada",
        not_found_body=(
            "Este enlace no es (o ya no es) válido. Use el enlace del último mensaje del "
            "restaurante."
        ),
        entry="Lista de espera para {party}, {day}{window}.",
        window=", de {start} a {end}",
        status="Estado: {status}.",
        statuses={
            W.WAITING: "en espera",
            W.OFFERED: "le ofrecemos una mesa",
            W.ACCEPTED: "reservada",
            W.SEATED: "en la mesa",
            W.EXPIRED: "caducada",
            W.CANCELLED: "fuera de la lista",
        },
        offer="Hay una mesa libre para usted a las {time} (mesa {tables}). "
        "Se la guardamos hasta las {until}.",
        accept="Sí, reservar esta mesa",
        decline="No, gracias",
        leave="Salir de la lista de espera",
        leave_yes="Sí, sáquenme de la lista",
        booked="Su mesa está reservada: la confirmación está en camino.",
        accepted="¡Reservada!",
        declined="Rechazada.",
        left="Ha salido de la lista.",
    ),
    "it": WaitlistPageWords(
        title="Lista d'attesa: {restaurant}",
        not_found_title="Iscrizione non trovata",
        not_found_body=(
            "Questo link non è (più) valido. Usi il link dell'ultimo messaggio del ristorante."
        ),
        entry="Lista d'attesa per {party}, {day}{window}.",
        window=", dalle {start} alle {end}",
        status="Stato: {status}.",
        statuses={
            W.WAITING: "in attesa",
            W.OFFERED: "le offriamo un tavolo",
            W.ACCEPTED: "prenotata",
            W.SEATED: "al tavolo",
            W.EXPIRED: "scaduta",
            W.CANCELLED: "fuori dalla lista",
        },
        offer="C'è un tavolo libero per lei alle {time} (tavolo {tables}). "
        "Glielo teniamo fino alle {until}.",
        accept="Sì, prenotare questo tavolo",
        decline="No, grazie",
        leave="Lasciare la lista d'attesa",
        leave_yes="Sì, toglietemi dalla lista",
        booked="Il suo tavolo è prenotato: la conferma è in arrivo.",
        accepted="Prenotato!",
        declined="Rifiutato.",
        left="Ha lasciato la lista.",
    ),
}
