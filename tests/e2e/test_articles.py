"""Debates from articles, end to end: paste, upload or link; pick, edit or cancel; source."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from bot.articles.errors import BadUrl, BlockedAddress
from bot.db.models import ArticleRow, DebateRow, MotionDraftRow
from bot.sandbox import BOT_PERMISSIONS, LocalDiscord, Member, Message, Perm
from tests.e2e.conftest import World
from tests.support.harness import BotRunner, eventually

ARTICLE = """Cities should put pedestrians first
Car-free centres make streets safer, cleaner and richer for everyone who uses them

Home | News | Opinion | Subscribe

For a century we have built our city centres around the private car. The result is streets \
that are loud, dangerous and surprisingly bad for business.

Cities should close their historic centres to private cars and give the space back to people \
on foot and on bicycles. The evidence from Pontevedra, Oslo and Ghent is clear: traffic deaths \
fall, air quality improves and shops see more customers, not fewer.

Critics say that shoppers arrive by car and that closing streets will empty the high street. \
Yet survey after survey shows that shopkeepers overestimate how many of their customers drive.

The change is not free. Deliveries need new rules, and disabled residents must keep access. \
But these are problems of design, not reasons to keep the status quo.

Therefore, every city of more than a hundred thousand people should set a date to make its \
centre car-free.

Thanks for reading! Subscribe to get the next essay in your inbox.

Comments

