import pytest

from rules.turn_time import DEFAULT_TURN_TIMES, TurnTimeRule, turn_time_minutes

RULES = (TurnTimeRule(1, 90), TurnTimeRule(4, 105), TurnTimeRule(6, 150))


@pytest.mark.parametrize(
    ("party", "minutes"), [(1, 90), (2, 90), (3, 90), (4, 105), (5, 105), (6, 150), (20, 150)]
)
def test_largest_matching_rule_wins(party: int, minutes: int) -> None:
    assert turn_time_minutes(party, RULES, 120) == minutes
    assert turn_time_minutes(party, tuple(reversed(RULES)), 120) == minutes


def test_default_when_no_rule_matches() -> None:
    assert turn_time_minutes(1, DEFAULT_TURN_TIMES, 75) == 75
    assert turn_time_minutes(3, (), 120) == 120
    assert turn_time_minutes(2, DEFAULT_TURN_TIMES, 75) == 90


def test_rule_must_be_positive() -> None:
    with pytest.raises(ValueError):
        TurnTimeRule(2, 0)
