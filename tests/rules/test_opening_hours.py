"""Which calendar day a waitlist window of a late-night service lies on."""

from __future__ import annotations

from datetime import time

from rules.opening_hours import ServiceHours, window_after_midnight


def test_a_window_after_midnight_is_the_nights_not_a_morning_before_lunch() -> None:
    night = ServiceHours(name="night", weekday=0, opens=time(22, 0), closes=time(6, 0))
    dinner = ServiceHours(name="dinner", weekday=0, opens=time(18, 0), closes=time(2, 0))
    lunch = ServiceHours(name="lunch", weekday=0, opens=time(11, 0), closes=time(15, 0))
    assert window_after_midnight([night], time(0, 30))
    assert not window_after_midnight([night], time(23, 0))
    assert not window_after_midnight([lunch], time(9, 0))  # a window before opening
    assert not window_after_midnight([lunch, dinner], time(9, 0))  # lunch opens first
    assert window_after_midnight([dinner], time(1, 0))
    assert not window_after_midnight([dinner], time(3, 0))  # after the night has closed
    assert not window_after_midnight([], time(0, 30))
