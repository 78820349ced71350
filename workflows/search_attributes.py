"""Custom search attributes that let ops find a reservation in the Temporal UI.

No guest names, emails or phone numbers here: search attributes are stored
unencrypted. Those go in the memo.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

RESERVATION_REFERENCE = SearchAttributeKey.for_keyword("ReservationReference")
RESTAURANT_ID = SearchAttributeKey.for_keyword("RestaurantId")
RESERVATION_DATE = SearchAttributeKey.for_keyword("ReservationDate")  # YYYY-MM-DD, local
RESERVATION_STATUS = SearchAttributeKey.for_keyword("ReservationStatus")
# a waitlist entry's status (entries share RestaurantId and ReservationDate, the day wanted)
WAITLIST_STATUS = SearchAttributeKey.for_keyword("WaitlistStatus")

# name -> type, as `temporal server start-dev --search-attribute NAME=TYPE` expects
SEARCH_ATTRIBUTES: dict[str, str] = {
    key.name: "Keyword"
    for key in (
        RESERVATION_REFERENCE,
        RESTAURANT_ID,
        RESERVATION_DATE,
        RESERVATION_STATUS,
        WAITLIST_STATUS,
    )
}
