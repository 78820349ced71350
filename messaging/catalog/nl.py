"""Dutch guest messages (formal "u")."""

from __future__ import annotations

from messaging.catalog.schema import Labels, LanguageCatalog, MessageText

CATALOG = LanguageCatalog(
    labels=Labels(
        greeting="Beste {name},",
        greeting_anonymous="Beste gast,",
        closing="Met vriendelijke groet,",
        details_heading="Uw reservering",
        reference="Reserveringsnummer",
        date="Datum",
        time="Tijd",
        party="Personen",
        restaurant="Restaurant",
        address="Adres",
        phone="Telefoon",
        amount="Bedrag",
        offer_expires="Aanbod geldig tot",
        note="Bericht van het restaurant",
        datetime="{date} om {time}",
        party_one="1 persoon",
        party_other="{n} personen",
        cancel_until="U kunt kosteloos annuleren tot {deadline}.",
        unsubscribe="Afmelden voor nieuws en aanbiedingen van {restaurant}",
    ),
    links={
        "manage": "Reservering wijzigen",
        "view": "Reservering bekijken",
        "feedback": "Geef uw mening",
        "cancel": "Reservering annuleren",
        "calendar": "Toevoegen aan agenda",
        "map": "Routebeschrijving",
        "pay": "Aanbetaling voldoen",
        "guarantee": "Reservering garanderen met uw kaart",
        "confirm": "Bezoek bevestigen",
        "offer": "Deze tafel reserveren",
        "decline": "Nee, bedankt: bied de tafel een ander aan",
    },
    messages={
        "deposit_request": MessageText(
            subject="Graag uw aanbetaling voor uw tafel bij {restaurant}",
            body=(
                "Hartelijk dank voor uw reserveringsaanvraag bij {restaurant} voor {party} op"
                " {date} om {time}.",
                "Om uw tafel definitief vast te leggen, vragen wij u een aanbetaling van"
                " {amount} te voldoen via de onderstaande link. Wij houden de tafel korte tijd"
                " voor u vast; wordt de aanbetaling niet op tijd voldaan, dan komt de tafel"
                " weer vrij.",
            ),
            sms="{restaurant}: voldoe de aanbetaling van {amount} om uw tafel voor {party} op"
            " {date} om {time} vast te leggen:",
        ),
        "pending": MessageText(
            subject="Wij hebben uw reserveringsaanvraag ontvangen - {restaurant}",
            body=(
                "Hartelijk dank voor uw reserveringsaanvraag bij {restaurant} voor {party} op"
                " {date} om {time}.",
                "Uw aanvraag is nog niet bevestigd. Het restaurant bekijkt uw aanvraag en u"
                " ontvangt bericht zodra deze is bevestigd.",
            ),
            sms="{restaurant}: wij hebben uw aanvraag voor {party} op {date} om {time}"
            " ontvangen en bevestigen deze zo snel mogelijk. Ref. {reference}.",
        ),
        "confirmation": MessageText(
            subject="Uw reservering bij {restaurant} is bevestigd",
            body=(
                "Graag bevestigen wij uw reservering bij {restaurant} voor {party} op {date}"
                " om {time}.",
                "Wij kijken ernaar uit u te mogen verwelkomen.",
            ),
            sms="{restaurant}: uw tafel voor {party} op {date} om {time} is bevestigd."
            " Ref. {reference}.",
        ),
        "declined": MessageText(
            subject="Wij kunnen uw reservering bij {restaurant} helaas niet aannemen",
            body=(
                "Hartelijk dank voor uw interesse in {restaurant}. Helaas kunnen wij uw"
                " reserveringsaanvraag voor {party} op {date} om {time} niet aannemen.",
                "Onze excuses voor het ongemak. Wij hopen u op een ander moment te mogen"
                " verwelkomen.",
            ),
            sms="{restaurant}: helaas kunnen wij uw aanvraag voor {party} op {date} om {time}"
            " niet aannemen. Onze excuses.",
        ),
        "modification": MessageText(
            subject="Uw reservering bij {restaurant} is gewijzigd",
            body=(
                "Uw reservering bij {restaurant} is gewijzigd en staat nu voor {party} op"
                " {date} om {time}.",
                "Wij kijken ernaar uit u te mogen verwelkomen.",
            ),
            sms="{restaurant}: uw reservering is gewijzigd naar {party} op {date} om {time}."
            " Ref. {reference}.",
        ),
        "cancellation_by_guest": MessageText(
            subject="Uw reservering bij {restaurant} is geannuleerd",
            body=(
                "Zoals gevraagd hebben wij uw reservering bij {restaurant} voor {party} op"
                " {date} om {time} geannuleerd.",
                "Wij hopen u graag een andere keer te verwelkomen.",
            ),
            sms="{restaurant}: uw reservering voor {party} op {date} om {time} is op uw"
            " verzoek geannuleerd.",
        ),
        "cancellation_by_restaurant": MessageText(
            subject="Wij hebben uw reservering bij {restaurant} moeten annuleren",
            body=(
                "Het spijt ons zeer, maar wij hebben uw reservering bij {restaurant} voor"
                " {party} op {date} om {time} moeten annuleren.",
                "Onze excuses voor het ongemak. Wij hopen u op een ander moment te mogen"
                " verwelkomen.",
            ),
            sms="{restaurant}: het spijt ons, wij hebben uw reservering voor {party} op"
            " {date} om {time} moeten annuleren. Ref. {reference}.",
        ),
        "hold_expired": MessageText(
            subject="Uw reserveringsaanvraag bij {restaurant} is verlopen",
            body=(
                "Uw reserveringsaanvraag bij {restaurant} voor {party} op {date} om {time} is"
                " niet op tijd afgerond, waardoor de tafel weer is vrijgegeven.",
                "U bent van harte welkom om opnieuw te reserveren.",
            ),
            sms="{restaurant}: uw aanvraag voor {party} op {date} om {time} is niet op tijd"
            " afgerond; de tafel is weer vrijgegeven.",
        ),
        "reminder": MessageText(
            subject="Herinnering: uw tafel bij {restaurant} op {date}",
            body=(
                "Graag herinneren wij u aan uw reservering bij {restaurant} voor {party} op"
                " {date} om {time}.",
                "Wilt u via de onderstaande link bevestigen dat u komt? Zijn uw plannen"
                " gewijzigd, dan kunt u uw reservering wijzigen of annuleren.",
            ),
            sms="Herinnering van {restaurant}: {party} op {date} om {time}. Antwoord C om te"
            " bevestigen of X om te annuleren.",
        ),
        "review_request": MessageText(
            subject="Hoe was uw bezoek aan {restaurant}?",
            body=(
                "Hartelijk dank voor uw bezoek aan {restaurant}. Wij hopen dat u ervan heeft"
                " genoten.",
                "Wij stellen het zeer op prijs als u even de tijd neemt om uw ervaring met ons"
                " te delen.",
            ),
            sms="Bedankt voor uw bezoek aan {restaurant}! Wij horen graag hoe u het vond:",
        ),
        "deposit_receipt": MessageText(
            subject="Aanbetaling ontvangen voor uw reservering bij {restaurant}",
            body=(
                "Hartelijk dank. Wij hebben uw aanbetaling van {amount} ontvangen voor uw"
                " reservering bij {restaurant} voor {party} op {date} om {time}.",
                "Wij kijken ernaar uit u te mogen verwelkomen.",
            ),
            sms="{restaurant}: wij hebben uw aanbetaling van {amount} voor {party} op {date}"
            " om {time} ontvangen. Dank u! Ref. {reference}.",
        ),
        "refund_issued": MessageText(
            subject="Uw terugbetaling van {restaurant}",
            body=(
                "Wij hebben {amount} terugbetaald voor uw reservering {reference} bij"
                " {restaurant}.",
                "Afhankelijk van uw bank kan het enkele werkdagen duren voordat het bedrag op"
                " uw rekening staat.",
            ),
            sms="{restaurant}: wij hebben {amount} terugbetaald voor reservering {reference}."
            " Dit kan enkele werkdagen duren.",
        ),
        "no_show": MessageText(
            subject="Wij hebben u gemist bij {restaurant}",
            body=(
                "Wij hadden bij {restaurant} een tafel voor u gereserveerd voor {party} op"
                " {date} om {time}, maar helaas hebben wij u niet gezien.",
                "Kunt u een volgende keer niet komen, wilt u dan vooraf annuleren? Dan kunnen"
                " wij de tafel aan andere gasten aanbieden.",
            ),
            sms="{restaurant}: wij hebben u gemist op {date} om {time}. Wilt u voortaan vooraf"
            " annuleren als u niet kunt komen?",
        ),
        "fee_charged": MessageText(
            subject="Kosten in rekening gebracht voor uw reservering bij {restaurant}",
            body=(
                "Conform de reserveringsvoorwaarden is er {amount} in rekening gebracht voor"
                " uw reservering {reference} bij {restaurant} op {date} om {time}.",
                "Heeft u vragen, neem dan gerust contact op met het restaurant.",
            ),
            sms="{restaurant}: conform de reserveringsvoorwaarden is {amount} in rekening"
            " gebracht voor reservering {reference}.",
        ),
        "waitlist_offer": MessageText(
            subject="Er is een tafel vrij bij {restaurant}",
            body=(
                "Goed nieuws: er is een tafel vrijgekomen bij {restaurant} voor {party} op"
                " {date} om {time}.",
                "Dit aanbod is voor u gereserveerd tot {expires}. Reserveer de tafel vóór die"
                " tijd via de onderstaande link; daarna bieden wij de tafel aan de volgende gast"
                " op de wachtlijst aan.",
            ),
            sms="{restaurant}: er is een tafel vrij voor {party} op {date} om {time}."
            " Reserveer vóór {expires}:",
        ),
        "waitlist_joined": MessageText(
            subject="U staat op de wachtlijst bij {restaurant}",
            body=(
                "U staat op de wachtlijst bij {restaurant} voor {party} op {date}.",
                "Wij laten het u weten zodra er een tafel vrijkomt. U heeft dan enkele "
                "minuten om te reserveren.",
            ),
            sms=(
                "{restaurant}: u staat op de wachtlijst voor {party} op {date}. Wij "
                "sms'en u zodra er een tafel vrijkomt."
            ),
        ),
        "waitlist_table_ready": MessageText(
            subject="Uw tafel bij {restaurant} is klaar",
            body=(
                "Uw tafel voor {party} bij {restaurant} is klaar.",
                "Meld u vóór {expires} bij de gastvrouw of gastheer; daarna gaat de tafel "
                "naar de volgende gast.",
            ),
            sms=(
                "{restaurant}: uw tafel voor {party} is klaar. Meld u vóór {expires} bij de ingang."
            ),
        ),
        "waitlist_call_you": MessageText(
            subject="Wij bellen u zodra uw tafel klaar is",
            body=(
                "Er is bij {restaurant} nog geen tafel vrij voor {party}.",
                "U houdt uw plaats in de rij: wij laten het u weten zodra er een klaar is.",
            ),
            sms=(
                "{restaurant}: nog geen tafel voor {party}. U houdt uw plaats; wij sms'en "
                "u zodra hij klaar is."
            ),
        ),
        "waitlist_expired": MessageText(
            subject="Uw plaats op de wachtlijst bij {restaurant} is verlopen",
            body=(
                "Uw plaats op de wachtlijst bij {restaurant} voor {party} op {date} is verlopen.",
                "Wij hopen u een andere keer te mogen verwelkomen.",
            ),
            sms=(
                "{restaurant}: uw plaats op de wachtlijst voor {date} is verlopen. Graag "
                "tot een andere keer."
            ),
        ),
        "staff_reply": MessageText(
            subject="Een bericht van {restaurant} over uw reservering",
            body=(
                "{restaurant} heeft u een bericht gestuurd over uw reservering voor {party} op"
                " {date} om {time}:",
            ),
            sms="{restaurant}: {text}",
        ),
        "sms_cancel_refused": MessageText(
            subject="Uw reservering bij {restaurant} kon niet per sms worden geannuleerd",
            body=(
                "Wij hebben uw sms ontvangen met het verzoek uw reservering bij {restaurant}"
                " voor {party} op {date} om {time} te annuleren, maar op deze manier konden wij"
                " de reservering niet annuleren.",
                "Uw reservering staat nog steeds. Gebruik de onderstaande link of neem"
                " rechtstreeks contact op met het restaurant om te annuleren.",
            ),
            sms="{restaurant}: uw reservering voor {party} op {date} om {time} kon niet per"
            " sms worden geannuleerd en staat nog. Annuleer via deze link of bel ons:",
        ),
        "guarantee_request": MessageText(
            subject="Garandeer uw reservering bij {restaurant} met uw kaart",
            body=(
                "Hartelijk dank voor uw reservering bij {restaurant} voor {party} op {date} om"
                " {time}.",
                "Wij houden uw tafel voor u vast totdat u de reservering via de onderstaande"
                " link met uw kaart garandeert. Er wordt nu niets in rekening gebracht.",
                "Alleen als u niet komt of pas na de termijn voor kosteloos annuleren annuleert,"
                " brengen wij kosten van maximaal {amount} in rekening op uw kaart.",
            ),
            sms="{restaurant}: garandeer uw tafel voor {party} op {date} om {time} met uw"
            " kaart. Er wordt nu niets in rekening gebracht:",
        ),
        "deposit_forfeited": MessageText(
            subject="Uw aanbetaling voor uw reservering bij {restaurant}",
            body=(
                "Omdat uw reservering {reference} bij {restaurant} op {date} om {time} na de"
                " termijn voor kosteloos annuleren is geannuleerd of u niet bent gekomen, is de"
                " aanbetaling van {amount} conform de reserveringsvoorwaarden ingehouden.",
                "Heeft u vragen, neem dan gerust contact op met het restaurant.",
            ),
            sms="{restaurant}: conform de reserveringsvoorwaarden is uw aanbetaling van"
            " {amount} voor reservering {reference} ingehouden.",
        ),
    },
)
