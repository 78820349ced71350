"""The lifecycle timings a new booking's workflow follows, from the settings."""

from __future__ import annotations

from models.enums import ConfirmationMode
from models.schemas.lifecycle import LifecyclePolicy
from reservations.settings import Settings


def lifecycle_policy(settings: Settings, *, manual: bool) -> LifecyclePolicy:
    """The timings for a new booking (the API's bookings and accepted waitlist offers)."""
    return LifecyclePolicy(
        confirmation_mode=ConfirmationMode.MANUAL if manual else ConfirmationMode.INSTANT,
        reminder_hours_before=settings.reminder_hours_before,
        manual_confirmation_hours=settings.manual_confirmation_hours,
        no_show_grace_minutes=settings.no_show_grace_minutes,
        no_show_after_minutes=settings.no_show_after_minutes,
        review_request_delay_hours=settings.review_request_delay_hours,
        waiver_window_days=settings.waiver_window_days,
        late_payment_window_hours=settings.late_payment_window_hours,
        seated_grace_minutes=settings.seated_grace_minutes,
        unresolved_after_hours=settings.unresolved_after_hours,
        database_attempt_seconds=settings.database_attempt_seconds,
        provider_attempt_seconds=settings.provider_attempt_seconds,
    )
