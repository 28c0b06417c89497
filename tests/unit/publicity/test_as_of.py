"""What "as of" means: a date is the end of that day in Beijing, a timestamp that instant."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.publicity.domain.asof import BEIJING, parse_as_of

NOW = datetime(2023, 6, 30, 20, 0, tzinfo=UTC)  # already 1 July in Beijing


def test_a_date_covers_the_whole_day_in_beijing():
    asof = parse_as_of("2021-03-01", NOW)
    assert asof.cutoff == datetime(2021, 3, 2, tzinfo=BEIJING) and asof.day == date(2021, 3, 1)
    assert datetime(2021, 3, 1, 15, 59, 59, tzinfo=UTC) < asof.cutoff  # 23:59:59 in Beijing
    assert not datetime(2021, 3, 1, 16, 0, tzinfo=UTC) < asof.cutoff  # midnight of 2 March


def test_a_timestamp_includes_that_instant_and_a_bare_one_is_beijing_time():
    asof = parse_as_of("2021-04-01T10:00:00+00:00", NOW)
    assert datetime(2021, 4, 1, 10, 0, tzinfo=UTC) < asof.cutoff
    assert not datetime(2021, 4, 1, 10, 0, 0, 1, tzinfo=UTC) < asof.cutoff
    assert parse_as_of("2021-04-01T18:00:00", NOW).day == date(2021, 4, 1)
    assert parse_as_of("2021-04-01T23:30:00Z", NOW).day == date(2021, 4, 2)


def test_none_means_now_and_the_day_is_beijings():
    asof = parse_as_of(None, NOW)
    assert NOW < asof.cutoff and asof.day == date(2023, 7, 1)


@pytest.mark.parametrize("bad", ["2021-13-01", "yesterday", "2021/03/01", "2021-03-01T25:00"])
def test_bad_values_are_refused_with_a_bilingual_message(bad):
    with pytest.raises(ValueError, match="/"):
        parse_as_of(bad, NOW)


def test_known_at_reads_the_positions_the_exports_state():
    from services.publicity.domain.asof import parse_known_at

    assert parse_known_at("registry:56 assessment:12,funding:34") == (
        ("assessment", 12), ("funding", 34), ("registry", 56))
    assert parse_known_at(None) is None and parse_known_at(" ") is None
    for bad in ("registry", "registry:-1", "ledger:1", "registry:1 registry:2"):
        try:
            parse_known_at(bad)
        except ValueError as exc:
            assert "source:position" in str(exc)
        else:
            raise AssertionError(bad)
