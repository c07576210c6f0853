"""Ratings: the model around openskill, idle time, margins, seasons and board ranks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.debate import Actor
from bot.domain.formats import VoteRule
from bot.domain.ratings import (
    ALL_TIME_SEASON,
    IDLE_GRACE_DAYS,
    MAX_WEIGHT,
    MIN_GAMES,
    MIN_WEIGHT,
    MODEL,
    PAGE_SIZE,
    PRIOR_MU,
    PRIOR_SIGMA,
    Game,
    InvalidSeasonName,
    Metric,
    Outcome,
    Rating,
    Record,
    Season,
    Standing,
    board_moves,
    board_value,
    clamp_page,
    clean_season_name,
    decisiveness,
    game,
    inflate,
    margin_weight,
    may_manage_seasons,
    play,
    rank_page,
    rate_two_teams,
    replay,
    season_at,
    side_gain,
    with_votes,
)
from bot.domain.sides import Side

NOW = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
A, B, C, D = 1, 2, 3, 4


def one_on_one(winner: Side | None, weight: float = 1.0, at: datetime = NOW) -> Game:
    return Game(
        debate_id=1,
        guild_id=9,
        decided_at=at,
        winner=winner,
        weight=weight,
        teams={Side.FOR: (A,), Side.AGAINST: (B,)},
        gains={Side.FOR: 10.0, Side.AGAINST: -10.0},
        votes={},
    )


def by_user(records: list[Record]) -> dict[int, Record]:
    return {r.user_id: r for r in records}


# -- one debate --------------------------------------------------------------------------------


def test_a_newcomer_starts_at_the_prior_with_ordinal_zero() -> None:
    assert Rating() == Rating(PRIOR_MU, PRIOR_SIGMA)
    assert Rating().ordinal == pytest.approx(0)
    assert Record(A).ordinal is None  # not on the rating board before a debate


def test_the_winner_rises_the_loser_falls_and_both_grow_surer() -> None:
    records, changes = play({}, one_on_one(Side.FOR))
    a, b = by_user(records)[A], by_user(records)[B]
    assert a.rating.mu > PRIOR_MU > b.rating.mu
    assert a.rating.sigma < PRIOR_SIGMA
    assert b.rating.sigma < PRIOR_SIGMA
    assert (a.wins, a.losses, a.games, b.losses) == (1, 0, 1, 1)
    assert (a.swing_sum, a.swing_games, b.swing_sum) == (10.0, 1, -10.0)
    assert a.last_played == NOW
    assert [(c.user_id, c.side, c.outcome) for c in changes] == [
        (A, Side.FOR, Outcome.WIN),
        (B, Side.AGAINST, Outcome.LOSS),
    ]
    assert changes[0].before == Rating()


def test_a_tie_between_equals_moves_no_mean() -> None:
    records, _ = play({}, one_on_one(None))
    assert [r.rating.mu for r in records] == [PRIOR_MU, PRIOR_MU]
    assert [r.ties for r in records] == [1, 1]


def test_teams_share_the_result() -> None:
    team = Game(
        debate_id=1,
        guild_id=9,
        decided_at=NOW,
        winner=Side.AGAINST,
        weight=1.0,
        teams={Side.FOR: (A, B), Side.AGAINST: (C, D)},
        gains={Side.FOR: None, Side.AGAINST: None},
        votes={},
    )
    records = by_user(play({}, team)[0])
    assert records[C].rating == records[D].rating
    assert records[C].rating.mu > PRIOR_MU > records[A].rating.mu
    assert records[A].swing_games == 0
    assert records[A].persuasion is None


def test_an_upset_moves_more_than_an_expected_win() -> None:
    strong = Record(A, Rating(30.0, 3.0), games=10, last_played=NOW)
    weak = Record(B, Rating(20.0, 3.0), games=10, last_played=NOW)
    expected = by_user(play({A: strong, B: weak}, one_on_one(Side.FOR))[0])
    upset = by_user(play({A: strong, B: weak}, one_on_one(Side.AGAINST))[0])
    assert upset[B].rating.mu - 20.0 > expected[A].rating.mu - 30.0 > 0


@given(
    st.floats(10, 40),
    st.floats(1, 8.3),
    st.floats(10, 40),
    st.floats(1, 8.3),
    st.sampled_from([Side.FOR, Side.AGAINST]),
    st.floats(MIN_WEIGHT, MAX_WEIGHT),
)
def test_winners_never_fall_losers_never_rise_and_play_is_deterministic(
    mu_a: float, sigma_a: float, mu_b: float, sigma_b: float, winner: Side, weight: float
) -> None:
    records = {
        A: Record(A, Rating(mu_a, sigma_a), games=3, last_played=NOW),
        B: Record(B, Rating(mu_b, sigma_b), games=3, last_played=NOW),
    }
    played = one_on_one(winner, weight)
    after, changes = play(records, played)
    assert (after, changes) == play(records, played)
    won = A if winner is Side.FOR else B
    lost = B if won == A else A
    new = by_user(after)
    assert new[won].rating.mu >= records[won].rating.mu
    assert new[lost].rating.mu <= records[lost].rating.mu
    assert records == {A: records[A], B: records[B]}  # inputs untouched


@given(st.floats(0, 200), st.floats(0, 200))
def test_a_bigger_margin_never_moves_ratings_less(small: float, big: float) -> None:
    small, big = min(small, big), max(small, big)
    post = (5, 3, 2)
    low = margin_weight(decisiveness(VoteRule.OXFORD, small, (3, 3, 4), post, 0) or 0)
    high = margin_weight(decisiveness(VoteRule.OXFORD, big, (3, 3, 4), post, 0) or 0)
    assert MIN_WEIGHT <= low <= high <= MAX_WEIGHT
    narrow = by_user(play({}, one_on_one(Side.FOR, low))[0])[A].rating.mu
    wide = by_user(play({}, one_on_one(Side.FOR, high))[0])[A].rating.mu
    assert narrow <= wide


def test_decisiveness_by_rule_and_no_contest() -> None:
    assert decisiveness(VoteRule.OXFORD, 10.0, (1, 1, 0), (2, 0, 0), 0) == pytest.approx(0.1)
    assert decisiveness(VoteRule.OXFORD, 0.0, (0, 0, 0), (2, 0, 0), 0) is None
    assert decisiveness(VoteRule.MAJORITY, 2.0, (0, 0, 0), (3, 1, 6), 0) == pytest.approx(0.5)
    assert decisiveness(VoteRule.MAJORITY, 0.0, (0, 0, 0), (0, 0, 6), 0) is None
    assert decisiveness(VoteRule.JUDGES, 1.0, (0, 0, 0), (0, 0, 0), 3) == pytest.approx(1 / 3)
    assert decisiveness(VoteRule.JUDGES, 0.0, (0, 0, 0), (0, 0, 0), 0) is None
    assert margin_weight(0) == MIN_WEIGHT
    assert margin_weight(1) == MAX_WEIGHT


def made(rule: VoteRule, winner: Side | None, margin: float, tallies: dict[str, object]) -> object:
    return game(
        debate_id=1,
        guild_id=9,
        decided_at=NOW,
        rule=rule,
        winner=winner,
        margin=margin,
        tallies=tallies,
        judges=0,
        teams={Side.FOR: (A,), Side.AGAINST: (B,)},
        votes={7: 2},
    )


def test_a_stored_result_makes_a_game_unless_nothing_was_measured() -> None:
    played = made(VoteRule.OXFORD, Side.FOR, 25.0, {"pre": [1, 1, 2], "post": [3, 1, 0]})
    assert isinstance(played, Game)
    assert played.weight == MAX_WEIGHT
    assert played.gains == {Side.FOR: 50.0, Side.AGAINST: 0.0}
    assert played.votes == {7: 2}
    tie = made(VoteRule.OXFORD, None, 0.0, {"pre": [1, 1, 0], "post": [1, 1, 0]})
    assert isinstance(tie, Game)
    assert tie.weight == 1.0
    assert made(VoteRule.OXFORD, None, 0.0, {"pre": [0, 0, 0], "post": [3, 1, 0]}) is None
    assert made(VoteRule.JUDGES, None, 0.0, {"pre": [0, 0, 0], "post": [0, 0, 0]}) is None


def test_side_gain_is_exact_percentage_points() -> None:
    assert side_gain((1, 1, 1), (2, 1, 0), Side.FOR) == pytest.approx(100 / 3)
    assert side_gain((1, 1, 1), (2, 1, 0), Side.AGAINST) == 0.0
    assert side_gain((0, 0, 0), (2, 1, 0), Side.FOR) is None


# -- idle time ---------------------------------------------------------------------------------


def test_uncertainty_grows_only_after_the_grace_period_and_never_past_the_prior() -> None:
    sure = Rating(30.0, 2.0)
    assert inflate(sure, None, NOW) == sure
    assert inflate(sure, NOW - timedelta(days=IDLE_GRACE_DAYS), NOW) == sure
    month = inflate(sure, NOW - timedelta(days=IDLE_GRACE_DAYS + 30), NOW)
    year = inflate(sure, NOW - timedelta(days=IDLE_GRACE_DAYS + 365), NOW)
    assert sure.sigma < month.sigma < year.sigma <= PRIOR_SIGMA
    assert year.mu == sure.mu
    assert inflate(sure, NOW - timedelta(days=100_000), NOW).sigma == PRIOR_SIGMA


@given(st.integers(0, 5_000), st.integers(0, 5_000))
def test_longer_idle_means_more_uncertainty(d1: int, d2: int) -> None:
    sure = Rating(30.0, 2.0)
    early = inflate(sure, NOW - timedelta(days=min(d1, d2)), NOW)
    late = inflate(sure, NOW - timedelta(days=max(d1, d2)), NOW)
    assert sure.sigma <= early.sigma <= late.sigma <= PRIOR_SIGMA


def test_a_returning_member_moves_more() -> None:
    fresh = Record(A, Rating(30.0, 2.0), games=20, last_played=NOW)
    away = Record(A, Rating(30.0, 2.0), games=20, last_played=NOW - timedelta(days=200))
    other = Record(B, Rating(30.0, 2.0), games=20, last_played=NOW)
    moved_fresh = by_user(play({A: fresh, B: other}, one_on_one(Side.FOR))[0])[A]
    moved_away = by_user(play({A: away, B: other}, one_on_one(Side.FOR))[0])[A]
    assert moved_away.rating.mu - 30 > moved_fresh.rating.mu - 30


# -- records and boards ------------------------------------------------------------------------


def test_board_values_keep_members_off_boards_they_do_not_qualify_for() -> None:
    voter = with_votes(Record(A), 3)
    assert voter.participation == 3
    assert [board_value(voter, m) for m in Metric] == [None, None, None, None, 3.0]
    few = Record(B, games=MIN_GAMES - 1, wins=2, losses=2)
    assert board_value(few, Metric.WIN_RATE) is None
    assert board_value(few, Metric.WINS) == 2.0
    enough = Record(B, games=MIN_GAMES, wins=4, losses=1, swing_sum=15.0, swing_games=3)
    assert board_value(enough, Metric.WIN_RATE) == 0.8
    assert board_value(enough, Metric.PERSUASION) == 5.0


def test_board_moves_count_who_joins_each_board() -> None:
    before = {A: Record(A, games=MIN_GAMES - 1, wins=1, losses=3), B: with_votes(Record(B), 2)}
    after = [
        Record(A, games=MIN_GAMES, wins=2, losses=3, swing_sum=1.0, swing_games=1),
        Record(B, games=1, wins=1, votes=2),
        Record(C, games=1, losses=1),
    ]
    assert board_moves(before, after, new_voters=4) == {
        Metric.RATING: 2,  # B and C debated for the first time
        Metric.WINS: 2,
        Metric.WIN_RATE: 1,  # A reached the minimum
        Metric.PERSUASION: 1,
        Metric.PARTICIPATION: 1 + 4,  # C, and the new voters
    }


def test_metrics_show_their_values() -> None:
    assert Metric.RATING.show(12.345) == "12.3"
    assert Metric.WIN_RATE.show(0.625) == "62%"
    assert Metric.PERSUASION.show(4.25) == "+4.2 points"
    assert Metric.WINS.show(7.0) == "7"
    assert all(m.description for m in Metric)
    assert Metric("win-rate") is Metric.WIN_RATE


def test_pages_are_clamped() -> None:
    assert clamp_page(1, 0) == (1, 1)
    assert clamp_page(5, 0) == (1, 1)
    assert clamp_page(0, 25) == (1, 3)
    assert clamp_page(9, 25) == (3, 3)
    assert clamp_page(2, PAGE_SIZE) == (1, 1)
    assert clamp_page(2, PAGE_SIZE + 1) == (2, 2)


def test_equal_values_share_a_rank() -> None:
    entries = [(1, 9.0, 3), (2, 7.0, 3), (3, 7.0, 3), (4, 5.0, 3)]
    assert [s.rank for s in rank_page(entries, 0, 1)] == [1, 2, 2, 4]
    # A page that starts in the middle of a tie takes the tie's rank from the caller.
    assert rank_page([(5, 7.0, 1), (6, 6.0, 1)], 10, 8) == [
        Standing(8, 5, 7.0, 1),
        Standing(12, 6, 6.0, 1),
    ]
    assert rank_page([], 0, 1) == []


@given(st.lists(st.integers(0, 5), max_size=40), st.integers(1, 5))
def test_page_ranks_agree_with_counting_strictly_better(values: list[int], page: int) -> None:
    ordered = sorted(values, reverse=True)
    page, _ = clamp_page(page, len(ordered))
    offset = (page - 1) * PAGE_SIZE
    entries = [(i, float(v), 1) for i, v in enumerate(ordered)][offset : offset + PAGE_SIZE]
    first = 1 + sum(v > entries[0][1] for v in ordered) if entries else 1
    for standing in rank_page(entries, offset, first):
        assert standing.rank == 1 + sum(v > standing.value for v in ordered)


# -- seasons -----------------------------------------------------------------------------------


def test_a_debate_counts_toward_the_season_running_when_it_was_decided() -> None:
    spring = Season(1, 9, "Spring", NOW, NOW + timedelta(days=90))
    summer = Season(2, 9, "Summer", NOW + timedelta(days=100))
    seasons = [spring, summer]
    assert season_at(seasons, NOW - timedelta(seconds=1)) is None
    assert season_at(seasons, NOW) == spring
    assert season_at(seasons, NOW + timedelta(days=90)) is None  # the end is exclusive
    assert season_at(seasons, NOW + timedelta(days=500)) == summer
    assert summer.running
    assert not spring.running


def test_season_names() -> None:
    assert clean_season_name("  Spring \n 2027 ") == "Spring 2027"
    for name, why in [
        ("  ", "empty"),
        ("x" * 61, "longer"),
        ("ALL-TIME", "every season"),
        ("spring", "another season"),
    ]:
        with pytest.raises(InvalidSeasonName) as refused:
            clean_season_name(name, ["Spring"])
        assert why in refused.value.explain()


def test_who_manages_seasons() -> None:
    assert may_manage_seasons(Actor(1, manages_server=True), None)
    assert may_manage_seasons(Actor(1, role_ids=frozenset({5})), 5)
    assert not may_manage_seasons(Actor(1, role_ids=frozenset({5})), None)
    assert not may_manage_seasons(Actor(1), 5)


def test_a_replay_plays_each_game_on_all_time_and_on_its_season() -> None:
    spring = Season(7, 9, "Spring", NOW - timedelta(days=1), NOW + timedelta(days=1))
    games = [
        replace(one_on_one(Side.FOR, at=NOW - timedelta(days=3)), votes={C: 2}),
        replace(one_on_one(Side.AGAINST), debate_id=2),
    ]
    replayed = replay(games, [spring])

    all_time: dict[int, Record] = {}
    for played in games:
        updated, _ = play(all_time, played)
        all_time |= by_user(updated)
    all_time[C] = with_votes(Record(C), 2)
    assert replayed.boards[ALL_TIME_SEASON] == all_time
    assert replayed.boards[spring.id] == by_user(play({}, games[1])[0])
    assert [(board, debate) for board, debate, _, _ in replayed.changes] == [
        (ALL_TIME_SEASON, 1),
        (ALL_TIME_SEASON, 1),
        (ALL_TIME_SEASON, 2),
        (ALL_TIME_SEASON, 2),
        (spring.id, 2),
        (spring.id, 2),
    ]


_RATING = st.builds(
    Rating,
    mu=st.floats(min_value=-20, max_value=70, allow_nan=False),
    sigma=st.floats(min_value=0.05, max_value=PRIOR_SIGMA),
)


@given(
    for_team=st.lists(_RATING, min_size=1, max_size=5),
    against_team=st.lists(_RATING, min_size=1, max_size=5),
    ranks=st.sampled_from([[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]]),
)
def test_rating_two_teams_gives_exactly_what_the_model_gives(
    for_team: list[Rating], against_team: list[Rating], ranks: list[float]
) -> None:
    teams = [
        [MODEL.create_rating([r.mu, r.sigma]) for r in team] for team in (for_team, against_team)
    ]
    expected = [(r.mu, r.sigma) for team in MODEL.rate(teams, ranks=ranks) for r in team]
    assert rate_two_teams([*for_team, *against_team], len(for_team), ranks) == expected
