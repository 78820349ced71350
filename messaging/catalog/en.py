"""English guest messages."""

from __future__ import annotations

from messaging.catalog.schema import Labels, LanguageCatalog, MessageText

CATALOG = LanguageCatalog(
    labels=Labels(
        greeting="Dear {name},",
        greeting_anonymous="Dear guest,",
        closing="Kind regards,",
        details_heading="Your booking",
        reference="Reference",
        date="Date",
        time="Time",
        party="Guests",
        restaurant="Restaurant",
        address="Address",
        phone="Phone",
        amount="Amount",
        offer_expires="Offer valid until",
        note="Message from the restaurant",
        datetime="{date} at {time}",
        party_one="1 person",
        party_other="{n} people",
        cancel_until="You can cancel free of charge until {deadline}.",
        unsubscribe="Unsubscribe from news and offers from {restaurant}",
    ),
    links={
        "manage": "Change your booking",
        "view": "View your booking",
        "feedback": "Share your feedback",
        "cancel": "Cancel your booking",
        "calendar": "Add to your calendar",
        "map": "Get directions",
        "pay": "Pay the deposit",
        "guarantee": "Secure your booking with a card",
        "confirm": "Confirm your visit",
        "offer": "Book this table",
        "decline": "No thanks, offer it to someone else",
    },
    messages={
        "deposit_request": MessageText(
            subject="Please pay the deposit for your table at {restaurant}",
            body=(
                "Thank you for your booking request at {restaurant} for {party} on {date}"
                " at {time}.",
                "To secure your table, please pay a deposit of {amount} using the link below."
                " We are holding the table for you for a short while; if the deposit is not"
                " paid in time, the table will be released.",
            ),
            sms="{restaurant}: please pay the {amount} deposit to secure your table for"
            " {party} on {date} at {time}:",
        ),
        "pending": MessageText(
            subject="We have received your booking request - {restaurant}",
            body=(
                "Thank you for your booking request at {restaurant} for {party} on {date}"
                " at {time}.",
                "Your request is not confirmed yet. The restaurant will review it and you will"
                " receive a message as soon as it has been confirmed.",
            ),
            sms="{restaurant}: we have received your request for {party} on {date} at {time}"
            " and will confirm it shortly. Ref {reference}.",
        ),
        "confirmation": MessageText(
            subject="Your booking at {restaurant} is confirmed",
            body=(
                "We are pleased to confirm your booking at {restaurant} for {party} on {date}"
                " at {time}.",
                "We look forward to welcoming you.",
            ),
            sms="{restaurant}: your table for {party} on {date} at {time} is confirmed."
            " Ref {reference}.",
        ),
        "declined": MessageText(
            subject="We are unable to accept your booking at {restaurant}",
            body=(
                "Thank you for your interest in {restaurant}. Unfortunately, we are unable to"
                " accept your booking request for {party} on {date} at {time}.",
                "We are sorry for the inconvenience and hope to welcome you another time.",
            ),
            sms="{restaurant}: unfortunately we cannot accept your request for {party} on"
            " {date} at {time}. We are sorry.",
        ),
        "modification": MessageText(
            subject="Your booking at {restaurant} has been changed",
            body=(
                "Your booking at {restaurant} has been updated and is now for {party} on"
                " {date} at {time}.",
                "We look forward to welcoming you.",
            ),
            sms="{restaurant}: your booking has been changed to {party} on {date} at {time}."
            " Ref {reference}.",
        ),
        "cancellation_by_guest": MessageText(
            subject="Your booking at {restaurant} has been cancelled",
            body=(
                "As requested, we have cancelled your booking at {restaurant} for {party} on"
                " {date} at {time}.",
                "We hope to welcome you another time.",
            ),
            sms="{restaurant}: your booking for {party} on {date} at {time} has been"
            " cancelled as requested.",
        ),
        "cancellation_by_restaurant": MessageText(
            subject="We have had to cancel your booking at {restaurant}",
            body=(
                "We are very sorry, but we have had to cancel your booking at {restaurant} for"
                " {party} on {date} at {time}.",
                "We apologise for the inconvenience and hope to welcome you another time.",
            ),
            sms="{restaurant}: we are sorry, we have had to cancel your booking for {party} on"
            " {date} at {time}. Ref {reference}.",
        ),
        "hold_expired": MessageText(
            subject="Your booking request at {restaurant} has expired",
            body=(
                "Your booking request at {restaurant} for {party} on {date} at {time} was not"
                " completed in time, so the table has been released.",
                "You are welcome to make a new booking at any time.",
            ),
            sms="{restaurant}: your request for {party} on {date} at {time} was not completed"
            " in time and the table has been released.",
        ),
        "reminder": MessageText(
            subject="Reminder: your table at {restaurant} on {date}",
            body=(
                "This is a friendly reminder of your booking at {restaurant} for {party} on"
                " {date} at {time}.",
                "Please let us know that you are still coming by confirming your visit with"
                " the link below. If your plans have changed, you can change or cancel your"
                " booking.",
            ),
            sms="Reminder from {restaurant}: {party} on {date} at {time}. Reply C to confirm"
            " or X to cancel.",
        ),
        "review_request": MessageText(
            subject="How was your visit to {restaurant}?",
            body=(
                "Thank you for dining with us at {restaurant}. We hope you enjoyed your visit.",
                "We would be grateful if you could take a moment to tell us about your experience.",
            ),
            sms="Thank you for visiting {restaurant}! We would love to hear about your experience:",
        ),
        "deposit_receipt": MessageText(
            subject="Deposit received for your booking at {restaurant}",
            body=(
                "Thank you. We have received your deposit of {amount} for your booking at"
                " {restaurant} for {party} on {date} at {time}.",
                "We look forward to welcoming you.",
            ),
            sms="{restaurant}: we have received your {amount} deposit for {party} on {date}"
            " at {time}. Thank you! Ref {reference}.",
        ),
        "refund_issued": MessageText(
            subject="Your refund from {restaurant}",
            body=(
                "We have issued a refund of {amount} for your booking {reference} at {restaurant}.",
                "Depending on your bank, it may take a few working days before the amount"
                " appears on your statement.",
            ),
            sms="{restaurant}: we have refunded {amount} for booking {reference}. It may take"
            " a few working days to appear.",
        ),
        "no_show": MessageText(
            subject="We missed you at {restaurant}",
            body=(
                "We had a table reserved for you at {restaurant} for {party} on {date} at"
                " {time}, but unfortunately we did not see you.",
                "If you cannot make it another time, please cancel your booking in advance so"
                " that we can offer the table to other guests.",
            ),
            sms="{restaurant}: we missed you on {date} at {time}. Next time, please cancel in"
            " advance if you cannot come.",
        ),
        "fee_charged": MessageText(
            subject="A fee has been charged for your booking at {restaurant}",
            body=(
                "In line with the booking conditions, a fee of {amount} has been charged for"
                " your booking {reference} at {restaurant} on {date} at {time}.",
                "If you have any questions, please contact the restaurant.",
            ),
            sms="{restaurant}: in line with the booking conditions, a fee of {amount} has"
            " been charged for booking {reference}.",
        ),
        "waitlist_offer": MessageText(
            subject="A table is available at {restaurant}",
            body=(
                "Good news: a table has become available at {restaurant} for {party} on"
                " {date} at {time}.",
                "This offer is reserved for you until {expires}. Please accept it before then"
                " with the link below; after that, the table will be offered to the next guest"
                " on the waiting list.",
            ),
            sms="{restaurant}: a table for {party} is free on {date} at {time}. Book it"
            " before {expires}:",
        ),
        "waitlist_joined": MessageText(
            subject="You are on the waiting list at {restaurant}",
            body=(
                "You are on the waiting list at {restaurant} for {party} on {date}.",
                "We will tell you as soon as a table frees up. You then have a few "
                "minutes to book it.",
            ),
            sms=(
                "{restaurant}: you are on the waiting list for {party} on {date}. We will "
                "text you when a table frees up."
            ),
        ),
        "waitlist_table_ready": MessageText(
            subject="Your table at {restaurant} is ready",
            body=(
                "Your table for {party} at {restaurant} is ready.",
                "Please come to the host stand before {expires}; after that the table "
                "goes to the next guest.",
            ),
            sms=(
                "{restaurant}: your table for {party} is ready. Please come to the host "
                "stand before {expires}."
            ),
        ),
        "waitlist_call_you": MessageText(
            subject="We will call you when your table is ready",
            body=(
                "No table for {party} is free at {restaurant} yet.",
                "You keep your place in line: we will let you know as soon as one is ready.",
            ),
            sms=(
                "{restaurant}: no table for {party} yet. You keep your place; we will "
                "text you when it is ready."
            ),
        ),
        "waitlist_expired": MessageText(
            subject="Your waiting list entry at {restaurant} has ended",
            body=(
                "Your place on the waiting list at {restaurant} for {party} on {date} has ended.",
                "We hope to welcome you another time.",
            ),
            sms=(
                "{restaurant}: your waiting list entry for {date} has ended. We hope to "
                "welcome you another time."
            ),
        ),
        "staff_reply": MessageText(
            subject="A message from {restaurant} about your booking",
            body=(
                "{restaurant} has sent you a message about your booking for {party} on {date}"
                " at {time}:",
            ),
            sms="{restaurant}: {text}",
        ),
        "sms_cancel_refused": MessageText(
            subject="Your booking at {restaurant} could not be cancelled by text message",
            body=(
                "We received your text message asking to cancel your booking at {restaurant}"
                " for {party} on {date} at {time}, but we could not cancel it this way.",
                "Your booking is still active. To cancel it, please use the link below or"
                " contact the restaurant directly.",
            ),
            sms="{restaurant}: your booking for {party} on {date} at {time} could not be"
            " cancelled by text and is still active. Cancel via this link or call us:",
        ),
        "guarantee_request": MessageText(
            subject="Please secure your booking at {restaurant} with a card",
            body=(
                "Thank you for your booking at {restaurant} for {party} on {date} at {time}.",
                "We are holding your table until you secure your booking with a card using the"
                " link below. Nothing will be charged now.",
                "Your card will only be charged a fee of up to {amount} if you do not come or if"
                " you cancel after the free-cancellation deadline.",
            ),
            sms="{restaurant}: please secure your table for {party} on {date} at {time} with a"
            " card. Nothing is charged now:",
        ),
        "deposit_forfeited": MessageText(
            subject="Your deposit for your booking at {restaurant}",
            body=(
                "As your booking {reference} at {restaurant} on {date} at {time} was cancelled"
                " after the free-cancellation deadline or was not attended, the deposit of"
                " {amount} has been kept in line with the booking conditions.",
                "If you have any questions, please contact the restaurant.",
            ),
            sms="{restaurant}: in line with the booking conditions, your deposit of {amount}"
            " for booking {reference} has been kept.",
        ),
    },
)