Jane Doe: Great piece, totally agree!
Bob: My town tried this and it was a disaster.
"""

HTML_ARTICLE = f"""<!doctype html><html><head><title>Cities should put pedestrians first</title>
<meta name="description" content="Car-free centres make streets safer, cleaner and richer.">
<meta name="author" content="Ann Writer"><meta property="og:site_name" content="Street Review">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Cities should put pedestrians first</h1>
{"".join(f"<p>{p}</p>" for p in ARTICLE.split(chr(10) + chr(10))[2:6])}
</article><section id="comments"><p>Jane Doe: Great piece!</p></section>
<footer>Subscribe to our newsletter</footer></body></html>"""


async def posted_lobby(local: LocalDiscord, world: World) -> Message:
    """The lobby the bot posts in the channel once a motion is chosen."""

    def lobby() -> Message | None:
        return next(
            (m for m in local.messages(world.channel.id) if not m.ephemeral and m.buttons()),
            None,
        )

    return await eventually(lobby)


def select_options(message: Message) -> list[dict[str, Any]]:
    return next(c for c in message.walk_components() if c["type"] == 3)["options"]


async def open_picker_by_paste(local: LocalDiscord, world: World, member: Member) -> Message:
    handle = await local.slash(member, world.channel, "debate new")
    response = await handle.response()
    assert response["type"] == 9, "no source: the bot asks for the text in a form"
    modal_id = response["data"]["custom_id"]
    submitted = await local.submit_modal(member, world.channel, modal_id, {"text": ARTICLE})
    picker = await submitted.reply(timeout=10)
    assert picker.ephemeral
    return picker


async def test_pasted_article_to_chosen_motion_to_lobby(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    picker = await open_picker_by_paste(local, world, world.alice)
    embed = picker.embeds[0]
    assert embed["title"] == "Cities should put pedestrians first"
    assert "Car-free centres" in embed["description"]
    options = select_options(picker)
    assert 2 <= len(options) <= 5
    motions = [f["name"] for f in embed["fields"]]
    assert all("This House" in m for m in motions)
    assert not any("Jane Doe" in f["value"] or "Subscribe" in f["value"] for f in embed["fields"])
    assert [b["label"] for b in picker.buttons()] == ["Use this", "Edit", "Cancel"]

    chosen = await local.select(world.alice, picker, select_id(picker), [options[1]["value"]])
    updated = await chosen.reply()
    assert updated.embeds[0]["fields"][1]["name"].startswith("✅ 2.")

    used = await local.click(world.alice, updated, updated.button("Use this")["custom_id"])
    done = await used.reply()
    assert done.content.startswith("Debate #")
    assert done.buttons() == []

    lobby = await posted_lobby(local, world)
    second_motion = motions[1].removeprefix("2. ")
    assert second_motion.rstrip("…") in lobby.embeds[0]["description"].replace("\\", "")
    assert [b["label"] for b in lobby.buttons()][:2] == ["Join For", "Join Against"]

    debate = await runner.one(DebateRow)
    article = await runner.one(ArticleRow)
    draft = await runner.one(MotionDraftRow)
    assert debate.article_id == article.id
    assert debate.lobby_message_id == lobby.id
    assert article.title == "Cities should put pedestrians first"
    assert "Pontevedra" in article.text
    assert "Jane Doe" not in article.text
    assert len(article.content_hash) == 64
    assert (draft.state, draft.chosen, draft.debate_id) == ("used", 1, debate.id)

    source = await local.slash(world.bob, world.channel, "debate source")
    shown = await source.reply()
    assert shown.ephemeral
    assert shown.embeds[0]["title"] == "Cities should put pedestrians first"
    assert shown.embeds[0]["description"].count("> ") == 3


def select_id(message: Message) -> str:
    return next(c for c in message.walk_components() if c["type"] == 3)["custom_id"]


async def test_uploaded_file_then_edit_the_motion(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    handle = await local.slash(
        world.alice,
        world.channel,
        "debate new",
        attachments={"file": ("pedestrians.md", ARTICLE.encode(), "text/markdown")},
    )
    picker = await handle.reply(timeout=10)
    assert picker.ephemeral
    assert picker.embeds[0]["title"] == "Cities should put pedestrians first"

    edit = await local.click(world.alice, picker, picker.button("Edit")["custom_id"])
    modal = await edit.response()
    assert modal["type"] == 9
    field = modal["data"]["components"][0]
    prefilled = field.get("component", field.get("components", [{}])[0]).get("value")
    assert prefilled
    assert prefilled.startswith("This House")
    edited = "This House would make every city centre car-free by 2030"
    submitted = await local.submit_modal(
        world.alice, world.channel, modal["data"]["custom_id"], {"motion": edited}, message=picker
    )
    done = await submitted.reply()
    assert done.content.startswith("Debate #")
    assert edited in (await posted_lobby(local, world)).embeds[0]["description"]
    debate = await runner.one(DebateRow)
    assert debate.motion == edited
    article = await runner.one(ArticleRow)
    assert article.filename == "pedestrians.md"


@pytest.fixture
async def article_site() -> AsyncIterator[str]:
    """A web site on this machine serving an article, a binary file and a redirect inside."""

    async def page(_: web.Request) -> web.Response:
        return web.Response(text=HTML_ARTICLE, content_type="text/html")

    async def binary(_: web.Request) -> web.Response:
        return web.Response(body=bytes(range(256)) * 40, content_type="application/octet-stream")

    async def moved(_: web.Request) -> web.Response:
        raise web.HTTPFound("http://10.0.0.1/internal/report")

    app = web.Application()
    app.router.add_get("/opinion/pedestrians", page)
    app.router.add_get("/file.bin", binary)
    app.router.add_get("/moved", moved)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_linked_article_is_fetched_then_cancel(
    local: LocalDiscord, world: World, runner: BotRunner, article_site: str
) -> None:
    runner.allow_loopback_articles = True  # the test's site is on this machine
    await runner.restart()
    url = f"{article_site}/opinion/pedestrians"
    handle = await local.slash(world.alice, world.channel, "debate new", options={"article": url})
    picker = await handle.reply(timeout=10)
    assert picker.ephemeral
    embed = picker.embeds[0]
    assert embed["title"] == "Cities should put pedestrians first"
    assert embed["url"] == url
    assert "Ann Writer · Street Review" in embed["description"]

    cancelled = await local.click(world.alice, picker, picker.button("Cancel")["custom_id"])
    assert "Cancelled" in (await cancelled.reply()).content
    assert (await runner.one(MotionDraftRow)).state == "cancelled"
    assert await runner.count(DebateRow) == 0

    junk = await local.slash(
        world.alice, world.channel, "debate new", options={"article": f"{article_site}/file.bin"}
    )
    refusal = await junk.reply(timeout=10)
    assert refusal.ephemeral
    assert refusal.content
    assert await runner.count(ArticleRow) == 1


async def test_links_to_this_machine_are_refused_by_default(
    local: LocalDiscord, world: World, runner: BotRunner, article_site: str
) -> None:
    for url in (f"{article_site}/opinion/pedestrians", "http://169.254.169.254/latest/meta-data"):
        handle = await local.slash(
            world.alice, world.channel, "debate new", options={"article": url}
        )
        refusal = await handle.reply(timeout=10)
        assert refusal.ephemeral
        assert "address" in refusal.content.lower() or "private" in refusal.content.lower()
    assert await runner.count(ArticleRow) == 0


async def test_hostile_links_get_the_fetchers_own_explanation(
    local: LocalDiscord, world: World, runner: BotRunner, article_site: str
) -> None:
    runner.allow_loopback_articles = True  # the test's site stands in for a public one
    await runner.restart()
    cases = {
        f"{article_site}/moved": BlockedAddress("10.0.0.1", "10.0.0.1", "private"),
        "file:///etc/passwd": BadUrl("file:///etc/passwd", "only http and https links are fetched"),
        "gopher://127.0.0.1:70/_stats": BadUrl("", "only http and https links are fetched"),
        "http://2130706433/": BadUrl("", "its host is a number, not an address or name"),
        "http://public@10.0.0.1/": BadUrl("", "it carries a user name or password"),
        "http://[::ffff:169.254.169.254]/latest/meta-data/": BlockedAddress(
            "::ffff:a9fe:a9fe", "::ffff:a9fe:a9fe", "link-local"
        ),
    }
    for url, error in cases.items():
        handle = await local.slash(
            world.alice, world.channel, "debate new", options={"article": url}
        )
        refusal = await handle.reply(timeout=10)
        assert refusal.ephemeral, url
        assert refusal.content == error.explain(), url
    assert await runner.count(ArticleRow) == 0
    assert await runner.count(MotionDraftRow) == 0


async def test_bad_sources_are_explained(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    both = await local.slash(
        world.alice,
        world.channel,
        "debate new",
        options={"motion": "This House would ban cars", "article": "https://example.org/a"},
    )
    reply = await both.reply()
    assert reply.ephemeral
    assert "give just one" in reply.content

    junk = await local.slash(
        world.alice,
        world.channel,
        "debate new",
        attachments={
            "file": ("paper.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8, "application/pdf")
        },
    )
    reply = await junk.reply(timeout=10)
    assert reply.ephemeral
    assert "PDF" in reply.content

    nothing = await local.slash(world.alice, world.channel, "debate new")
    modal_id = (await nothing.response())["data"]["custom_id"]
    empty = await local.submit_modal(world.alice, world.channel, modal_id, {"text": "?? !!"})
    reply = await empty.reply(timeout=10)
    assert reply.ephemeral
    assert reply.content
    assert await runner.count(ArticleRow) == 0
    assert await runner.count(DebateRow) == 0

    source = await local.slash(world.alice, world.channel, "debate source")
    assert "no open debate" in (await source.reply()).content


async def test_source_of_a_motion_without_article(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    opened = await local.slash(
        world.alice, world.channel, "debate new", options={"motion": "This House would ban cars"}
    )
    await opened.reply()
    source = await local.slash(world.bob, world.channel, "debate source")
    assert "written directly" in (await source.reply()).content


async def test_the_form_takes_an_uploaded_file_instead_of_text(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    async def form() -> str:
        handle = await local.slash(world.alice, world.channel, "debate new")
        return str((await handle.response())["data"]["custom_id"])

    upload = [("pedestrians.txt", ARTICLE.encode(), "text/plain")]
    submitted = await local.submit_modal(world.alice, world.channel, await form(), {"file": upload})
    picker = await submitted.reply(timeout=10)
    assert picker.embeds[0]["title"] == "Cities should put pedestrians first"
    assert (await runner.one(ArticleRow)).filename == "pedestrians.txt"

    empty = await local.submit_modal(world.alice, world.channel, await form(), {})
    assert "The form was empty" in (await empty.reply()).content
    both = await local.submit_modal(
        world.alice, world.channel, await form(), {"text": ARTICLE, "file": upload}
    )
    assert "not both" in (await both.reply()).content
    assert await runner.count(ArticleRow) == 1


async def test_a_channel_the_bot_cannot_post_in_gets_a_clear_answer(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    muted = local.add_guild("Quiet Club", bot_permissions=BOT_PERMISSIONS & ~Perm.SEND_MESSAGES)
    everyone = muted.roles[muted.id]
    everyone.permissions &= ~Perm.SEND_MESSAGES
    alice = local.add_member(muted, "alice")
    channel = local.add_channel(muted, "debates")
    runner.dev_guild_id = None  # the commands are global, so the second server has them too
    await runner.restart()
    handle = await local.slash(
        alice,
        channel,
        "debate new",
        attachments={"file": ("pedestrians.md", ARTICLE.encode(), "text/markdown")},
    )
    picker = await handle.reply(timeout=10)
    used = await local.click(alice, picker, picker.button("Use this")["custom_id"])
    await used.response()
    (notice,) = await used.followups(1)
    assert notice.ephemeral
    assert "could not post the lobby" in notice.content
    assert "Send Messages" in notice.content
    debate = await runner.one(DebateRow)
    assert debate.state == "cancelled"
