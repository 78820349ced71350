"""Availability: gather a restaurant's inputs from the database and answer with the rules.

The rules package decides; this package gathers inputs (`inputs`), shapes answers
(`answers`), caches them (`cache`), searches across restaurants (`search`) and
builds the staff timeline (`timeline`).
"""

from services.availability.answers import (
    ALTERNATIVE_DAYS,
    ALTERNATIVE_WINDOW_MINUTES,
    NOT_ACCEPTING,
    Alternative,
    DayAnswer,
    TimeAnswer,
    alternative_slots,
    answer_day,
    answer_days,
    answer_time,
    day_answer,
    day_answer_near,
    day_slots,
    nearest_in_window,
    time_answer,
)
from services.availability.cache import (
    CACHE_TTL_SECONDS,
    affected_days,
    cached_availability,
    cached_days,
    decode_day,
    encode_day,
    forget_cached_day,
    invalidate_day,
    invalidate_pending,
    invalidate_restaurant,
    note_change,
    pending_changes,
)
from services.availability.inputs import (
    RestaurantIds,
    RestaurantInputs,
    StaticInputs,
    booking_window,
    load_inputs,
    local_midnight,
    restaurant_inputs,
    static_of_restaurant,
    with_day_bookings,
)
from services.availability.requests import (
    check_requested_time,
    seating_area_named,
    service_day_in,
    service_day_of,
)
from services.availability.search import (
    SearchHit,
    search,
)
from services.availability.timeline import (
    TableTimeline,
    Timeline,
    TimelineEntry,
    timeline,
)

__all__ = [
    "ALTERNATIVE_DAYS",
    "ALTERNATIVE_WINDOW_MINUTES",
    "CACHE_TTL_SECONDS",
    "NOT_ACCEPTING",
    "Alternative",
    "DayAnswer",
    "RestaurantIds",
    "RestaurantInputs",
    "SearchHit",
    "StaticInputs",
    "TableTimeline",
    "TimeAnswer",
    "Timeline",
    "TimelineEntry",
    "affected_days",
    "alternative_slots",
    "answer_day",
    "answer_days",
    "answer_time",
    "booking_window",
    "cached_availability",
    "cached_days",
    "check_requested_time",
    "day_answer",
    "day_answer_near",
    "day_slots",
    "decode_day",
    "encode_day",
    "forget_cached_day",
    "invalidate_day",
    "invalidate_pending",
    "invalidate_restaurant",
    "load_inputs",
    "local_midnight",
    "nearest_in_window",
    "note_change",
    "pending_changes",
    "restaurant_inputs",
    "search",
    "seating_area_named",
    "service_day_in",
    "service_day_of",
    "static_of_restaurant",
    "time_answer",
    "timeline",
    "with_day_bookings",
]
