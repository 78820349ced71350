"""French guest messages ("vous")."""

from __future__ import annotations

from messaging.catalog.schema import Labels, LanguageCatalog, MessageText

CATALOG = LanguageCatalog(
    labels=Labels(
        greeting="Bonjour {name},",
        greeting_anonymous="Bonjour,",
        closing="Bien cordialement,",
        details_heading="Votre réservation",
        reference="Référence",
        date="Date",
        time="Heure",
        party="Personnes",
        restaurant="Restaurant",
        address="Adresse",
        phone="Téléphone",
        amount="Montant",
        offer_expires="Fin de l'offre",
        note="Message du restaurant",
        datetime="{date} à {time}",
        party_one="1 personne",
        party_other="{n} personnes",
        cancel_until="Vous pouvez annuler sans frais jusqu'au {deadline}.",
        unsubscribe="Se désabonner des actualités et offres de {restaurant}",
    ),
    links={
        "manage": "Modifier la réservation",
        "view": "Voir la réservation",
        "feedback": "Donner votre avis",
        "cancel": "Annuler la réservation",
        "calendar": "Ajouter à l'agenda",
        "map": "Itinéraire",
        "pay": "Régler l'acompte",
        "guarantee": "Garantir la réservation par carte",
        "confirm": "Confirmer votre venue",
        "offer": "Réserver cette table",
        "decline": "Non merci, proposez la table à quelqu'un d'autre",
    },
    messages={
        "deposit_request": MessageText(
            subject="Acompte à régler pour votre table chez {restaurant}",
            body=(
                "Merci pour votre demande de réservation chez {restaurant} pour {party} le"
                " {date} à {time}.",
                "Pour garantir votre table, merci de régler un acompte de {amount} via le lien"
                " ci-dessous. Nous vous réservons la table pendant un court moment ; si"
                " l'acompte n'est pas réglé à temps, la table sera libérée.",
            ),
            sms="{restaurant} : pour garantir votre table pour {party} le {date} à {time},"
            " merci de régler l'acompte de {amount} :",
        ),
        "pending": MessageText(
            subject="Nous avons bien reçu votre demande de réservation - {restaurant}",
            body=(
                "Merci pour votre demande de réservation chez {restaurant} pour {party} le"
                " {date} à {time}.",
                "Votre demande n'est pas encore confirmée. Le restaurant va l'examiner et vous"
                " recevrez un message dès qu'elle sera confirmée.",
            ),
            sms="{restaurant} : nous avons bien reçu votre demande pour {party} le {date} à"
            " {time} et vous la confirmerons rapidement. Réf. {reference}.",
        ),
        "confirmation": MessageText(
            subject="Votre réservation chez {restaurant} est confirmée",
            body=(
                "Nous avons le plaisir de confirmer votre réservation chez {restaurant} pour"
                " {party} le {date} à {time}.",
                "Nous nous réjouissons de vous accueillir.",
            ),
            sms="{restaurant} : votre table pour {party} le {date} à {time} est confirmée."
            " Réf. {reference}.",
        ),
        "declined": MessageText(
            subject="Nous ne pouvons malheureusement pas accepter votre réservation chez"
            " {restaurant}",
            body=(
                "Merci de l'intérêt que vous portez à {restaurant}. Malheureusement, nous ne"
                " pouvons pas accepter votre demande de réservation pour {party} le {date} à"
                " {time}.",
                "Nous vous prions de nous en excuser et espérons vous accueillir une autre fois.",
            ),
            sms="{restaurant} : malheureusement, nous ne pouvons pas accepter votre demande"
            " pour {party} le {date} à {time}. Toutes nos excuses.",
        ),
        "modification": MessageText(
            subject="Votre réservation chez {restaurant} a été modifiée",
            body=(
                "Votre réservation chez {restaurant} a été modifiée : elle est désormais pour"
                " {party} le {date} à {time}.",
                "Nous nous réjouissons de vous accueillir.",
            ),
            sms="{restaurant} : votre réservation est modifiée : {party} le {date} à {time}."
            " Réf. {reference}.",
        ),
        "cancellation_by_guest": MessageText(
            subject="Votre réservation chez {restaurant} a été annulée",
            body=(
                "Comme vous l'avez demandé, nous avons annulé votre réservation chez"
                " {restaurant} pour {party} le {date} à {time}.",
                "Nous espérons vous accueillir une autre fois.",
            ),
            sms="{restaurant} : comme demandé, votre réservation pour {party} le {date} à"
            " {time} a bien été annulée.",
        ),
        "cancellation_by_restaurant": MessageText(
            subject="Nous avons dû annuler votre réservation chez {restaurant}",
            body=(
                "Nous sommes vraiment désolés, mais nous avons dû annuler votre réservation"
                " chez {restaurant} pour {party} le {date} à {time}.",
                "Nous vous prions de nous excuser pour ce désagrément et espérons vous"
                " accueillir une autre fois.",
            ),
            sms="{restaurant} : nous sommes désolés, nous avons dû annuler votre réservation"
            " pour {party} le {date} à {time}. Réf. {reference}.",
        ),
        "hold_expired": MessageText(
            subject="Votre demande de réservation chez {restaurant} a expiré",
            body=(
                "Votre demande de réservation chez {restaurant} pour {party} le {date} à"
                " {time} n'a pas été finalisée à temps ; la table a donc été libérée.",
                "N'hésitez pas à effectuer une nouvelle réservation.",
            ),
            sms="{restaurant} : votre demande pour {party} le {date} à {time} n'a pas été"
            " finalisée à temps et la table a été libérée.",
        ),
        "reminder": MessageText(
            subject="Rappel : votre table chez {restaurant} le {date}",
            body=(
                "Nous vous rappelons votre réservation chez {restaurant} pour {party} le"
                " {date} à {time}.",
                "Merci de confirmer votre venue via le lien ci-dessous. Si vos projets ont"
                " changé, vous pouvez modifier ou annuler votre réservation.",
            ),
            sms="Rappel de {restaurant} : {party} le {date} à {time}. Répondez C pour"
            " confirmer ou X pour annuler.",
        ),
        "review_request": MessageText(
            subject="Comment s'est passée votre visite chez {restaurant} ?",
            body=(
                "Merci de votre visite chez {restaurant}. Nous espérons que vous avez passé un"
                " agréable moment.",
                "Nous vous serions reconnaissants de prendre quelques instants pour nous faire"
                " part de votre expérience.",
            ),
            sms="Merci de votre visite chez {restaurant} ! Votre avis nous intéresse :",
        ),
        "deposit_receipt": MessageText(
            subject="Acompte reçu pour votre réservation chez {restaurant}",
            body=(
                "Merci. Nous avons bien reçu votre acompte de {amount} pour votre réservation"
                " chez {restaurant} pour {party} le {date} à {time}.",
                "Nous nous réjouissons de vous accueillir.",
            ),
            sms="{restaurant} : nous avons bien reçu votre acompte de {amount} pour {party} le"
            " {date} à {time}. Merci ! Réf. {reference}.",
        ),
        "refund_issued": MessageText(
            subject="Votre remboursement de {restaurant}",
            body=(
                "Nous avons effectué un remboursement de {amount} pour votre réservation"
                " {reference} chez {restaurant}.",
                "Selon votre banque, le montant peut mettre quelques jours ouvrés à apparaître"
                " sur votre relevé.",
            ),
            sms="{restaurant} : nous avons remboursé {amount} pour la réservation"
            " {reference}. Comptez quelques jours ouvrés.",
        ),
        "no_show": MessageText(
            subject="Nous vous attendions chez {restaurant}",
            body=(
                "Nous avions réservé une table pour vous chez {restaurant} pour {party} le"
                " {date} à {time}, mais nous ne vous avons malheureusement pas vu.",
                "Si vous ne pouvez pas venir une prochaine fois, merci d'annuler votre"
                " réservation à l'avance afin que nous puissions proposer la table à d'autres"
                " clients.",
            ),
            sms="{restaurant} : nous vous attendions le {date} à {time}. À l'avenir, merci"
            " d'annuler à l'avance si vous ne pouvez pas venir.",
        ),
        "fee_charged": MessageText(
            subject="Des frais ont été prélevés pour votre réservation chez {restaurant}",
            body=(
                "Conformément aux conditions de réservation, des frais de {amount} ont été"
                " prélevés pour votre réservation {reference} chez {restaurant} le {date} à"
                " {time}.",
                "Pour toute question, n'hésitez pas à contacter le restaurant.",
            ),
            sms="{restaurant} : conformément aux conditions de réservation, des frais de"
            " {amount} ont été prélevés pour la réservation {reference}.",
        ),
        "waitlist_offer": MessageText(
            subject="Une table s'est libérée chez {restaurant}",
            body=(
                "Bonne nouvelle : une table s'est libérée chez {restaurant} pour {party} le"
                " {date} à {time}.",
                "Cette offre vous est réservée jusqu'au {expires}. Merci de l'accepter avant"
                " via le lien ci-dessous ; passé ce délai, la table sera proposée à la personne"
                " suivante sur la liste d'attente.",
            ),
            sms="{restaurant} : une table pour {party} est libre le {date} à {time}."
            " Réservez avant le {expires} :",
        ),
        "waitlist_joined": MessageText(
            subject="Vous êtes sur la liste d'attente de {restaurant}",
            body=(
                "Vous êtes sur la liste d'attente de {restaurant} pour {party} le {date}.",
                "Nous vous préviendrons dès qu'une table se libère. Vous aurez alors "
                "quelques minutes pour la réserver.",
            ),
            sms=(
                "{restaurant} : vous êtes sur la liste d'attente pour {party} le {date}. "
                "Nous vous enverrons un SMS dès qu'une table se libère."
            ),
        ),
        "waitlist_table_ready": MessageText(
            subject="Votre table chez {restaurant} est prête",
            body=(
                "Votre table pour {party} chez {restaurant} est prête.",
                "Merci de vous présenter à l'accueil avant {expires} ; ensuite, la table "
                "ira au client suivant.",
            ),
            sms=(
                "{restaurant} : votre table pour {party} est prête. Présentez-vous à "
                "l'accueil avant {expires}."
            ),
        ),
        "waitlist_call_you": MessageText(
            subject="Nous vous appellerons dès que votre table sera prête",
            body=(
                "Aucune table pour {party} n'est encore libre chez {restaurant}.",
                "Vous gardez votre place dans la file : nous vous préviendrons dès qu'une "
                "table sera prête.",
            ),
            sms=(
                "{restaurant} : pas encore de table pour {party}. Vous gardez votre place "
                "; nous vous enverrons un SMS."
            ),
        ),
        "waitlist_expired": MessageText(
            subject="Votre inscription sur la liste d'attente de {restaurant} a pris fin",
            body=(
                "Votre place sur la liste d'attente de {restaurant} pour "
                "{party} le {date} a pris fin.",
                "Nous espérons vous accueillir une autre fois.",
            ),
            sms=(
                "{restaurant} : votre place sur la liste d'attente du {date} a pris fin. "
                "À une prochaine fois."
            ),
        ),
        "staff_reply": MessageText(
            subject="Un message de {restaurant} concernant votre réservation",
            body=(
                "{restaurant} vous a envoyé un message concernant votre réservation pour"
                " {party} le {date} à {time} :",
            ),
            sms="{restaurant} : {text}",
        ),
        "sms_cancel_refused": MessageText(
            subject="Votre réservation chez {restaurant} n'a pas pu être annulée par SMS",
            body=(
                "Nous avons bien reçu votre SMS demandant l'annulation de votre réservation"
                " chez {restaurant} pour {party} le {date} à {time}, mais nous n'avons pas pu"
                " l'annuler de cette manière.",
                "Votre réservation est toujours active. Pour l'annuler, utilisez le lien"
                " ci-dessous ou contactez directement le restaurant.",
            ),
            sms="{restaurant} : votre réservation pour {party} le {date} à {time} n'a pas pu"
            " être annulée par SMS et reste active. Annulez via ce lien ou appelez-nous :",
        ),
        "guarantee_request": MessageText(
            subject="Merci de garantir votre réservation chez {restaurant} par carte",
            body=(
                "Merci pour votre réservation chez {restaurant} pour {party} le {date} à {time}.",
                "Nous vous gardons la table jusqu'à ce que vous garantissiez votre réservation"
                " par carte bancaire via le lien ci-dessous. Aucun montant n'est débité pour"
                " le moment.",
                "Votre carte ne sera débitée de frais d'un montant maximal de {amount} que si"
                " vous ne vous présentez pas ou si vous annulez après la date limite"
                " d'annulation gratuite.",
            ),
            sms="{restaurant} : merci de garantir votre table pour {party} le {date} à {time}"
            " par carte. Aucun montant n'est débité pour le moment :",
        ),
        "deposit_forfeited": MessageText(
            subject="Votre acompte pour votre réservation chez {restaurant}",
            body=(
                "Votre réservation {reference} chez {restaurant} le {date} à {time} ayant été"
                " annulée après la date limite d'annulation gratuite ou n'ayant pas été"
                " honorée, l'acompte de {amount} a été conservé conformément aux conditions de"
                " réservation.",
                "Pour toute question, n'hésitez pas à contacter le restaurant.",
            ),
            sms="{restaurant} : conformément aux conditions de réservation, votre acompte de"
            " {amount} pour la réservation {reference} a été conservé.",
        ),
    },
)
