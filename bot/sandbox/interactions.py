"""Interactions: what a member's command, click or modal sends, and what the bot answers.

Theory of operation: a test acts as a member (``slash``, ``click``...), which builds the
``INTERACTION_CREATE`` payload Discord would send and dispatches it on the gateway. The
bot then has ``deadline`` seconds (3 on Discord) to call
``POST /interactions/{id}/{token}/callback`` exactly once; later or repeated callbacks
get Discord's errors. After that first response the token works for 15 minutes on the
``/webhooks/{application}/{token}`` routes (edit the original response, followups).
``InteractionHandle`` lets the test wait for and read what the member ends up seeing.
"""

from __future__ import annotations

import contextlib
import itertools
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.errors import ApiError, FormErrors, unknown
from bot.sandbox.messages import (
    MessageDraft,
    Upload,
    check_choices,
    check_modal,
    parse_message,
)
from bot.sandbox.models import (
    ALL_PERMISSIONS,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    THREAD_TYPES,
    Channel,
    Guild,
    Member,
    Message,
    Role,
    User,
)
from bot.sandbox.state import World
from bot.sandbox.waiting import Notifier

TOKEN_LIFETIME = 15 * 60.0
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

# Interaction types.
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

# Which callback types Discord accepts for each interaction type.
_ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {4, 5, 9},
    MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
    AUTOCOMPLETE: {8},
    MODAL_SUBMIT: {4, 5, 6, 7},
}

# An attachment option value or modal file upload: (filename, bytes, content type).
FileSpec = tuple[str, bytes, str]
Actor = Member | User


class InteractionRejected(Exception):
    """The bot's callback was refused (too late, or an invalid response)."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"the interaction callback was rejected: {error}")
        self.error = error


@dataclass(eq=False)
class InteractionRecord:
    """The local Discord's side of one interaction."""

    id: int
    token: str
    type: int
    user: User
    member: Member | None
    channel: Channel
    dispatched_at: float
    data: dict[str, Any]
    metadata: dict[str, Any]
    message_id: int | None = None
    legacy: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    response_type: int | None = None
    original_id: int | None = None
    # The original message's revision when the bot answered (type 5 and 6 wait past it).
    baseline: int = 0
    followup_ids: list[int] = field(default_factory=list)
    modal: dict[str, Any] | None = None
    choices: list[dict[str, Any]] | None = None
    error: dict[str, Any] | None = None
    origin: InteractionRecord | None = None

    @property
    def guild_id(self) -> int | None:
        """The guild the interaction happened in (None in DMs)."""
        return self.channel.guild_id


class InteractionHandle:
    """What a test holds after acting as a member: the interaction and its outcome."""

    def __init__(self, record: InteractionRecord, desk: InteractionDesk) -> None:
        self._record = record
        self._desk = desk

    @property
    def id(self) -> int:
        """The interaction id."""
        return self._record.id

    @property
    def token(self) -> str:
        """The interaction token."""
        return self._record.token

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal the bot answered with (callback type 9), if any."""
        return self._record.modal

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        """The autocomplete choices the bot answered with (callback type 8), if any."""
        return self._record.choices

    @property
    def error(self) -> dict[str, Any] | None:
        """The error body of the bot's last refused callback, if any."""
        return self._record.error

    async def response(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test API takes timeouts
    ) -> dict[str, Any]:
        """The callback body the bot sent: ``{"type": 4|5|6|7|8|9, "data": {...}}``."""
        record = self._record
        await self._desk.notifier.wait_for(
            lambda: record.response is not None or record.error is not None,
            timeout,
            f"the bot to respond to interaction {record.id}",
        )
        if record.response is None:
            assert record.error is not None
            raise InteractionRejected(record.error)
        return record.response

    async def reply(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test API takes timeouts
    ) -> Message:
        """The message the member ends up seeing as the bot's answer.

        Type 4: the new message; type 5: the original once edited (or replaced by the
        first followup); type 7: the updated message; type 6: the component's message
        after the bot edits it, or as it is if no edit comes within ``timeout``.
        """
        loop_start = time.monotonic()
        response = await self.response(timeout)
        remaining = max(0.0, timeout - (time.monotonic() - loop_start))
        record = self._record
        kind = response.get("type")
        if kind in (4, 7):
            return self._desk.world_message(record.original_id)
        messages = self._desk.world.messages

        def edited() -> bool:
            message = messages.get(record.original_id or 0)
            return message is None or message.revision > record.baseline

        if kind == 5:
            await self._desk.notifier.wait_for(
                edited,
                remaining,
                f"the bot to edit its deferred response to interaction {record.id}",
            )
            return self._desk.world_message(record.original_id)
        if kind == 6:
            with contextlib.suppress(TimeoutError):
                await self._desk.notifier.wait_for(edited, remaining, "an edit")
            return self._desk.world_message(record.original_id)
        raise LookupError(f"the bot answered interaction {record.id} with type {kind}, no message")

    async def followups(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test API takes timeouts
    ) -> list[Message]:
        """The first ``count`` followup messages, waiting for them to be sent."""
        record = self._record
        await self._desk.notifier.wait_for(
            lambda: len(record.followup_ids) >= count,
            timeout,
            f"{count} followup(s) to interaction {record.id}",
        )
        return [self._desk.world_message(i) for i in record.followup_ids[:count]]


