"""Spanish guest messages ("usted")."""

from __future__ import annotations

from messaging.catalog.schema import Labels, LanguageCatalog, MessageText

CATALOG = LanguageCatalog(
    labels=Labels(
        # Spanish letters put a colon after the greeting
        greeting="Hola, {name}:",
        greeting_anonymous="Hola:",
        closing="Un cordial saludo,",
        details_heading="Su reserva",
        reference="Referencia",
        date="Fecha",
        time="Hora",
        party="Comensales",
        restaurant="Restaurante",
        address="Dirección",
        phone="Teléfono",
        amount="Importe",
        offer_expires="Oferta válida hasta",
        note="Mensaje del restaurante",
        datetime="{date} a las {time}",
        party_one="1 persona",
        party_other="{n} personas",
        cancel_until="Puede cancelar sin coste hasta el {deadline}.",
        unsubscribe="Darse de baja de las noticias y ofertas de {restaurant}",
    ),
    links={
        "manage": "Modificar la reserva",
        "view": "Ver la reserva",
        "feedback": "Dejar su opinión",
        "cancel": "Cancelar la reserva",
        "calendar": "Añadir al calendario",
        "map": "Cómo llegar",
        "pay": "Pagar el depósito",
        "guarantee": "Garantizar la reserva con tarjeta",
        "confirm": "Confirmar su visita",
        "offer": "Reservar esta mesa",
        "decline": "No, gracias: ofrézcala a otra persona",
    },
    messages={
        "deposit_request": MessageText(
            subject="Pague el depósito para su mesa en {restaurant}",
            body=(
                "Gracias por su solicitud de reserva en {restaurant} para {party} el {date} a"
                " las {time}.",
                "Para garantizar su mesa, le rogamos que pague un depósito de {amount} a través"
                " del siguiente enlace. Le guardamos la mesa durante un breve tiempo; si el"
                " depósito no se paga a tiempo, la mesa quedará libre.",
            ),
            sms="{restaurant}: pague el depósito de {amount} para garantizar su mesa para"
            " {party} el {date} a las {time}:",
        ),
        "pending": MessageText(
            subject="Hemos recibido su solicitud de reserva - {restaurant}",
            body=(
                "Gracias por su solicitud de reserva en {restaurant} para {party} el {date} a"
                " las {time}.",
                "Su solicitud aún no está confirmada. El restaurante la revisará y usted"
                " recibirá un mensaje en cuanto esté confirmada.",
            ),
            sms="{restaurant}: hemos recibido su solicitud para {party} el {date} a las"
            " {time} y se la confirmaremos en breve. Ref. {reference}.",
        ),
        "confirmation": MessageText(
            subject="Su reserva en {restaurant} está confirmada",
            body=(
                "Nos complace confirmar su reserva en {restaurant} para {party} el {date} a las"
                " {time}.",
                "Será un placer recibirle.",
            ),
            sms="{restaurant}: su mesa para {party} el {date} a las {time} está confirmada."
            " Ref. {reference}.",
        ),
        "declined": MessageText(
            subject="No podemos aceptar su reserva en {restaurant}",
            body=(
                "Gracias por su interés en {restaurant}. Lamentablemente, no podemos aceptar su"
                " solicitud de reserva para {party} el {date} a las {time}.",
                "Disculpe las molestias. Esperamos poder recibirle en otra ocasión.",
            ),
            sms="{restaurant}: lamentablemente no podemos aceptar su solicitud para {party} el"
            " {date} a las {time}. Disculpe las molestias.",
        ),
        "modification": MessageText(
            subject="Su reserva en {restaurant} ha sido modificada",
            body=(
                "Su reserva en {restaurant} ha sido modificada y ahora es para {party} el"
                " {date} a las {time}.",
                "Será un placer recibirle.",
            ),
            sms="{restaurant}: su reserva ha cambiado a {party} el {date} a las {time}."
            " Ref. {reference}.",
        ),
        "cancellation_by_guest": MessageText(
            subject="Su reserva en {restaurant} ha sido cancelada",
            body=(
                "Tal como nos pidió, hemos cancelado su reserva en {restaurant} para {party} el"
                " {date} a las {time}.",
                "Esperamos poder recibirle en otra ocasión.",
            ),
            sms="{restaurant}: tal como nos pidió, su reserva para {party} el {date} a las"
            " {time} ha sido cancelada.",
        ),
        "cancellation_by_restaurant": MessageText(
            subject="Hemos tenido que cancelar su reserva en {restaurant}",
            body=(
                "Lo sentimos mucho, pero hemos tenido que cancelar su reserva en {restaurant}"
                " para {party} el {date} a las {time}.",
                "Le pedimos disculpas por las molestias y esperamos poder recibirle en otra"
                " ocasión.",
            ),
            sms="{restaurant}: lo sentimos, hemos tenido que cancelar su reserva para {party}"
            " el {date} a las {time}. Ref. {reference}.",
        ),
        "hold_expired": MessageText(
            subject="Su solicitud de reserva en {restaurant} ha caducado",
            body=(
                "Su solicitud de reserva en {restaurant} para {party} el {date} a las {time} no"
                " se completó a tiempo, por lo que la mesa ha quedado libre.",
                "Puede hacer una nueva reserva cuando lo desee.",
            ),
            sms="{restaurant}: su solicitud para {party} el {date} a las {time} no se completó"
            " a tiempo y la mesa ha quedado libre.",
        ),
        "reminder": MessageText(
            subject="Recordatorio: su mesa en {restaurant} el {date}",
            body=(
                "Le recordamos su reserva en {restaurant} para {party} el {date} a las {time}.",
                "Le rogamos que confirme su visita a través del siguiente enlace. Si sus planes"
                " han cambiado, puede modificar o cancelar su reserva.",
            ),
            sms="Recordatorio de {restaurant}: {party} el {date} a las {time}. Responda C para"
            " confirmar o X para cancelar.",
        ),
        "review_request": MessageText(
            subject="¿Qué tal su visita a {restaurant}?",
            body=(
                "Gracias por visitar {restaurant}. Esperamos que haya disfrutado de su visita.",
                "Le agradeceríamos mucho que dedicara un momento a contarnos su experiencia.",
            ),
            sms="¡Gracias por visitar {restaurant}! Nos encantaría conocer su opinión:",
        ),
        "deposit_receipt": MessageText(
            subject="Depósito recibido para su reserva en {restaurant}",
            body=(
                "Gracias. Hemos recibido su depósito de {amount} para su reserva en"
                " {restaurant} para {party} el {date} a las {time}.",
                "Será un placer recibirle.",
            ),
            sms="{restaurant}: hemos recibido su depósito de {amount} para {party} el {date} a"
            " las {time}. ¡Gracias! Ref. {reference}.",
        ),
        "refund_issued": MessageText(
            subject="Su reembolso de {restaurant}",
            body=(
                "Hemos realizado un reembolso de {amount} por su reserva {reference} en"
                " {restaurant}.",
                "Según su banco, el importe puede tardar unos días hábiles en aparecer en su"
                " cuenta.",
            ),
            sms="{restaurant}: le hemos reembolsado {amount} por la reserva {reference}."
            " Puede tardar unos días hábiles.",
        ),
        "no_show": MessageText(
            subject="Le esperábamos en {restaurant}",
            body=(
                "Teníamos una mesa reservada para usted en {restaurant} para {party} el {date}"
                " a las {time}, pero lamentablemente no llegó a venir.",
                "Si en otra ocasión no puede venir, le rogamos que cancele su reserva con"
                " antelación para que podamos ofrecer la mesa a otros clientes.",
            ),
            sms="{restaurant}: le esperábamos el {date} a las {time}. Si en otra ocasión no"
            " puede venir, cancele con antelación, por favor.",
        ),
        "fee_charged": MessageText(
            subject="Cargo aplicado a su reserva en {restaurant}",
            body=(
                "De acuerdo con las condiciones de reserva, se ha cobrado un cargo de {amount}"
                " por su reserva {reference} en {restaurant} el {date} a las {time}.",
                "Si tiene alguna pregunta, póngase en contacto con el restaurante.",
            ),
            sms="{restaurant}: según las condiciones de reserva, se ha cobrado un cargo de"
            " {amount} por la reserva {reference}.",
        ),
        "waitlist_offer": MessageText(
            subject="Hay una mesa disponible en {restaurant}",
            body=(
                "Buenas noticias: ha quedado libre una mesa en {restaurant} para {party} el"
                " {date} a las {time}.",
                "Esta oferta está reservada para usted hasta el {expires}. Acéptela antes a"
                " través del siguiente enlace; después, ofreceremos la mesa a la siguiente"
                " persona de la lista de espera.",
            ),
            sms="{restaurant}: hay una mesa libre para {party} el {date} a las {time}. Reserve"
            " antes del {expires}:",
        ),
        "waitlist_joined": MessageText(
            subject="Está en la lista de espera de {restaurant}",
            body=(
                "Está en la lista de espera de {restaurant} para {party} el {date}.",
                "Le avisaremos en cuanto quede libre una mesa. Tendrá entonces unos "
                "minutos para reservarla.",
            ),
            sms=(
                "{restaurant}: está en la lista de espera para {party} el {date}. Le "
                "enviaremos un SMS cuando quede libre una mesa."
            ),
        ),
        "waitlist_table_ready": MessageText(
            subject="Su mesa en {restaurant} está lista",
            body=(
                "Su mesa para {party} en {restaurant} está lista.",
                "Preséntese en la recepción antes de las {expires}; después, la mesa "
                "pasará al siguiente cliente.",
            ),
            sms=(
                "{restaurant}: su mesa para {party} está lista. Preséntese en la "
                "recepción antes de {expires}."
            ),
        ),
        "waitlist_call_you": MessageText(
            subject="Le llamaremos cuando su mesa esté lista",
            body=(
                "Todavía no hay ninguna mesa libre para {party} en {restaurant}.",
                "Conserva su puesto en la cola: le avisaremos en cuanto haya una lista.",
            ),
            sms=(
                "{restaurant}: aún no hay mesa para {party}. Conserva su puesto; le "
                "enviaremos un SMS."
            ),
        ),
        "waitlist_expired": MessageText(
            subject="Su puesto en la lista de espera de {restaurant} ha terminado",
            body=(
                "Su puesto en la lista de espera de {restaurant} para "
                "{party} el {date} ha terminado.",
                "Esperamos recibirle en otra ocasión.",
            ),
            sms=(
                "{restaurant}: su puesto en la lista de espera del {date} ha terminado. "
                "Esperamos verle pronto."
            ),
        ),
        "staff_reply": MessageText(
            subject="Un mensaje de {restaurant} sobre su reserva",
            body=(
                "{restaurant} le ha enviado un mensaje sobre su reserva para {party} el {date} a"
                " las {time}:",
            ),
            sms="{restaurant}: {text}",
        ),
        "sms_cancel_refused": MessageText(
            subject="Su reserva en {restaurant} no se ha podido cancelar por SMS",
            body=(
                "Hemos recibido su SMS pidiendo cancelar su reserva en {restaurant} para"
                " {party} el {date} a las {time}, pero no hemos podido cancelarla por esta vía.",
                "Su reserva sigue activa. Para cancelarla, utilice el siguiente enlace o póngase"
                " en contacto directamente con el restaurante.",
            ),
            sms="{restaurant}: su reserva para {party} el {date} a las {time} no se ha podido"
            " cancelar por SMS y sigue activa. Cancele con este enlace o llámenos:",
        ),
        "guarantee_request": MessageText(
            subject="Garantice su reserva en {restaurant} con una tarjeta",
            body=(
                "Gracias por su reserva en {restaurant} para {party} el {date} a las {time}.",
                "Le guardamos la mesa hasta que garantice la reserva con una tarjeta a través"
                " del siguiente enlace. Ahora no se le cobrará nada.",
                "Solo se cargará en su tarjeta un importe de hasta {amount} si no acude o si"
                " cancela después del plazo de cancelación gratuita.",
            ),
            sms="{restaurant}: garantice su mesa para {party} el {date} a las {time} con una"
            " tarjeta. Ahora no se le cobra nada:",
        ),
        "deposit_forfeited": MessageText(
            subject="Su depósito de la reserva en {restaurant}",
            body=(
                "Dado que su reserva {reference} en {restaurant} el {date} a las {time} se"
                " canceló después del plazo de cancelación gratuita o usted no acudió, el"
                " depósito de {amount} se ha retenido de acuerdo con las condiciones de"
                " reserva.",
                "Si tiene alguna pregunta, póngase en contacto con el restaurante.",
            ),
            sms="{restaurant}: según las condiciones de reserva, se ha retenido su depósito de"
            " {amount} de la reserva {reference}.",
        ),
    },
)
