"""The transcript: messages of the local Discord written out as a member sees them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.sandbox import LocalDiscord
from bot.sandbox.models import FLAG_EPHEMERAL, Message, User
from bot.sandbox.transcript import (
    Directory,
    Transcript,
    relative,
    render_components,
    render_embed,
    render_message,
    resolve,
)

NOW = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
NAMES = Directory(
    users={1: "Agora", 10: "ada", 11: "basil"},
    channels={100: "#debates", 101: "#debates / Debate #1"},
    roles={500: "Moderators"},
)
BOT = User(id=1, username="Agora", bot=True)
ADA = User(id=10, username="ada")


def message(**fields: Any) -> Message:
    return Message(
        id=fields.pop("id", 1000),
        channel_id=100,
        guild_id=7,
        author=fields.pop("author", BOT),
        created_at=0.0,
        **fields,
    )


def at(seconds: float) -> int:
    return round((NOW + timedelta(seconds=seconds)).timestamp())


def test_relative_times_read_like_discord() -> None:
    assert relative(1) == "in 1 second"
    assert relative(30) == "in 30 seconds"
    assert relative(360) == "in 6 minutes"
    assert relative(-120) == "2 minutes ago"
    assert relative(3 * 3600) == "in 3 hours"
    assert relative(-2 * 86400) == "2 days ago"


def test_mentions_stamps_and_escapes_are_resolved() -> None:
    text = (
        f"<@10> and <@!11> hold the floor in <#101> (<@&500>); ends <t:{at(360)}:R> "
        f"(<t:{at(360)}:T>). Try </debate status:42>. \\*not bold\\* <@999>"
    )
    assert resolve(text, NAMES, NOW) == (
        "@ada and @basil hold the floor in #debates / Debate #1 (@Moderators); "
        "ends in 6 minutes (19:06:00). Try /debate status. *not bold* @unknown"
    )


def test_an_embed_shows_title_description_fields_image_and_footer() -> None:
    embed = {
        "title": "Debate #1: For wins",
        "description": "**Motion**\nFor gained more.",
        "fields": [{"name": "Before", "value": "For 30%\nAgainst 20%"}],
        "image": {"url": "attachment://result.png"},
        "footer": {"text": "Oxford · rule: oxford"},
    }
    assert render_embed(embed, NAMES, NOW) == [
        "┃ **Debate #1: For wins**",
        "┃ **Motion**",
        "┃ For gained more.",
        "┃ ▸ Before",
        "┃   For 30%",
        "┃   Against 20%",
        "┃ 🖼 result.png",
        "┃ — Oxford · rule: oxford",
    ]


def test_buttons_render_as_a_row_and_menus_with_their_options() -> None:
    components = [
        {
            "type": 1,
            "components": [
                {"type": 2, "label": "Join For", "custom_id": "a", "style": 1},
                {"type": 2, "label": "Start", "custom_id": "b", "style": 3, "disabled": True},
                {"type": 2, "label": "Docs", "url": "https://example.com", "style": 5},
                {"type": 2, "label": "Up", "custom_id": "c", "emoji": {"name": "👍"}},
            ],
        },
        {
            "type": 1,
            "components": [
                {
                    "type": 3,
                    "custom_id": "menu",
                    "placeholder": "Choose a motion",
                    "options": [
                        {"label": "1. First", "value": "0", "default": True},
                        {"label": "2. Second", "value": "1"},
                    ],
                }
            ],
        },
        {"type": 17, "components": [{"type": 10, "content": "Hello <@10>"}]},
    ]
    assert render_components(components, NAMES, NOW) == [
        "[Join For] [Start (disabled)] [Docs ↗] [👍 Up]",
        "[▾ Choose a motion]",
        "  ◉ 1. First",
        "  ○ 2. Second",
        "Hello @ada",
    ]


def test_a_private_edited_reply_says_whom_it_is_for() -> None:
    reply = message(
        content="Your vote is counted: **For**.",
        flags=FLAG_EPHEMERAL,
        visible_to=10,
        attachments=[{"id": "5", "filename": "debate-1.json", "size": 8 * 1024}],
    )
    assert render_message(reply, NAMES, NOW, edited=True) == [
        "Agora (only ada can see this, edited):",
        "    Your vote is counted: **For**.",
        "    📎 debate-1.json (8 KB)",
    ]


def test_a_members_message_and_a_system_message() -> None:
    said = message(author=ADA, content="Homework eats family time.")
    assert render_message(said, NAMES, NOW) == ["ada:", "    Homework eats family time."]
    system = message(type=18, content="Debate #1")
    assert render_message(system, NAMES, NOW) == ["Agora:", "    (started a thread: Debate #1)"]
    assert render_message(message(), NAMES, NOW) == ["Agora:", "    (empty)"]


async def test_each_flush_writes_what_is_new_or_changed_in_every_channel_and_thread() -> None:
    lines: list[str] = []
    async with LocalDiscord() as local:
        guild = local.add_guild("Club")
        channel = local.add_channel(guild, "debates")
        thread = local.add_channel(guild, "Debate 1", 11, parent=channel)
        ada = local.add_member(guild, "ada")
        transcript = Transcript(local, guild.id, lambda: NOW, lines.append)

        first = local.say(ada, channel, f"Hello, <#{thread.id}>")
        local.say(ada, thread, "In the thread")
        written = transcript.flush()
        assert [m.id for m in written] == sorted(m.id for m in written)
        assert lines == [
            "\n── #debates (channel) ──",
            "ada:\n    Hello, #debates / Debate 1",
            "\n── #debates / Debate 1 (thread) ──",
            "ada:\n    In the thread",
        ]

        lines.clear()
        assert transcript.flush() == []
        assert lines == []

        local.edit_said(first, "Hello again")
        local.say(ada, thread, "Still here")
        transcript.note("ada edits her message")
        transcript.flush()
        assert lines == [
            "▸ ada edits her message",
            "\n── #debates (channel) ──",
            "ada (edited):\n    Hello again",
            "\n── #debates / Debate 1 (thread) ──",
            "ada:\n    Still here",
        ]

        lines.clear()
        transcript.section("Start")
        assert lines == ["\n═══ 19:00:00 · Start ═══"]
