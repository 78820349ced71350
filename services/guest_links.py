"""Links in guest messages: manage, cancel, confirm, calendar, map and payment.

Manage, cancel, confirm and calendar links carry the reservation's signed manage
token. Cancel and confirm open a page with a button: a GET never changes a booking,
because mail scanners follow links.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import quote_plus, urlencode

from models.orm import Restaurant
from services.manage_links import manage_token

RESERVATIONS_PATH = "/api/v1/reservations/reservations"


@dataclass(frozen=True, slots=True)
class ReservationLinks:
    manage_url: str
    cancel_url: str
    confirm_url: str
    calendar_url: str
    map_url: str | None


def postal_address(restaurant: Restaurant) -> str | None:
    """Street, postal code and city on one line, or None when none is known."""
    parts = [restaurant.address_line1, restaurant.postal_code, restaurant.city]
    return ", ".join(p for p in parts if p) or None


def map_url(restaurant: Restaurant) -> str | None:
    """An OpenStreetMap link: by coordinates when known, else by address."""
    if restaurant.latitude is not None and restaurant.longitude is not None:
        lat, lon = restaurant.latitude, restaurant.longitude
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"
    address = postal_address(restaurant)
    if address is None:
        return None
    return f"https://www.openstreetmap.org/search?query={quote_plus(address)}"


def widget_manage_path(restaurant_id: uuid.UUID, reservation_id: uuid.UUID, token: str) -> str:
    """The booking widget's manage screen of a reservation (a path of this site)."""
    return f"/book/{restaurant_id}/manage/{reservation_id}?{urlencode({'token': token})}"


def reservation_links(
    *, base_url: str, secret: str, reservation_id: uuid.UUID, restaurant: Restaurant
) -> ReservationLinks:
    """The signed links for one reservation."""
    base = base_url.rstrip("/")
    token = manage_token(reservation_id, secret=secret)
    signed = urlencode({"token": token})
    manage = f"{base}/manage/{reservation_id}?{signed}"
    return ReservationLinks(
        manage_url=manage,
        cancel_url=f"{manage}&action=cancel",
        confirm_url=f"{manage}&action=confirm",
        calendar_url=f"{base}{RESERVATIONS_PATH}/{reservation_id}/calendar.ics?{signed}",
        map_url=map_url(restaurant),
    )
