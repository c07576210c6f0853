"""Button spam, end to end: one member clicking too fast is asked to wait; nobody else is."""

from __future__ import annotations

from bot.db.models import MotionVoteRow
from bot.domain.throttle import CLICKS_PER_WINDOW
from bot.sandbox import LocalDiscord, Member, Message
from bot.ui.throttle import SLOW_DOWN
from tests.e2e.conftest import World
from tests.e2e.test_motions import approve, submit
from tests.support.harness import BotRunner

SPAM = 20


async def upvote(local: LocalDiscord, member: Member, announced: Message) -> Message:
    """Press ▲ under the approved motion as ``member``; the private answer they see."""
    button = announced.button("▲ #1")["custom_id"]
    answer = await (await local.click(member, local.message(announced.id), button)).reply()
    assert answer.ephemeral
    assert answer.visible_to == member.user_id
    return answer


async def test_twenty_clicks_by_one_member_get_a_polite_note_and_change_nothing(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    await submit(local, world, world.alice, {"motion": "This House would ban homework"})
    announced = await approve(local, world, world.admin, 1)
    exchanges_before = len(local.exchanges)

    # Each click after the answer to the one before, as fast as the bot answers.
    answers = [(await upvote(local, world.carol, announced)).content for _ in range(SPAM)]

    handled = [a for a in answers if a != SLOW_DOWN]
    assert answers[:CLICKS_PER_WINDOW] == handled[:CLICKS_PER_WINDOW], "a full bucket first"
    assert SLOW_DOWN in answers, answers
    assert len(handled) < SPAM
    # The handled clicks toggled the upvote in turn; the refused ones did nothing at all.
    for n, answer in enumerate(handled):
        took_back = n % 2 == 1
        assert answer.startswith("You took back" if took_back else "▲ Your upvote"), (n, answer)
    assert await runner.count(MotionVoteRow) == len(handled) % 2
    refused = SPAM - len(handled)
    callbacks = [
        e for e in local.exchanges[exchanges_before:] if e.path.startswith("/interactions/")
    ]
    assert len(callbacks) == SPAM, "every click was answered, the refused ones too"
    notes = [e for e in callbacks if (e.request_json.get("data") or {}).get("content") == SLOW_DOWN]
    assert len(notes) == refused
    assert all(e.request_json["data"]["flags"] & 64 for e in notes), "the note is private"

    # Another member clicking at the same moment is not held back by Carol's spam.
    answer = await upvote(local, world.bob, announced)
    assert answer.content.startswith("▲ Your upvote for motion #1 counts")
    assert await runner.count(MotionVoteRow) == 1 + len(handled) % 2


async def test_many_members_each_clicking_a_few_times_are_never_refused(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    """Many members, each clicking a few times: no note, every click handled."""
    await submit(local, world, world.alice, {"motion": "This House would ban homework"})
    announced = await approve(local, world, world.admin, 1)
    members = [world.bob, world.carol, world.dave, world.erin, world.owner]
    for _ in range(CLICKS_PER_WINDOW // 2):
        for member in members:
            assert (await upvote(local, member, announced)).content != SLOW_DOWN
    assert await runner.count(MotionVoteRow) == 0  # an even number of toggles each
