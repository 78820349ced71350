"""German guest messages (formal "Sie")."""

from __future__ import annotations

from messaging.catalog.schema import Labels, LanguageCatalog, MessageText

CATALOG = LanguageCatalog(
    labels=Labels(
        greeting="Guten Tag {name},",
        greeting_anonymous="Guten Tag,",
        # German letters close without a comma after the greeting formula
        closing="Mit freundlichen Grüßen",
        details_heading="Ihre Reservierung",
        reference="Reservierungsnummer",
        date="Datum",
        time="Uhrzeit",
        party="Personen",
        restaurant="Restaurant",
        address="Adresse",
        phone="Telefon",
        amount="Betrag",
        offer_expires="Angebot gültig bis",
        note="Nachricht des Restaurants",
        datetime="{date} um {time} Uhr",
        party_one="1 Person",
        party_other="{n} Personen",
        cancel_until="Bis {deadline} können Sie kostenlos stornieren.",
        unsubscribe="Von Neuigkeiten und Angeboten von {restaurant} abmelden",
    ),
    links={
        "manage": "Reservierung ändern",
        "view": "Reservierung ansehen",
        "feedback": "Bewertung abgeben",
        "cancel": "Reservierung stornieren",
        "calendar": "Zum Kalender hinzufügen",
        "map": "Anfahrt",
        "pay": "Anzahlung leisten",
        "guarantee": "Reservierung mit Karte garantieren",
        "confirm": "Besuch bestätigen",
        "offer": "Diesen Tisch buchen",
        "decline": "Nein danke, bieten Sie den Tisch jemand anderem an",
    },
    messages={
        "deposit_request": MessageText(
            subject="Bitte leisten Sie die Anzahlung für Ihren Tisch bei {restaurant}",
            body=(
                "Vielen Dank für Ihre Reservierungsanfrage bei {restaurant} für {party} am"
                " {date} um {time} Uhr.",
                "Um Ihren Tisch verbindlich zu reservieren, leisten Sie bitte über den"
                " folgenden Link eine Anzahlung von {amount}. Wir halten den Tisch kurze Zeit"
                " für Sie frei; geht die Anzahlung nicht rechtzeitig ein, wird der Tisch wieder"
                " freigegeben.",
            ),
            sms="{restaurant}: Bitte leisten Sie die Anzahlung von {amount}, um Ihren Tisch"
            " für {party} am {date} um {time} Uhr zu sichern:",
        ),
        "pending": MessageText(
            subject="Wir haben Ihre Reservierungsanfrage erhalten - {restaurant}",
            body=(
                "Vielen Dank für Ihre Reservierungsanfrage bei {restaurant} für {party} am"
                " {date} um {time} Uhr.",
                "Ihre Anfrage ist noch nicht bestätigt. Das Restaurant prüft sie, und Sie"
                " erhalten eine Nachricht, sobald sie bestätigt ist.",
            ),
            sms="{restaurant}: Wir haben Ihre Anfrage für {party} am {date} um {time} Uhr"
            " erhalten und melden uns in Kürze. Ref. {reference}.",
        ),
        "confirmation": MessageText(
            subject="Ihre Reservierung bei {restaurant} ist bestätigt",
            body=(
                "Gerne bestätigen wir Ihre Reservierung bei {restaurant} für {party} am {date}"
                " um {time} Uhr.",
                "Wir freuen uns auf Ihren Besuch.",
            ),
            sms="{restaurant}: Ihr Tisch für {party} am {date} um {time} Uhr ist bestätigt."
            " Ref. {reference}.",
        ),
        "declined": MessageText(
            subject="Wir können Ihre Reservierung bei {restaurant} leider nicht annehmen",
            body=(
                "Vielen Dank für Ihr Interesse an {restaurant}. Leider können wir Ihre"
                " Reservierungsanfrage für {party} am {date} um {time} Uhr nicht annehmen.",
                "Wir bitten um Ihr Verständnis und würden uns freuen, Sie ein anderes Mal"
                " begrüßen zu dürfen.",
            ),
            sms="{restaurant}: Leider können wir Ihre Anfrage für {party} am {date} um {time}"
            " Uhr nicht annehmen. Wir bitten um Verständnis.",
        ),
        "modification": MessageText(
            subject="Ihre Reservierung bei {restaurant} wurde geändert",
            body=(
                "Ihre Reservierung bei {restaurant} wurde geändert und gilt jetzt für {party}"
                " am {date} um {time} Uhr.",
                "Wir freuen uns auf Ihren Besuch.",
            ),
            sms="{restaurant}: Ihre Reservierung wurde geändert: {party} am {date} um {time}"
            " Uhr. Ref. {reference}.",
        ),
        "cancellation_by_guest": MessageText(
            subject="Ihre Reservierung bei {restaurant} wurde storniert",
            body=(
                "Wie gewünscht haben wir Ihre Reservierung bei {restaurant} für {party} am"
                " {date} um {time} Uhr storniert.",
                "Wir würden uns freuen, Sie ein anderes Mal begrüßen zu dürfen.",
            ),
            sms="{restaurant}: Ihre Reservierung für {party} am {date} um {time} Uhr wurde"
            " wie gewünscht storniert.",
        ),
        "cancellation_by_restaurant": MessageText(
            subject="Wir mussten Ihre Reservierung bei {restaurant} leider stornieren",
            body=(
                "Es tut uns sehr leid, aber wir mussten Ihre Reservierung bei {restaurant} für"
                " {party} am {date} um {time} Uhr stornieren.",
                "Bitte entschuldigen Sie die Unannehmlichkeiten. Wir würden uns freuen, Sie ein"
                " anderes Mal begrüßen zu dürfen.",
            ),
            sms="{restaurant}: Es tut uns leid, wir mussten Ihre Reservierung für {party} am"
            " {date} um {time} Uhr stornieren. Ref. {reference}.",
        ),
        "hold_expired": MessageText(
            subject="Ihre Reservierungsanfrage bei {restaurant} ist abgelaufen",
            body=(
                "Ihre Reservierungsanfrage bei {restaurant} für {party} am {date} um {time} Uhr"
                " wurde nicht rechtzeitig abgeschlossen, daher wurde der Tisch wieder"
                " freigegeben.",
                "Sie können jederzeit gerne eine neue Reservierung vornehmen.",
            ),
            sms="{restaurant}: Ihre Anfrage für {party} am {date} um {time} Uhr wurde nicht"
            " rechtzeitig abgeschlossen; der Tisch wurde wieder freigegeben.",
        ),
        "reminder": MessageText(
            subject="Erinnerung: Ihr Tisch bei {restaurant} am {date}",
            body=(
                "Wir möchten Sie an Ihre Reservierung bei {restaurant} für {party} am {date} um"
                " {time} Uhr erinnern.",
                "Bitte bestätigen Sie über den folgenden Link, dass Sie kommen. Falls sich Ihre"
                " Pläne geändert haben, können Sie Ihre Reservierung ändern oder stornieren.",
            ),
            sms="Erinnerung von {restaurant}: {party} am {date} um {time} Uhr. Antworten Sie"
            " C zum Bestätigen oder X zum Stornieren.",
        ),
        "review_request": MessageText(
            subject="Wie war Ihr Besuch bei {restaurant}?",
            body=(
                "Vielen Dank für Ihren Besuch bei {restaurant}. Wir hoffen, es hat Ihnen gefallen.",
                "Wir würden uns sehr freuen, wenn Sie sich einen Moment Zeit nehmen und uns von"
                " Ihren Eindrücken berichten.",
            ),
            sms="Vielen Dank für Ihren Besuch bei {restaurant}! Wir freuen uns über Ihre Meinung:",
        ),
        "deposit_receipt": MessageText(
            subject="Anzahlung für Ihre Reservierung bei {restaurant} erhalten",
            body=(
                "Vielen Dank. Wir haben Ihre Anzahlung von {amount} für Ihre Reservierung bei"
                " {restaurant} für {party} am {date} um {time} Uhr erhalten.",
                "Wir freuen uns auf Ihren Besuch.",
            ),
            sms="{restaurant}: Wir haben Ihre Anzahlung von {amount} für {party} am {date} um"
            " {time} Uhr erhalten. Vielen Dank! Ref. {reference}.",
        ),
        "refund_issued": MessageText(
            subject="Ihre Rückerstattung von {restaurant}",
            body=(
                "Wir haben Ihnen {amount} für Ihre Reservierung {reference} bei {restaurant}"
                " erstattet.",
                "Je nach Bank kann es einige Werktage dauern, bis der Betrag auf Ihrem Konto"
                " erscheint.",
            ),
            sms="{restaurant}: Wir haben Ihnen {amount} für die Reservierung {reference}"
            " erstattet. Dies kann einige Werktage dauern.",
        ),
        "no_show": MessageText(
            subject="Wir haben Sie bei {restaurant} vermisst",
            body=(
                "Wir hatten bei {restaurant} einen Tisch für {party} am {date} um {time} Uhr"
                " für Sie reserviert, haben Sie aber leider nicht angetroffen.",
                "Wenn Sie einmal verhindert sind, stornieren Sie Ihre Reservierung bitte"
                " rechtzeitig, damit wir den Tisch anderen Gästen anbieten können.",
            ),
            sms="{restaurant}: Wir haben Sie am {date} um {time} Uhr vermisst. Bitte"
            " stornieren Sie künftig rechtzeitig, wenn Sie verhindert sind.",
        ),
        "fee_charged": MessageText(
            subject="Gebühr für Ihre Reservierung bei {restaurant}",
            body=(
                "Gemäß den Reservierungsbedingungen wurde für Ihre Reservierung {reference} bei"
                " {restaurant} am {date} um {time} Uhr eine Gebühr von {amount} berechnet.",
                "Bei Fragen wenden Sie sich bitte an das Restaurant.",
            ),
            sms="{restaurant}: Gemäß den Reservierungsbedingungen wurde für die Reservierung"
            " {reference} eine Gebühr von {amount} berechnet.",
        ),
        "waitlist_offer": MessageText(
            subject="Bei {restaurant} ist ein Tisch frei geworden",
            body=(
                "Gute Nachricht: Bei {restaurant} ist ein Tisch für {party} am {date} um {time}"
                " Uhr frei geworden.",
                "Dieses Angebot ist bis {expires} für Sie reserviert. Bitte nehmen Sie es"
                " vorher über den folgenden Link an; danach bieten wir den Tisch dem nächsten"
                " Gast auf der Warteliste an.",
            ),
            sms="{restaurant}: Ein Tisch für {party} am {date} um {time} Uhr ist frei."
            " Buchen Sie bis {expires}:",
        ),
        "waitlist_joined": MessageText(
            subject="Sie stehen auf der Warteliste von {restaurant}",
            body=(
                "Sie stehen auf der Warteliste von {restaurant} für {party} am {date}.",
                "Wir melden uns, sobald ein Tisch frei wird. Sie haben dann einige "
                "Minuten Zeit, ihn zu buchen.",
            ),
            sms=(
                "{restaurant}: Sie stehen auf der Warteliste für {party} am {date}. Wir "
                "melden uns per SMS, sobald ein Tisch frei wird."
            ),
        ),
        "waitlist_table_ready": MessageText(
            subject="Ihr Tisch bei {restaurant} ist bereit",
            body=(
                "Ihr Tisch für {party} bei {restaurant} ist bereit.",
                "Bitte melden Sie sich bis {expires} am Empfang; danach geht der Tisch an "
                "den nächsten Gast.",
            ),
            sms=(
                "{restaurant}: Ihr Tisch für {party} ist bereit. Bitte melden Sie sich "
                "bis {expires} am Empfang."
            ),
        ),
        "waitlist_call_you": MessageText(
            subject="Wir melden uns, sobald Ihr Tisch bereit ist",
            body=(
                "Bei {restaurant} ist noch kein Tisch für {party} frei.",
                "Sie behalten Ihren Platz in der Reihe: Wir melden uns, sobald einer bereit ist.",
            ),
            sms=(
                "{restaurant}: noch kein Tisch für {party}. Sie behalten Ihren Platz; wir "
                "melden uns per SMS."
            ),
        ),
        "waitlist_expired": MessageText(
            subject="Ihr Wartelistenplatz bei {restaurant} ist abgelaufen",
            body=(
                "Ihr Platz auf der Warteliste von {restaurant} für {party} "
                "am {date} ist abgelaufen.",
                "Wir freuen uns, Sie ein anderes Mal begrüßen zu dürfen.",
            ),
            sms=(
                "{restaurant}: Ihr Wartelistenplatz für den {date} ist abgelaufen. Gerne "
                "ein anderes Mal."
            ),
        ),
        "staff_reply": MessageText(
            subject="Eine Nachricht von {restaurant} zu Ihrer Reservierung",
            body=(
                "{restaurant} hat Ihnen eine Nachricht zu Ihrer Reservierung für {party} am"
                " {date} um {time} Uhr gesendet:",
            ),
            sms="{restaurant}: {text}",
        ),
        "sms_cancel_refused": MessageText(
            subject="Ihre Reservierung bei {restaurant} konnte nicht per SMS storniert werden",
            body=(
                "Wir haben Ihre SMS mit der Bitte um Stornierung Ihrer Reservierung bei"
                " {restaurant} für {party} am {date} um {time} Uhr erhalten, konnten die"
                " Reservierung auf diesem Weg aber nicht stornieren.",
                "Ihre Reservierung besteht weiterhin. Bitte nutzen Sie zum Stornieren den"
                " folgenden Link oder wenden Sie sich direkt an das Restaurant.",
            ),
            sms="{restaurant}: Ihre Reservierung für {party} am {date} um {time} Uhr konnte"
            " nicht per SMS storniert werden und besteht weiter. Stornieren Sie über diesen"
            " Link oder rufen Sie uns an:",
        ),
        "guarantee_request": MessageText(
            subject="Bitte garantieren Sie Ihre Reservierung bei {restaurant} mit Ihrer Karte",
            body=(
                "Vielen Dank für Ihre Reservierung bei {restaurant} für {party} am {date} um"
                " {time} Uhr.",
                "Wir halten Ihren Tisch für Sie frei, bis Sie die Reservierung über den"
                " folgenden Link mit Ihrer Karte garantiert haben. Ihre Karte wird jetzt nicht"
                " belastet.",
                "Nur wenn Sie nicht erscheinen oder nach Ablauf der kostenlosen Stornierungsfrist"
                " stornieren, wird Ihre Karte mit einer Gebühr von höchstens {amount} belastet.",
            ),
            sms="{restaurant}: Bitte garantieren Sie Ihren Tisch für {party} am {date} um"
            " {time} Uhr mit Ihrer Karte. Ihre Karte wird jetzt nicht belastet:",
        ),
        "deposit_forfeited": MessageText(
            subject="Ihre Anzahlung für Ihre Reservierung bei {restaurant}",
            body=(
                "Da Ihre Reservierung {reference} bei {restaurant} am {date} um {time} Uhr nach"
                " Ablauf der kostenlosen Stornierungsfrist storniert wurde oder Sie nicht"
                " erschienen sind, wurde die Anzahlung von {amount} gemäß den"
                " Reservierungsbedingungen einbehalten.",
                "Bei Fragen wenden Sie sich bitte an das Restaurant.",
            ),
            sms="{restaurant}: Gemäß den Reservierungsbedingungen wurde Ihre Anzahlung von"
            " {amount} für die Reservierung {reference} einbehalten.",
        ),
    },
)