class InteractionDesk:
    """Builds interactions, dispatches them and serves the bot's responses to them."""

    def __init__(self, world: World, notifier: Notifier, *, deadline: float) -> None:
        self.world = world
        self.notifier = notifier
        self.deadline = deadline
        self.records: dict[int, InteractionRecord] = {}
        self.by_token: dict[str, InteractionRecord] = {}
        self.skew = 0.0

    def clock(self) -> float:
        """Monotonic time as the desk sees it (moved forward by ``advance``)."""
        return time.monotonic() + self.skew

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass for deadlines and token lifetimes without waiting."""
        self.skew += seconds

    def world_message(self, message_id: int | None) -> Message:
        """A stored message by id (``KeyError`` when deleted)."""
        if message_id is None:
            raise KeyError("the interaction has no message")
        return self.world.messages[message_id]

    # ------------------------------------------------------------ acting

    def _context(
        self, actor: Actor, channel: Channel | None
    ) -> tuple[User, Member | None, Channel]:
        if isinstance(actor, Member):
            guild = self.world.guilds[actor.guild_id]
            if channel is None:
                raise ValueError("a guild interaction needs a channel")
            if channel.guild_id != guild.id:
                raise ValueError(f"channel {channel.name!r} is not in guild {guild.name!r}")
            if not guild.channel_permissions(actor, channel):
                raise PermissionError(f"{actor.name} cannot see #{channel.name}")
            return actor.user, actor, channel
        dm = self.world.open_dm(actor)
        if channel is not None and channel.id != dm.id:
            raise ValueError("a user who is not a member can only interact in their DM channel")
        return actor, None, dm

    def _dispatch(
        self,
        kind: int,
        actor: Actor,
        channel: Channel | None,
        data: dict[str, Any],
        *,
        message: Message | None = None,
        metadata: dict[str, Any] | None = None,
        legacy: dict[str, Any] | None = None,
        origin: InteractionRecord | None = None,
    ) -> InteractionHandle:
        user, member, where = self._context(actor, channel)
        world = self.world
        interaction_id = world.ids.next()
        owners = {"0": str(where.guild_id)} if where.guild_id is not None else {"0": "0"}
        record = InteractionRecord(
            id=interaction_id,
            token=f"aW50ZXJhY3Rpb246{interaction_id}{secrets.token_urlsafe(48)}",
            type=kind,
            user=user,
            member=member,
            channel=where,
            dispatched_at=self.clock(),
            data=data,
            metadata={
                "id": str(interaction_id),
                "type": kind,
                "user": user.payload(),
                "authorizing_integration_owners": owners,
                **(metadata or {}),
            },
            message_id=message.id if message is not None else None,
            legacy=legacy,
            origin=origin,
        )
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(world.application_id),
            "type": kind,
            "data": data,
            "token": record.token,
            "version": 1,
            "locale": user.locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "app_permissions": str(world.permissions(world.bot, where)),
            "authorizing_integration_owners": owners,
            "channel_id": str(where.id),
            "channel": {**where.payload(), "permissions": str(world.permissions(user, where))},
        }
        if member is not None:
            guild = world.guilds[member.guild_id]
            payload.update(
                guild_id=str(guild.id),
                guild_locale=guild.preferred_locale,
                guild={"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
                member={
                    **member.payload(),
                    "permissions": str(guild.channel_permissions(member, where)),
                },
                context=0,
            )
        else:
            payload.update(user=user.payload(), context=1)
        if message is not None:
            payload["message"] = message.payload()
        self.records[interaction_id] = record
        self.by_token[record.token] = record
        world.emit("INTERACTION_CREATE", payload, where.guild_id)
        return InteractionHandle(record, self)

    def slash(
        self,
        actor: Actor,
        channel: Channel | None,
        name: str,
        options: Mapping[str, Any],
        *,
        focused: str | None = None,
        stale_client: bool = False,
    ) -> InteractionHandle:
        """Dispatch a chat-input command (or, with ``focused``, its autocomplete)."""
        parts = name.split()
        if not parts:
            raise ValueError("empty command name")
        user, member, where = self._context(actor, channel)
        command = self.world.find_command(parts[0], where.guild_id)
        if member is not None:
            self._check_command_permissions(command, member, where)
        elif (
            not stale_client
            and command.get("contexts") is not None
            and 1 not in command["contexts"]
        ):
            raise PermissionError(f"/{parts[0]} cannot be used in DMs")
        definitions: list[dict[str, Any]] = command.get("options", [])
        chain: list[dict[str, Any]] = []
        for part in parts[1:]:
            sub = next((d for d in definitions if d["name"] == part and d["type"] in (1, 2)), None)
            if sub is None:
                raise LookupError(f"/{parts[0]} has no subcommand {part!r} (in {name!r})")
            chain.append({"type": sub["type"], "name": part, "options": []})
            definitions = sub.get("options", [])
        if any(d["type"] in (1, 2) for d in definitions):
            raise ValueError(f"{name!r} is a command group; name a subcommand")
        resolved: dict[str, dict[str, Any]] = {}
        built = self._options(definitions, options, resolved, where, member, focused=focused)
        # Subcommands nest: {"type": 2, "options": [{"type": 1, "options": [leaves]}]}.
        for parent, child in itertools.pairwise(chain):
            parent["options"] = [child]
        if chain:
            chain[-1]["options"] = built
        top_options = chain[:1] if chain else built
        data: dict[str, Any] = {
            "id": command["id"],
            "name": parts[0],
            "type": 1,
            "options": top_options,
        }
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        kind = AUTOCOMPLETE if focused is not None else APPLICATION_COMMAND
        metadata = {"name": name, "command_type": 1}
        legacy = {"id": "", "type": kind, "name": name, "user": user.payload()}
        return self._dispatch(kind, actor, where, data, metadata=metadata, legacy=legacy)

    def _check_command_permissions(
        self, command: dict[str, Any], member: Member, channel: Channel
    ) -> None:
        guild = self.world.guilds[member.guild_id]
        have = guild.channel_permissions(member, channel)
        if have != ALL_PERMISSIONS and not have & (1 << 31):
            raise PermissionError(f"{member.name} may not use application commands here")
        needed = command.get("default_member_permissions")
        if needed is not None and have != ALL_PERMISSIONS and (have & int(needed)) != int(needed):
            raise PermissionError(
                f"{member.name} lacks the permissions /{command['name']} requires ({needed})"
            )

    def _options(
        self,
        definitions: list[dict[str, Any]],
        values: Mapping[str, Any],
        resolved: dict[str, dict[str, Any]],
        channel: Channel,
        member: Member | None,
        *,
        focused: str | None,
    ) -> list[dict[str, Any]]:
        by_name = {d["name"]: d for d in definitions}
        unknown_names = set(values) - set(by_name)
        if unknown_names:
            raise LookupError(
                f"unknown option(s) {sorted(unknown_names)}; valid: {sorted(by_name)}"
            )
        if focused is not None:
            if focused not in by_name:
                raise LookupError(f"cannot focus unknown option {focused!r}")
            if not by_name[focused].get("autocomplete"):
                raise ValueError(f"option {focused!r} has no autocomplete")
        built = []
        for definition in definitions:
            name = definition["name"]
            if name not in values:
                if definition.get("required") and focused is None:
                    raise ValueError(f"required option {name!r} is missing")
                continue
            if name == focused:
                # While typing, Discord sends the focused option's partial text as a string.
                built.append(
                    {
                        "type": definition["type"],
                        "name": name,
                        "value": str(values[name]),
                        "focused": True,
                    }
                )
                continue
            value = self._option_value(definition, values[name], resolved, channel, member)
            built.append({"type": definition["type"], "name": name, "value": value})
        return built

    def _option_value(
        self,
        definition: dict[str, Any],
        value: Any,
        resolved: dict[str, dict[str, Any]],
        channel: Channel,
        member: Member | None,
    ) -> Any:
        kind = definition["type"]
        name = definition["name"]
        if kind == 3:
            if not isinstance(value, str):
                raise TypeError(f"option {name!r} takes a string, got {value!r}")
            if (
                not definition.get("min_length", 0)
                <= len(value)
                <= definition.get("max_length", 6000)
            ):
                raise ValueError(f"option {name!r}: length of {value!r} is out of range")
        elif kind in (4, 10):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"option {name!r} takes a number, got {value!r}")
            if kind == 4 and not isinstance(value, int):
                raise TypeError(f"option {name!r} takes an integer, got {value!r}")
            low, high = definition.get("min_value"), definition.get("max_value")
            if (low is not None and value < low) or (high is not None and value > high):
                raise ValueError(f"option {name!r}: {value} is out of range [{low}, {high}]")
        elif kind == 5:
            if not isinstance(value, bool):
                raise TypeError(f"option {name!r} takes a boolean, got {value!r}")
        elif kind in (6, 7, 8, 9):
            return self._resolve_entity(kind, name, value, resolved, channel, member, definition)
        elif kind == 11:
            attachment = self._attachment(value, name, channel)
            resolved.setdefault("attachments", {})[attachment["id"]] = attachment
            return attachment["id"]
        else:
            raise ValueError(f"option {name!r} has unsupported type {kind}")
        choices = definition.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise ValueError(
                f"option {name!r}: {value!r} is not one of {[c['value'] for c in choices]}"
            )
        return value

    def _attachment(self, value: Any, name: str, channel: Channel) -> dict[str, Any]:
        if not (isinstance(value, tuple) and len(value) == 3):
            raise TypeError(f"option {name!r} takes (filename, bytes, content_type), got {value!r}")
        filename, data, content_type = value
        attachment = self.world.store_upload(
            channel.id, Upload(0, str(filename), str(content_type), bytes(data))
        )
        attachment["ephemeral"] = True
        return attachment

    def _resolve_entity(
        self,
        kind: int,
        name: str,
        value: Any,
        resolved: dict[str, dict[str, Any]],
        channel: Channel,
        member: Member | None,
        definition: Mapping[str, Any] | None = None,
    ) -> str:
        world = self.world
        guild = world.guilds.get(channel.guild_id or 0)
        if isinstance(value, Member | User) and kind in (6, 9):
            user = value.user if isinstance(value, Member) else value
            resolved.setdefault("users", {})[str(user.id)] = user.payload()
            target = guild.members.get(user.id) if guild is not None else None
            if target is not None and guild is not None:
                resolved.setdefault("members", {})[str(user.id)] = {
                    **target.payload(with_user=False),
                    "permissions": str(guild.channel_permissions(target, channel)),
                }
            return str(user.id)
        if isinstance(value, Role) and kind in (8, 9):
            resolved.setdefault("roles", {})[str(value.id)] = value.payload()
            return str(value.id)
        if isinstance(value, Channel) and kind == 7:
            allowed = (definition or {}).get("channel_types")
            if allowed and value.type not in allowed:
                raise ValueError(f"option {name!r} accepts channel types {allowed}")
            entry: dict[str, Any] = {
                "id": str(value.id),
                "name": value.name,
                "type": value.type,
                "permissions": str(
                    guild.channel_permissions(member, value)
                    if guild is not None and member is not None
                    else 0
                ),
                "guild_id": str(value.guild_id),
                "parent_id": None if value.parent_id is None else str(value.parent_id),
            }
            if value.type in THREAD_TYPES:
                thread = value.payload()
                entry.update(
                    thread_metadata=thread["thread_metadata"],
                    owner_id=thread["owner_id"],
                    member_count=thread["member_count"],
                    message_count=thread["message_count"],
                )
            resolved.setdefault("channels", {})[str(value.id)] = entry
            return str(value.id)
        raise TypeError(f"option {name!r} (type {kind}) cannot take {value!r}")

    def click(self, actor: Actor, message: Message, custom_id: str) -> InteractionHandle:
        """Dispatch a button press on a message."""
        component = self._component_for(actor, message, custom_id)
        if component.get("type") != 2:
            raise TypeError(f"{custom_id!r} is not a button (type {component.get('type')})")
        data = {"custom_id": custom_id, "component_type": 2, "id": component.get("id")}
        return self._component_interaction(actor, message, data)

    def select(
        self, actor: Actor, message: Message, custom_id: str, values: Sequence[Any]
    ) -> InteractionHandle:
        """Dispatch a select menu choice on a message."""
        component = self._component_for(actor, message, custom_id)
        kind = component.get("type")
        if kind not in (3, 5, 6, 7, 8):
            raise TypeError(f"{custom_id!r} is not a select menu (type {kind})")
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(values) <= high:
            raise ValueError(f"{custom_id!r} takes between {low} and {high} values")
        channel = self.world.channels[message.channel_id]
        member = actor if isinstance(actor, Member) else None
        data: dict[str, Any] = {
            "custom_id": custom_id,
            "component_type": kind,
            "id": component.get("id"),
        }
        resolved: dict[str, dict[str, Any]] = {}
        data["values"] = self._select_values(component, values, resolved, channel, member)
        if resolved:
            data["resolved"] = resolved
        return self._component_interaction(actor, message, data)

    def _select_values(
        self,
        component: dict[str, Any],
        values: Sequence[Any],
        resolved: dict[str, dict[str, Any]],
        channel: Channel,
        member: Member | None,
    ) -> list[str]:
        kind = component.get("type")
        custom_id = component.get("custom_id")
        if kind in (3, 22):
            options = [str(o["value"]) for o in component.get("options", [])]
            for value in values:
                if str(value) not in options:
                    raise ValueError(f"{value!r} is not an option of {custom_id!r}: {options}")
            return [str(v) for v in values]
        entity_kind = {5: 6, 6: 8, 7: 9, 8: 7}[int(kind or 0)]
        return [
            self._resolve_entity(entity_kind, str(custom_id), v, resolved, channel, member)
            for v in values
        ]

    def _component_for(self, actor: Actor, message: Message, custom_id: str) -> dict[str, Any]:
        current = self.world.messages.get(message.id)
        if current is None:
            raise LookupError(f"message {message.id} was deleted")
        user = actor.user if isinstance(actor, Member) else actor
        if current.visible_to is not None and current.visible_to != user.id:
            raise PermissionError(f"message {message.id} is ephemeral for another user")
        component = current.component(custom_id)
        if component.get("disabled"):
            raise PermissionError(f"{custom_id!r} is disabled")
        return component

    def _component_interaction(
        self, actor: Actor, message: Message, data: dict[str, Any]
    ) -> InteractionHandle:
        current = self.world.messages[message.id]
        channel = self.world.channels[current.channel_id]
        metadata = {"interacted_message_id": str(current.id)}
        if current.interaction_metadata is not None and current.webhook_id is not None:
            metadata["original_response_message_id"] = str(current.id)
        return self._dispatch(
            MESSAGE_COMPONENT, actor, channel, data, message=current, metadata=metadata
        )

    def submit_modal(
        self,
        actor: Actor,
        channel: Channel | None,
        custom_id: str,
        values: Mapping[str, Any],
        message: Message | None,
    ) -> InteractionHandle:
        """Dispatch the submission of a modal the bot showed to this member."""
        user = actor.user if isinstance(actor, Member) else actor
        origin = next(
            (
                r
                for r in reversed(self.records.values())
                if r.modal is not None
                and r.modal.get("custom_id") == custom_id
                and r.user.id == user.id
            ),
            None,
        )
        if origin is None or origin.modal is None:
            raise LookupError(f"the bot showed {user.username} no modal {custom_id!r}")
        modal = origin.modal
        if channel is None:
            channel = origin.channel
        if message is None and origin.message_id is not None:
            message = self.world.messages.get(origin.message_id)
        member = actor if isinstance(actor, Member) else None
        resolved: dict[str, dict[str, Any]] = {}
        remaining = dict(values)
        components = [
            self._submitted(c, remaining, resolved, channel, member) for c in modal["components"]
        ]
        if remaining:
            raise LookupError(f"modal {custom_id!r} has no field(s) {sorted(remaining)}")
        data: dict[str, Any] = {"custom_id": custom_id, "components": components}
        if resolved:
            data["resolved"] = resolved
        metadata = {"triggering_interaction_metadata": origin.metadata}
        # The modal closes once submitted; a second submit needs the bot to show it again.
        origin.modal = None
        return self._dispatch(
            MODAL_SUBMIT,
            actor,
            channel,
            data,
            message=message,
            metadata=metadata,
            origin=origin,
        )

    def _submitted(
        self,
        component: dict[str, Any],
        values: dict[str, Any],
        resolved: dict[str, dict[str, Any]],
        channel: Channel,
        member: Member | None,
    ) -> dict[str, Any]:
        kind = component.get("type")
        if kind == 1:
            return {
                "type": 1,
                "id": component.get("id"),
                "components": [
                    self._submitted(c, values, resolved, channel, member)
                    for c in component.get("components", [])
                ],
            }
        if kind == 18:
            return {
                "type": 18,
                "id": component.get("id"),
                "component": self._submitted(
                    component["component"], values, resolved, channel, member
                ),
            }
        result: dict[str, Any] = {"type": kind, "id": component.get("id")}
        custom_id = component.get("custom_id")
        if custom_id is None:
            return result
        result["custom_id"] = custom_id
        given = values.pop(custom_id, None)
        required = component.get("required", True)
        if kind == 4:
            text = "" if given is None else str(given)
            if required and not text:
                raise ValueError(f"modal field {custom_id!r} is required")
            low, high = component.get("min_length", 0), component.get("max_length", 4000)
            if text and not low <= len(text) <= high:
                raise ValueError(f"modal field {custom_id!r} must be {low}-{high} characters")
            result["value"] = text
        elif kind == 21:
            result["value"] = given
        elif kind == 23:
            result["value"] = bool(given)
        elif kind == 19:
            files = list(given or [])
            ids = []
            for spec in files:
                attachment = self._attachment(spec, str(custom_id), channel)
                resolved.setdefault("attachments", {})[attachment["id"]] = attachment
                ids.append(attachment["id"])
            result["values"] = ids
        else:
            chosen = [] if given is None else [given] if isinstance(given, str) else list(given)
            if required and not chosen and kind in (3, 5, 6, 7, 8, 22):
                raise ValueError(f"modal field {custom_id!r} is required")
            result["values"] = self._select_values(component, chosen, resolved, channel, member)
        return result

    # ---------------------------------------------------------- callbacks

    def callback(
        self,
        interaction_id: int,
        token: str,
        body: Any,
        uploads: list[Upload],
        *,
        with_response: bool,
    ) -> dict[str, Any] | None:
        """Apply the bot's response to an interaction; returns the callback response body."""
        record = self.records.get(interaction_id)
        if record is None or not secrets.compare_digest(record.token, token):
            raise unknown("Interaction")
        try:
            if record.response is not None:
                raise ApiError(400, 40060, "Interaction has already been acknowledged.")
            if self.clock() - record.dispatched_at > self.deadline:
                raise unknown("Interaction")
            result = self._respond(record, body, uploads)
        except ApiError as error:
            record.error = error.body()
            self.notifier.notify()
            raise
        record.response = body
        record.response_type = int(body["type"])
        self.notifier.notify()
        return result if with_response else None

    def _respond(
        self, record: InteractionRecord, body: Any, uploads: list[Upload]
    ) -> dict[str, Any]:
        errors = FormErrors()
        kind = body.get("type") if isinstance(body, dict) else None
        allowed = _ALLOWED_CALLBACKS[record.type]
        if kind not in allowed:
            errors.add(
                ("type",),
                "INTERACTION_RESPONSE_TYPE_INVALID",
                f"Interaction type {record.type} cannot be answered with response type {kind}.",
            )
        if kind in (6, 7) and record.message_id is None:
            errors.add(
                ("type",),
                "INTERACTION_RESPONSE_TYPE_INVALID",
                "This interaction has no message to update.",
            )
        errors.raise_if_any()
        assert isinstance(body, dict)
        assert isinstance(kind, int)
        data = body.get("data")
        world = self.world
        info: dict[str, Any] = {"id": str(record.id), "type": record.type}
        result: dict[str, Any] = {"interaction": info}
        if kind == 4:
            draft = parse_message(data or {}, uploads, editing=False)
            message = self._create(record, draft, uploads)
            record.original_id = message.id
            info.update(
                response_message_id=str(message.id),
                response_message_loading=False,
                response_message_ephemeral=message.ephemeral,
            )
            result["resource"] = {"type": 4, "message": message.payload()}
        elif kind == 5:
            flags = data.get("flags") if isinstance(data, dict) else None
            draft = MessageDraft(flags=int(flags or 0) & FLAG_EPHEMERAL)
            message = self._create(record, draft, [], extra_flags=FLAG_LOADING)
            record.original_id = message.id
            info.update(
                response_message_id=str(message.id),
                response_message_loading=True,
                response_message_ephemeral=message.ephemeral,
            )
        elif kind in (6, 7):
            target = world.messages.get(record.message_id or 0)
            if target is None:
                raise unknown("Message")
            record.original_id = target.id
            record.baseline = target.revision
            if kind == 7:
                draft = parse_message(data or {}, uploads, editing=True)
                world.edit_message(target, draft, uploads)
                info.update(
                    response_message_id=str(target.id),
                    response_message_loading=False,
                    response_message_ephemeral=target.ephemeral,
                )
                result["resource"] = {"type": 7, "message": target.payload()}
        elif kind == 8:
            record.choices = check_choices(data)
        elif kind == 9:
            record.modal = check_modal(data)
        return result

    def _create(
        self,
        record: InteractionRecord,
        draft: MessageDraft,
        uploads: list[Upload],
        *,
        extra_flags: int = 0,
        followup: bool = False,
    ) -> Message:
        ephemeral = bool((draft.flags or 0) & FLAG_EPHEMERAL)
        metadata = dict(record.metadata)
        if followup and record.original_id is not None:
            metadata["original_response_message_id"] = str(record.original_id)
        legacy = None
        if record.legacy is not None:
            legacy = {**record.legacy, "id": str(record.id)}
        return self.world.create_message(
            record.channel,
            self.world.bot,
            draft,
            uploads,
            visible_to=record.user.id if ephemeral else None,
            message_type=20 if record.type == APPLICATION_COMMAND else 0,
            webhook=True,
            interaction_metadata=metadata,
            interaction=legacy,
            extra_flags=extra_flags,
        )

    # ----------------------------------------------------------- webhooks

    def for_token(self, application_id: int, token: str) -> InteractionRecord:
        """The interaction a webhook token belongs to, checked like Discord does."""
        record = self.by_token.get(token)
        if record is None or application_id != self.world.application_id:
            raise unknown("Webhook")
        if self.clock() - record.dispatched_at > TOKEN_LIFETIME:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        if record.response_type is None or record.response_type in (8, 9):
            raise unknown("Webhook")
        return record

    def webhook_message(self, record: InteractionRecord, message_id: str) -> Message:
        """``@original`` or one of this interaction's followups."""
        if message_id == "@original":
            wanted = record.original_id
        elif message_id.isdigit() and (
            int(message_id) in record.followup_ids or int(message_id) == record.original_id
        ):
            wanted = int(message_id)
        else:
            raise unknown("Message")
        message = self.world.messages.get(wanted or 0)
        if message is None:
            raise unknown("Message")
        return message

    def edit(
        self, record: InteractionRecord, message: Message, body: Any, uploads: list[Upload]
    ) -> Message:
        """Edit a response message (the deferred one stops "thinking")."""
        draft = parse_message(body, uploads, editing=True)
        if draft.flags is not None:
            draft.flags &= ~FLAG_EPHEMERAL
        if message.flags & FLAG_LOADING:
            # Finishing a deferred response: like a new message, it cannot be empty.
            parse_message(body, uploads, editing=False)
        self.world.edit_message(message, draft, uploads, clear_flags=FLAG_LOADING)
        return message

    def followup(self, record: InteractionRecord, body: Any, uploads: list[Upload]) -> Message:
        """Send a followup; the first one after a deferred response replaces it."""
        original = self.world.messages.get(record.original_id or 0)
        if record.response_type == 5 and original is not None and original.flags & FLAG_LOADING:
            parse_message(body, uploads, editing=False)
            draft = parse_message(body, uploads, editing=True)
            draft.flags = None
            record.followup_ids.append(original.id)
            self.world.edit_message(original, draft, uploads, clear_flags=FLAG_LOADING)
            self.notifier.notify()
            return original
        draft = parse_message(body, uploads, editing=False)
        message = self._create(record, draft, uploads, followup=True)
        record.followup_ids.append(message.id)
        self.notifier.notify()
        return message

    def guild_of(self, record: InteractionRecord) -> Guild | None:
        """The guild of the interaction, if any."""
        return self.world.guilds.get(record.guild_id or 0)
