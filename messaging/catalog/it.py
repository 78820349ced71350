"""Italian guest messages (formal "Lei")."""

from __future__ import annotations

from messaging.catalog.schema import Labels, LanguageCatalog, MessageText

CATALOG = LanguageCatalog(
    labels=Labels(
        greeting="Gentile {name},",
        greeting_anonymous="Gentile cliente,",
        closing="Cordiali saluti,",
        details_heading="La sua prenotazione",
        reference="Codice prenotazione",
        date="Data",
        time="Ora",
        party="Persone",
        restaurant="Ristorante",
        address="Indirizzo",
        phone="Telefono",
        amount="Importo",
        offer_expires="Offerta valida fino a",
        note="Messaggio del ristorante",
        datetime="{date} alle {time}",
        party_one="1 persona",
        party_other="{n} persone",
        cancel_until="Può annullare gratuitamente entro {deadline}.",
        unsubscribe="Annulla l'iscrizione a notizie e offerte di {restaurant}",
    ),
    links={
        "manage": "Modifica la prenotazione",
        "view": "Visualizza la prenotazione",
        "feedback": "Lascia una recensione",
        "cancel": "Annulla la prenotazione",
        "calendar": "Aggiungi al calendario",
        "map": "Indicazioni stradali",
        "pay": "Versa la caparra",
        "guarantee": "Garantisci la prenotazione con la carta",
        "confirm": "Conferma la visita",
        "offer": "Prenota questo tavolo",
        "decline": "No grazie, offritelo a qualcun altro",
    },
    messages={
        "deposit_request": MessageText(
            subject="Caparra richiesta per il suo tavolo presso {restaurant}",
            body=(
                "Grazie per la sua richiesta di prenotazione presso {restaurant} per {party},"
                " {date} alle {time}.",
                "Per garantire il tavolo, la preghiamo di versare una caparra di {amount}"
                " tramite il link qui sotto. Teniamo il tavolo a sua disposizione per un breve"
                " periodo; se la caparra non viene versata in tempo, il tavolo sarà liberato.",
            ),
            sms="{restaurant}: versi la caparra di {amount} per garantire il tavolo per"
            " {party}, {date} alle {time}:",
        ),
        "pending": MessageText(
            subject="Abbiamo ricevuto la sua richiesta di prenotazione - {restaurant}",
            body=(
                "Grazie per la sua richiesta di prenotazione presso {restaurant} per {party},"
                " {date} alle {time}.",
                "La richiesta non è ancora confermata. Il ristorante la esaminerà e lei"
                " riceverà un messaggio non appena sarà confermata.",
            ),
            sms="{restaurant}: abbiamo ricevuto la sua richiesta per {party}, {date} alle"
            " {time}. Le daremo conferma a breve. Rif. {reference}.",
        ),
        "confirmation": MessageText(
            subject="La sua prenotazione presso {restaurant} è confermata",
            body=(
                "Siamo lieti di confermare la sua prenotazione presso {restaurant} per {party},"
                " {date} alle {time}.",
                "La aspettiamo con piacere.",
            ),
            sms="{restaurant}: il suo tavolo per {party}, {date} alle {time}, è confermato."
            " Rif. {reference}.",
        ),
        "declined": MessageText(
            subject="Non possiamo accettare la sua prenotazione presso {restaurant}",
            body=(
                "Grazie per l'interesse verso {restaurant}. Purtroppo non possiamo accettare la"
                " sua richiesta di prenotazione per {party}, {date} alle {time}.",
                "Ci scusiamo per l'inconveniente e speriamo di poterla accogliere in un'altra"
                " occasione.",
            ),
            sms="{restaurant}: purtroppo non possiamo accettare la sua richiesta per {party},"
            " {date} alle {time}. Ci scusiamo.",
        ),
        "modification": MessageText(
            subject="La sua prenotazione presso {restaurant} è stata modificata",
            body=(
                "La sua prenotazione presso {restaurant} è stata modificata ed è ora per"
                " {party}, {date} alle {time}.",
                "La aspettiamo con piacere.",
            ),
            sms="{restaurant}: la sua prenotazione è stata modificata: {party}, {date} alle"
            " {time}. Rif. {reference}.",
        ),
        "cancellation_by_guest": MessageText(
            subject="La sua prenotazione presso {restaurant} è stata annullata",
            body=(
                "Come richiesto, abbiamo annullato la sua prenotazione presso {restaurant} per"
                " {party}, {date} alle {time}.",
                "Speriamo di poterla accogliere in un'altra occasione.",
            ),
            sms="{restaurant}: come richiesto, la sua prenotazione per {party}, {date} alle"
            " {time}, è stata annullata.",
        ),
        "cancellation_by_restaurant": MessageText(
            subject="Abbiamo dovuto annullare la sua prenotazione presso {restaurant}",
            body=(
                "Siamo spiacenti, ma abbiamo dovuto annullare la sua prenotazione presso"
                " {restaurant} per {party}, {date} alle {time}.",
                "Ci scusiamo per l'inconveniente e speriamo di poterla accogliere in un'altra"
                " occasione.",
            ),
            sms="{restaurant}: siamo spiacenti, abbiamo dovuto annullare la sua prenotazione"
            " per {party}, {date} alle {time}. Rif. {reference}.",
        ),
        "hold_expired": MessageText(
            subject="La sua richiesta di prenotazione presso {restaurant} è scaduta",
            body=(
                "La sua richiesta di prenotazione presso {restaurant} per {party}, {date} alle"
                " {time}, non è stata completata in tempo, quindi il tavolo è stato liberato.",
                "Può effettuare una nuova prenotazione in qualsiasi momento.",
            ),
            sms="{restaurant}: la sua richiesta per {party}, {date} alle {time}, non è stata"
            " completata in tempo e il tavolo è stato liberato.",
        ),
        "reminder": MessageText(
            subject="Promemoria: il suo tavolo presso {restaurant}, {date}",
            body=(
                "Le ricordiamo la sua prenotazione presso {restaurant} per {party}, {date} alle"
                " {time}.",
                "La preghiamo di confermare la sua visita tramite il link qui sotto. Se i suoi"
                " programmi sono cambiati, può modificare o annullare la prenotazione.",
            ),
            sms="Promemoria da {restaurant}: {party}, {date} alle {time}. Risponda C per"
            " confermare o X per annullare.",
        ),
        "review_request": MessageText(
            subject="Com'è andata la sua visita da {restaurant}?",
            body=(
                "Grazie per aver scelto {restaurant}. Speriamo che la sua visita sia stata"
                " piacevole.",
                "Le saremmo grati se potesse dedicarci un momento per raccontarci la sua"
                " esperienza.",
            ),
            sms="Grazie per aver scelto {restaurant}! Ci farebbe piacere conoscere la sua"
            " opinione:",
        ),
        "deposit_receipt": MessageText(
            subject="Caparra ricevuta per la sua prenotazione presso {restaurant}",
            body=(
                "Grazie. Abbiamo ricevuto la sua caparra di {amount} per la prenotazione presso"
                " {restaurant} per {party}, {date} alle {time}.",
                "La aspettiamo con piacere.",
            ),
            sms="{restaurant}: abbiamo ricevuto la sua caparra di {amount} per {party}, {date}"
            " alle {time}. Grazie! Rif. {reference}.",
        ),
        "refund_issued": MessageText(
            subject="Il suo rimborso da {restaurant}",
            body=(
                "Abbiamo effettuato un rimborso di {amount} per la sua prenotazione {reference}"
                " presso {restaurant}.",
                "A seconda della sua banca, potrebbero essere necessari alcuni giorni lavorativi"
                " prima che l'importo compaia sul suo conto.",
            ),
            sms="{restaurant}: le abbiamo rimborsato {amount} per la prenotazione {reference}."
            " Potrebbero servire alcuni giorni lavorativi.",
        ),
        "no_show": MessageText(
            subject="La aspettavamo presso {restaurant}",
            body=(
                "Avevamo riservato per lei un tavolo presso {restaurant} per {party}, {date}"
                " alle {time}, ma purtroppo nessuno si è presentato.",
                "Se in futuro non potesse venire, la preghiamo di annullare la prenotazione in"
                " anticipo, così potremo offrire il tavolo ad altri clienti.",
            ),
            sms="{restaurant}: la aspettavamo {date} alle {time}. Se in futuro non potesse"
            " venire, la preghiamo di annullare in anticipo.",
        ),
        "fee_charged": MessageText(
            subject="Addebito per la sua prenotazione presso {restaurant}",
            body=(
                "In base alle condizioni di prenotazione, le è stato addebitato un importo di"
                " {amount} per la prenotazione {reference} presso {restaurant}, {date} alle"
                " {time}.",
                "Per qualsiasi domanda, contatti pure il ristorante.",
            ),
            sms="{restaurant}: in base alle condizioni di prenotazione, le è stato addebitato"
            " un importo di {amount} per la prenotazione {reference}.",
        ),
        "waitlist_offer": MessageText(
            subject="Si è liberato un tavolo presso {restaurant}",
            body=(
                "Buone notizie: si è liberato un tavolo presso {restaurant} per {party}, {date}"
                " alle {time}.",
                "Questa offerta è riservata a lei fino a {expires}. La accetti entro quel"
                " momento tramite il link qui sotto; dopo, il tavolo sarà offerto alla persona"
                " successiva in lista d'attesa.",
            ),
            sms="{restaurant}: c'è un tavolo libero per {party}, {date} alle {time}. Prenoti"
            " entro {expires}:",
        ),
        "waitlist_joined": MessageText(
            subject="Siete in lista d'attesa da {restaurant}",
            body=(
                "Siete in lista d'attesa da {restaurant} per {party} il {date}.",
                "Vi avviseremo appena si libera un tavolo. Avrete allora alcuni minuti "
                "per prenotarlo.",
            ),
            sms=(
                "{restaurant}: siete in lista d'attesa per {party} il {date}. Vi "
                "invieremo un SMS appena si libera un tavolo."
            ),
        ),
        "waitlist_table_ready": MessageText(
            subject="Il vostro tavolo da {restaurant} è pronto",
            body=(
                "Il vostro tavolo per {party} da {restaurant} è pronto.",
                "Presentatevi all'accoglienza entro {expires}; dopo, il tavolo passerà "
                "all'ospite successivo.",
            ),
            sms=(
                "{restaurant}: il vostro tavolo per {party} è pronto. Presentatevi "
                "all'accoglienza entro {expires}."
            ),
        ),
        "waitlist_call_you": MessageText(
            subject="Vi chiameremo quando il vostro tavolo sarà pronto",
            body=(
                "Da {restaurant} non c'è ancora un tavolo libero per {party}.",
                "Mantenete il vostro posto in fila: vi avviseremo appena ce ne sarà uno pronto.",
            ),
            sms=(
                "{restaurant}: ancora nessun tavolo per {party}. Mantenete il posto; vi "
                "invieremo un SMS."
            ),
        ),
        "waitlist_expired": MessageText(
            subject="La vostra iscrizione alla lista d'attesa di {restaurant} è terminata",
            body=(
                "Il vostro posto in lista d'attesa da {restaurant} per "
                "{party} il {date} è terminato.",
                "Speriamo di accogliervi un'altra volta.",
            ),
            sms=(
                "{restaurant}: il vostro posto in lista d'attesa per il {date} è "
                "terminato. A presto."
            ),
        ),
        "staff_reply": MessageText(
            subject="Un messaggio da {restaurant} sulla sua prenotazione",
            body=(
                "{restaurant} le ha inviato un messaggio sulla sua prenotazione per {party},"
                " {date} alle {time}:",
            ),
            sms="{restaurant}: {text}",
        ),
        "sms_cancel_refused": MessageText(
            subject="Non è stato possibile annullare via SMS la sua prenotazione presso"
            " {restaurant}",
            body=(
                "Abbiamo ricevuto il suo SMS con la richiesta di annullare la prenotazione"
                " presso {restaurant} per {party}, {date} alle {time}, ma non è stato possibile"
                " annullarla in questo modo.",
                "La prenotazione è ancora valida. Per annullarla, usi il link qui sotto o"
                " contatti direttamente il ristorante.",
            ),
            sms="{restaurant}: non è stato possibile annullare via SMS la sua prenotazione per"
            " {party}, {date} alle {time}: è ancora valida. Annulli con questo link o ci"
            " chiami:",
        ),
        "guarantee_request": MessageText(
            subject="Garantisca la sua prenotazione presso {restaurant} con una carta",
            body=(
                "Grazie per la sua prenotazione presso {restaurant} per {party}, {date} alle"
                " {time}.",
                "Teniamo il tavolo a sua disposizione finché non garantirà la prenotazione con"
                " una carta tramite il link qui sotto. Al momento non le verrà addebitato nulla.",
                "Sulla carta le sarà addebitato un importo fino a {amount} solo se non si"
                " presenta o se annulla dopo il termine per l'annullamento gratuito.",
            ),
            sms="{restaurant}: garantisca il tavolo per {party}, {date} alle {time}, con una"
            " carta. Al momento non le viene addebitato nulla:",
        ),
        "deposit_forfeited": MessageText(
            subject="La sua caparra per la prenotazione presso {restaurant}",
            body=(
                "Poiché la prenotazione {reference} presso {restaurant}, {date} alle {time}, è"
                " stata annullata dopo il termine per l'annullamento gratuito o non è stata"
                " onorata, la caparra di {amount} è stata trattenuta in base alle condizioni di"
                " prenotazione.",
                "Per qualsiasi domanda, contatti pure il ristorante.",
            ),
            sms="{restaurant}: in base alle condizioni di prenotazione, la caparra di {amount}"
            " per la prenotazione {reference} è stata trattenuta.",
        ),
    },
)
