"""``/help``, end to end: every command the bot publishes, grouped by task, with examples,
within Discord's embed limits."""

from __future__ import annotations

from bot.sandbox import LocalDiscord
from tests.e2e.conftest import World
from tests.e2e.test_permissions import synced_names
from tests.support.harness import BotRunner

TASKS = (
    "Run a debate",
    "Vote and judge",
    "Motion bank",
    "Debate nights",
    "Ratings",
    "Server settings",
)


async def test_help_lists_every_command_by_task_with_examples(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    handle = await local.slash(world.alice, world.channel, "help")
    reply = await handle.reply()
    assert reply.ephemeral
    assert reply.visible_to == world.alice.user_id
    [embed] = reply.embeds
    fields = embed["fields"]

    # Discord's limits for one embed.
    assert len(embed["description"]) <= 4096
    assert len(fields) <= 25
    assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in fields)
    total = len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
    total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert total <= 6000

    # Grouped by task, in this order; nothing falls outside a task.
    titles = [f["name"].split(" ", 1)[1] for f in fields]
    assert list(dict.fromkeys(t.removesuffix(" (more)") for t in titles)) == list(TASKS)

    # Built from the commands members see: each one is listed, none is made up.
    text = "\n".join(f["value"] for f in fields)
    published = synced_names(local, world.guild.id)
    listed = {
        line.split("`/", 1)[1].split("`", 1)[0]
        for line in text.splitlines()
        if line.startswith("`/")
    }
    assert listed == published
    assert {"config", "help", "debate new", "motion submit", "schedule create"} <= listed

    # Examples, and who may use what.
    assert "e.g. `/debate new motion: This House would ban homework`" in text
    assert "`/motion submit motion:" in text
    assert "`/debate start` 🛡️" in text
    assert "`/debate new` 🛡️" not in text
    assert "/debate new" in embed["description"]
    assert "/config" not in embed["description"]
