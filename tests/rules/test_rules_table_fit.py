import pytest

from rules.table_fit import TableOption, TableSpec, natural_key, table_options


def table(
    tid: str,
    lo: int,
    hi: int,
    *,
    area: str | None = None,
    features: frozenset[str] = frozenset(),
    priority: int = 0,
    online_bookable: bool = True,
    combinable_with: frozenset[str] = frozenset(),
    combined_max_capacity: int | None = None,
) -> TableSpec:
    return TableSpec(
        id=tid,
        number=tid.removeprefix("t"),
        min_capacity=lo,
        max_capacity=hi,
        area=area,
        features=features,
        priority=priority,
        online_bookable=online_bookable,
        combinable_with=combinable_with,
        combined_max_capacity=combined_max_capacity,
    )


def ids(options: list[TableOption]) -> list[tuple[str, ...]]:
    return [o.table_ids for o in options]


def test_single_tables_admit_between_min_and_max() -> None:
    tables = [table("t1", 2, 4), table("t2", 4, 6), table("t3", 1, 2)]
    assert ids(table_options(party_size=1, tables=tables)) == [("t3",)]
    assert ids(table_options(party_size=3, tables=tables)) == [("t1",)]
    assert ids(table_options(party_size=4, tables=tables)) == [("t1",), ("t2",)]
    assert table_options(party_size=7, tables=tables) == []


def test_least_waste_first_then_area_then_features_then_priority_then_number() -> None:
    tables = [
        table("t10", 1, 4),
        table("t2", 1, 4),
        table("t3", 1, 6),
        table("t4", 1, 4, area="terrace"),
        table("t5", 1, 4, features=frozenset({"window"})),
        table("t6", 1, 4, priority=5),
    ]
    plain = table_options(party_size=4, tables=tables)
    assert ids(plain) == [("t6",), ("t2",), ("t4",), ("t5",), ("t10",), ("t3",)]
    assert [o.waste for o in plain] == [0, 0, 0, 0, 0, 2]
    terrace = table_options(party_size=4, tables=tables, seating_area="terrace")
    assert ids(terrace)[0] == ("t4",)
    window = table_options(party_size=4, tables=tables, features=frozenset({"window"}))
    assert ids(window)[0] == ("t5",)
    assert window[0].matched_features == 1
    # Area beats features; waste beats area.
    both = table_options(
        party_size=4, tables=tables, seating_area="terrace", features=frozenset({"window"})
    )
    assert ids(both)[:2] == [("t4",), ("t5",)]
    assert ids(table_options(party_size=5, tables=tables, seating_area="terrace")) == [("t3",)]


def test_single_table_beats_combination_with_equal_waste() -> None:
    tables = [
        table("t1", 1, 2, combinable_with=frozenset({"t2"})),
        table("t2", 1, 2),
        table("t3", 1, 4),
    ]
    assert ids(table_options(party_size=4, tables=tables)) == [("t3",), ("t1", "t2")]
    assert ids(table_options(party_size=3, tables=tables)) == [("t3",), ("t1", "t2")]


def test_combination_needs_every_table() -> None:
    tables = [table("t1", 1, 2, combinable_with=frozenset({"t2"})), table("t2", 1, 2)]
    assert ids(table_options(party_size=2, tables=tables)) == [("t1",), ("t2",)]
    (combo,) = table_options(party_size=3, tables=tables)
    assert combo.table_ids == ("t1", "t2")
    assert (combo.capacity, combo.min_capacity, combo.waste) == (4, 3, 1)


def test_combinations_must_be_cliques() -> None:
    chain = [
        table("t1", 1, 2, combinable_with=frozenset({"t2"})),
        table("t2", 1, 2, combinable_with=frozenset({"t3"})),
        table("t3", 1, 2),
    ]
    assert ids(table_options(party_size=4, tables=chain)) == [("t1", "t2"), ("t2", "t3")]
    assert table_options(party_size=5, tables=chain) == []
    triangle = [*chain[:2], table("t3", 1, 2, combinable_with=frozenset({"t1"}))]
    (combo,) = table_options(party_size=6, tables=triangle)
    assert combo.table_ids == ("t1", "t2", "t3")
    assert (combo.capacity, combo.min_capacity) == (6, 5)
    assert table_options(party_size=6, tables=triangle, max_combination=2) == []
    assert ids(table_options(party_size=4, tables=triangle, max_combination=1)) == []


def test_combined_max_capacity_caps_and_area_is_shared_only() -> None:
    tables = [
        table("t1", 2, 4, area="hall", combinable_with=frozenset({"t2"})),
        table("t2", 2, 4, area="hall", combined_max_capacity=6),
        table("t3", 2, 4, area="bar", combinable_with=frozenset({"t1"})),
    ]
    options = {o.table_ids: o for o in table_options(party_size=6, tables=tables)}
    assert options[("t1", "t2")].capacity == 6
    assert options[("t1", "t2")].area == "hall"
    assert options[("t1", "t3")].capacity == 8
    assert options[("t1", "t3")].area is None
    assert list(options) == [("t1", "t2"), ("t1", "t3")]  # less waste first
    assert ("t1", "t2") not in {o.table_ids for o in table_options(party_size=7, tables=tables)}


def test_cap_below_a_member_makes_the_combination_useless() -> None:
    tables = [
        table("t1", 1, 4, combinable_with=frozenset({"t2"}), combined_max_capacity=4),
        table("t2", 1, 2),
    ]
    assert all(len(o.table_ids) == 1 for o in table_options(party_size=4, tables=tables))


def test_online_bookable_only_for_staff() -> None:
    tables = [table("t1", 1, 4, online_bookable=False), table("t2", 1, 6)]
    assert ids(table_options(party_size=4, tables=tables)) == [("t2",)]
    assert ids(table_options(party_size=4, tables=tables, staff=True)) == [("t1",), ("t2",)]
    hidden_partner = [
        table("t1", 1, 2, combinable_with=frozenset({"t2"})),
        table("t2", 1, 2, online_bookable=False),
    ]
    assert table_options(party_size=4, tables=hidden_partner) == []


def test_unknown_and_self_references_are_ignored_and_ids_unique() -> None:
    tables = [table("t1", 1, 2, combinable_with=frozenset({"t1", "ghost"}))]
    assert ids(table_options(party_size=2, tables=tables)) == [("t1",)]
    with pytest.raises(ValueError):
        table_options(party_size=2, tables=[table("t1", 1, 2), table("t1", 1, 4)])
    with pytest.raises(ValueError):
        table("t1", 3, 2)


def test_natural_number_order() -> None:
    numbers = ["10", "2", "A1", "1b", "1", "B", "a10", "a9"]
    assert sorted(numbers, key=natural_key) == ["1", "1b", "2", "10", "A1", "B", "a9", "a10"]
