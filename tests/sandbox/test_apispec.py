"""SpecValidator against Discord's official OpenAPI description."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bot.sandbox.apispec import SpecValidator, SpecViolation
from bot.sandbox.records import Exchange
from tests.conftest import SPEC_PATH

GUILD_ID = "1100000000000000001"
CHANNEL_ID = "1100000000000000002"
MESSAGE_ID = "1100000000000000003"
APPLICATION_ID = "1100000000000000004"
INTERACTION_ID = "1100000000000000005"
USER_ID = "1100000000000000006"
BOT_ID = "1100000000000000007"
COMMAND_ID = "1100000000000000008"
TOKEN = "aW50ZXJhY3Rpb246MTEwMDAwMDAwMDAwMDAwMDAwNQ"


@pytest.fixture
def validator(spec: SpecValidator | None) -> SpecValidator:
    """The spec, loaded once per test session."""
    if spec is None:
        pytest.skip(f"Discord's OpenAPI description is not at {SPEC_PATH}")
    return spec


# -- realistic payloads, shaped after the spec's schemas --------------------------------


def user(user_id: str = BOT_ID, **extra: Any) -> dict[str, Any]:
    """A UserResponse."""
    return {
        "id": user_id,
        "username": "agora",
        "avatar": None,
        "discriminator": "0",
        "public_flags": 0,
        "flags": 0,
        "global_name": "Agora",
        "primary_guild": None,
        "bot": True,
        **extra,
    }


def message(content: str = "The motion is carried.", **extra: Any) -> dict[str, Any]:
    """A MessageResponse as Discord returns it for a bot's message with an embed."""
    return {
        "type": 0,
        "content": content,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [
            {
                "type": "rich",
                "title": "Motion",
                "description": "This house would ban homework.",
                "color": 0x5865F2,
                "fields": [{"name": "Proposition", "value": "<@1>", "inline": True}],
            }
        ],
        "timestamp": "2025-03-01T18:30:00.123000+00:00",
        "edited_timestamp": None,
        "flags": 0,
        "components": [
            {
                "type": 1,
                "id": 1,
                "components": [
                    {"type": 2, "id": 2, "style": 1, "label": "Join", "custom_id": "debate:join"}
                ],
            }
        ],
        "id": MESSAGE_ID,
        "channel_id": CHANNEL_ID,
        "author": user(),
        "pinned": False,
        "mention_everyone": False,
        "tts": False,
        **extra,
    }


def create_message_body(**extra: Any) -> dict[str, Any]:
    """A create-message body as discord.py builds it (integer snowflakes included)."""
    return {
        "content": "The motion is carried.",
        "tts": False,
        "embeds": [
            {
                "type": "rich",
                "title": "Motion",
                "description": "This house would ban homework.",
                "color": 0x5865F2,
                "timestamp": "2025-03-01T18:30:00+00:00",
                "fields": [{"name": "Proposition", "value": "<@1>", "inline": True}],
                "footer": {"text": "Round 1"},
            }
        ],
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 2, "style": 1, "label": "Join", "custom_id": "debate:join"}
                ],
            }
        ],
        "allowed_mentions": {"parse": [], "users": [int(USER_ID)], "replied_user": False},
        "message_reference": {"message_id": int(MESSAGE_ID), "fail_if_not_exists": False},
        **extra,
    }


def create_message(
    body: Any = None, response: Any = None, *, status: int = 200, **kwargs: Any
) -> Exchange:
    """A POST /channels/{channel_id}/messages exchange."""
    return Exchange(
        method="POST",
        path=f"/channels/{CHANNEL_ID}/messages",
        request_json=create_message_body() if body is None else body,
        request_content_type="application/json",
        status=status,
        response_json=message() if response is None else response,
        **kwargs,
    )


def interaction_callback(body: Any, response: Any, *, query: dict[str, str]) -> Exchange:
    """A POST /interactions/{id}/{token}/callback exchange."""
    return Exchange(
        method="POST",
        path=f"/interactions/{INTERACTION_ID}/{TOKEN}/callback",
        query=query,
        request_json=body,
        request_content_type="application/json",
        status=200 if response is not None else 204,
        response_json=response,
    )


def callback_response(callback_type: int, **extra: Any) -> dict[str, Any]:
    """An InteractionCallbackResponse for ?with_response=1."""
    return {
        "interaction": {
            "id": INTERACTION_ID,
            "type": 3 if callback_type == 7 else 2,
            "response_message_id": MESSAGE_ID,
            "response_message_loading": False,
            "response_message_ephemeral": False,
        },
        "resource": {"type": callback_type, "message": message(**extra)},
    }


def commands_body() -> list[dict[str, Any]]:
    """A bulk-overwrite body as discord.py builds it: a group, a command, a context menu."""
    return [
        {
            "name": "debate",
            "description": "Run a debate",
            "type": 1,
            "options": [
                {
                    "type": 1,
                    "name": "start",
                    "description": "Start a debate",
                    "options": [
                        {"type": 3, "name": "motion", "description": "Motion", "required": True},
                        {
                            "type": 3,
                            "name": "format",
                            "description": "Format",
                            "required": False,
                            "choices": [{"name": "British Parliamentary", "value": "bp"}],
                        },
                        {
                            "type": 4,
                            "name": "rounds",
                            "description": "Rounds",
                            "required": False,
                            "min_value": 1,
                            "max_value": 5,
                        },
                        {
                            "type": 7,
                            "name": "room",
                            "description": "Room",
                            "required": False,
                            "channel_types": [0, 2],
                        },
                    ],
                }
            ],
            "nsfw": False,
            "dm_permission": False,
            "default_member_permissions": 32,
            "contexts": [0],
            "integration_types": [0],
        },
        {
            "name": "Report argument",
            "type": 3,
            "dm_permission": False,
            "default_member_permissions": None,
            "nsfw": False,
            "contexts": None,
            "integration_types": None,
        },
    ]


def command_response(index: int, command: dict[str, Any]) -> dict[str, Any]:
    """The ApplicationCommandResponse Discord returns for one command of the body."""
    out = {
        "id": str(int(COMMAND_ID) + index),
        "application_id": APPLICATION_ID,
        "version": COMMAND_ID,
        "default_member_permissions": None,
        "type": command["type"],
        "name": command["name"],
        "description": command.get("description", ""),
        "guild_id": GUILD_ID,
        "dm_permission": False,
        "contexts": [0],
        "integration_types": [0],
        "nsfw": False,
    }
    if "options" in command:
        out["options"] = command["options"]
    return out


def bulk_overwrite(body: list[dict[str, Any]]) -> Exchange:
    """A PUT /applications/{id}/guilds/{id}/commands exchange."""
    return Exchange(
        method="PUT",
        path=f"/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands",
        request_json=body,
        request_content_type="application/json",
        status=200,
        response_json=[command_response(i, c) for i, c in enumerate(commands_body())],
    )


def only(problems: list[str]) -> str:
    """The single problem reported."""
    assert len(problems) == 1, problems
    return problems[0]


# -- loading and routing -----------------------------------------------------------------


def test_loads_quickly_and_routes_every_operation_to_itself(validator: SpecValidator) -> None:
    operations = list(validator.iter_operations())
    assert len(operations) > 200
    assert validator.load_seconds < 5
    for method, template, op_id in operations:
        assert validator.operation_id(method, template) == op_id


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/users/@me", "get_my_user"),
        ("GET", f"/users/{USER_ID}", "get_user"),
        (
            "PATCH",
            f"/webhooks/{APPLICATION_ID}/{TOKEN}/messages/@original",
            "update_original_webhook_message",
        ),
        (
            "PATCH",
            f"/webhooks/{APPLICATION_ID}/{TOKEN}/messages/{MESSAGE_ID}",
            "update_webhook_message",
        ),
        ("POST", f"/channels/{CHANNEL_ID}/messages/bulk-delete", "bulk_delete_messages"),
        ("GET", f"/channels/{CHANNEL_ID}/messages/{MESSAGE_ID}", "get_message"),
        ("POST", f"/channels/{CHANNEL_ID}/messages", "create_message"),
        ("GET", f"/channels/{CHANNEL_ID}/debates", None),
        ("DELETE", "/users/@me", None),
    ],
)
def test_operation_id_prefers_literal_segments(
    validator: SpecValidator, method: str, path: str, expected: str | None
) -> None:
    assert validator.operation_id(method, path) == expected


def test_users_me_is_checked_against_the_literal_route(validator: SpecValidator) -> None:
    me = user(mfa_enabled=True, locale="en-US", verified=True)
    assert validator.check(Exchange("GET", "/users/@me", response_json=me)) == []
    # /users/@me returns the private user object; a public one lacks mfa_enabled and locale.
    problems = validator.check(Exchange("GET", "/users/@me", response_json=user()))
    assert problems == [
        "get_my_user response 200: $: 'mfa_enabled' is a required property (required)",
        "get_my_user response 200: $: 'locale' is a required property (required)",
    ]
    assert validator.check(Exchange("GET", f"/users/{USER_ID}", response_json=user())) == []


def test_unknown_route_is_not_in_discords_api(validator: SpecValidator) -> None:
    problem = only(validator.check(Exchange("GET", f"/channels/{CHANNEL_ID}/debates")))
    assert problem == f"GET /channels/{CHANNEL_ID}/debates: not in Discord's API (no such route)"


def test_unknown_method_is_not_in_discords_api(validator: SpecValidator) -> None:
    problem = only(validator.check(Exchange("DELETE", "/users/@me")))
    assert "DELETE /users/@me: not in Discord's API" in problem
    assert "GET, PATCH" in problem


def test_path_parameters_must_be_snowflakes(validator: SpecValidator) -> None:
    exchange = create_message()
    exchange.path = "/channels/general/messages"
    problem = only(validator.check(exchange))
    assert problem.startswith("create_message path {channel_id}: $: 'general' does not match")


# -- create message ----------------------------------------------------------------------


def test_valid_create_message_passes(validator: SpecValidator) -> None:
    assert validator.check(create_message()) == []
    validator.assert_valid(create_message())


def test_content_as_a_number_fails(validator: SpecValidator) -> None:
    problem = only(validator.check(create_message(create_message_body(content=42))))
    assert problem == (
        "create_message request: $.content: 42 is not of type 'string', 'null' "
        '(type ["string", "null"])'
    )


def test_over_long_embed_title_fails_with_its_path(validator: SpecValidator) -> None:
    body = create_message_body()
    body["embeds"][0]["title"] = "x" * 300
    problem = only(validator.check(create_message(body)))
    assert problem.startswith("create_message request: $.embeds[0].title: 'xxxx")
    assert problem.endswith("(300 chars) is too long (maxLength 256)")


def test_content_over_the_bot_limit_fails_though_the_spec_allows_4000(
    validator: SpecValidator,
) -> None:
    assert validator.check(create_message(create_message_body(content="x" * 2000))) == []
    problem = only(validator.check(create_message(create_message_body(content="x" * 2001))))
    assert problem.startswith("create_message request: $.content: ")
    assert "limit 2000" in problem


def test_integer_snowflakes_are_accepted_in_requests_only(validator: SpecValidator) -> None:
    body = create_message_body()
    body["allowed_mentions"]["users"] = [-1]
    problem = only(validator.check(create_message(body)))
    assert problem.startswith("create_message request: $.allowed_mentions: ")
    assert "$.allowed_mentions.users[0]: -1 is less than the minimum of 0" in problem

    problem = only(validator.check(create_message(response=message(id=int(MESSAGE_ID)))))
    assert problem.startswith(f"create_message response 200: $.id: {MESSAGE_ID} is not of type")


def test_multipart_payload_json_is_checked_without_the_file_parts(
    validator: SpecValidator,
) -> None:
    body: dict[str, Any] = {
        "content": "Transcript attached",
        "attachments": [{"id": 0, "filename": "transcript.txt", "description": "Round 1"}],
    }
    exchange = create_message(body)
    exchange.request_content_type = "multipart/form-data; boundary=b"
    assert validator.check(exchange) == []
    body["attachments"][0]["filename"] = ""
    problem = only(validator.check(exchange))
    assert "$.attachments[0].filename: '' should be non-empty" in problem


def test_binary_parts_are_not_required_of_the_recorded_payload(
    validator: SpecValidator,
) -> None:
    # create_guild_sticker's multipart schema requires name, tags and the binary file.
    rate_limited = {"code": 0, "message": "You are being rate limited.", "retry_after": 1.5}
    exchange = Exchange(
        "POST",
        f"/guilds/{GUILD_ID}/stickers",
        request_json={"name": "gavel", "tags": "hammer"},
        request_content_type="multipart/form-data; boundary=b",
        status=429,
        response_json={**rate_limited, "global": False},
    )
    assert validator.check(exchange) == []
    exchange.request_json = {"name": "gavel"}
    exchange.response_json = rate_limited
    assert validator.check(exchange) == [
        "create_guild_sticker request: $: 'tags' is a required property (required)",
        "create_guild_sticker response 429: $: 'global' is a required property (required)",
    ]


def test_a_content_type_the_operation_does_not_accept_fails(validator: SpecValidator) -> None:
    exchange = create_message()
    exchange.request_content_type = "text/plain"
    assert "content type 'text/plain' not accepted" in only(validator.check(exchange))


def test_response_missing_a_required_field_fails(validator: SpecValidator) -> None:
    response = message()
    del response["id"]
    problem = only(validator.check(create_message(response=response)))
    assert problem == "create_message response 200: $: 'id' is a required property (required)"


def test_response_timestamps_must_be_rfc3339(validator: SpecValidator) -> None:
    response = message(timestamp="2025-03-01 18:30:00")
    problem = only(validator.check(create_message(response=response)))
    assert problem.startswith("create_message response 200: $.timestamp: ")
    assert "date-time" in problem


def test_error_responses_use_the_4xx_schema(validator: SpecValidator) -> None:
    error = {
        "code": 50035,
        "message": "Invalid Form Body",
        "errors": {
            "content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Too long"}]}
        },
    }
    assert validator.check(create_message(status=400, response=error)) == []
    # Field-level codes are strings; the top-level code stays an integer.
    problem = only(validator.check(create_message(status=400, response={**error, "code": "50035"})))
    assert problem.startswith("create_message response 400: $.code: '50035' is not of type")
    problem = only(validator.check(create_message(status=404, response={"message": "x"})))
    assert problem == "create_message response 404: $: 'code' is a required property (required)"
    problem = only(validator.check(create_message(status=500, response={})))
    assert problem.startswith("create_message response 500: status not documented")


# -- empty responses ---------------------------------------------------------------------


def delete_message(status: int, response: Any) -> Exchange:
    """A DELETE /channels/{channel_id}/messages/{message_id} exchange."""
    path = f"/channels/{CHANNEL_ID}/messages/{MESSAGE_ID}"
    return Exchange("DELETE", path, status=status, response_json=response)


def test_204_without_a_body_passes(validator: SpecValidator) -> None:
    assert validator.check(delete_message(204, None)) == []


def test_204_with_a_body_fails(validator: SpecValidator) -> None:
    problem = only(validator.check(delete_message(204, {})))
    assert problem == "delete_message response 204: must have no body, got {}"


def test_a_missing_body_fails_where_one_is_documented(validator: SpecValidator) -> None:
    exchange = create_message()
    exchange.response_json = None
    problem = only(validator.check(exchange))
    assert problem == "create_message response 200: expected a JSON body, got none"


# -- interaction callbacks ---------------------------------------------------------------


def test_type_4_callback_with_response_passes(validator: SpecValidator) -> None:
    body = {
        "type": 4,
        "data": {
            "content": "You joined the proposition.",
            "tts": False,
            "embeds": [],
            "allowed_mentions": {"parse": []},
            "flags": 64,
            "components": [],
            "attachments": [],
        },
    }
    exchange = interaction_callback(body, callback_response(4), query={"with_response": "1"})
    assert validator.check(exchange) == []
    exchange.query = {"with_response": "true"}
    assert validator.check(exchange) == []


def test_type_7_callback_with_response_passes(validator: SpecValidator) -> None:
    body = {"type": 7, "data": {"content": "Round 2", "embeds": [], "components": []}}
    exchange = interaction_callback(body, callback_response(7), query={"with_response": "1"})
    assert validator.check(exchange) == []


def test_deferred_callback_without_response_passes(validator: SpecValidator) -> None:
    exchange = interaction_callback({"type": 5, "data": {"flags": 64}}, None, query={})
    assert validator.check(exchange) == []


def test_callback_query_parameters_are_checked(validator: SpecValidator) -> None:
    body = {"type": 5}
    problem = only(
        validator.check(interaction_callback(body, None, query={"with_response": "yes"}))
    )
    assert problem == (
        "create_interaction_response query with_response: $: 'yes' is not of type 'boolean' "
        '(type "boolean")'
    )
    problem = only(validator.check(interaction_callback(body, None, query={"wait": "1"})))
    assert problem.startswith("create_interaction_response query: unknown parameter 'wait'")


def test_callback_with_an_unknown_type_names_the_discriminator(validator: SpecValidator) -> None:
    problem = only(validator.check(interaction_callback({"type": 3}, None, query={})))
    assert problem.startswith("create_interaction_response request: $: ")
    assert problem.endswith(
        "closest: $.type: 3 is not one of [1, 4, 5, 6, 7, 8, 9, 12, 13] (discriminator)"
    )


def test_callback_body_error_is_explained_by_the_matching_variant(
    validator: SpecValidator,
) -> None:
    body = {"type": 7, "data": {"content": "x" * 2001}}
    problem = only(validator.check(interaction_callback(body, None, query={})))
    assert "closest: $.data.content: 'xxxx" in problem
    assert problem.endswith("(2001 chars) is too long (maxLength 2000)")


# -- application commands ----------------------------------------------------------------


def test_bulk_overwrite_with_proper_commands_passes(validator: SpecValidator) -> None:
    assert validator.check(bulk_overwrite(commands_body())) == []


def test_bulk_overwrite_with_an_invalid_option_type_fails(validator: SpecValidator) -> None:
    body = commands_body()
    body[0]["options"][0]["options"][1]["type"] = 99
    problem = only(validator.check(bulk_overwrite(body)))
    # The subcommand holding the option is the value that matches no option variant.
    assert problem.startswith("bulk_set_guild_application_commands request: $[0].options[0]: ")
    assert problem.endswith(
        "closest: $[0].options[0].options[1].type: 99 is not one of "
        "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] (discriminator)"
    )


def test_bulk_overwrite_checks_chat_input_names(validator: SpecValidator) -> None:
    body = commands_body()
    body[0]["options"][0]["options"][0]["name"] = "Motion"
    problem = only(validator.check(bulk_overwrite(body)))
    assert problem == (
        "bulk_set_guild_application_commands request: $[0].options[0].options[0].name: "
        "'Motion' must be lowercase (chat-input command name rule)"
    )


def test_command_response_with_a_numeric_permission_fails(validator: SpecValidator) -> None:
    exchange = bulk_overwrite(commands_body())
    exchange.response_json[0]["default_member_permissions"] = 32
    problem = only(validator.check(exchange))
    assert problem.startswith(
        "bulk_set_guild_application_commands response 200: $[0].default_member_permissions: 32"
    )


# -- the assertion helper ----------------------------------------------------------------


def test_assert_valid_raises_with_every_problem(validator: SpecValidator) -> None:
    body = create_message_body(content=42)
    response = copy.deepcopy(message())
    del response["author"]
    with pytest.raises(SpecViolation) as caught:
        validator.assert_valid(create_message(body, response))
    assert len(caught.value.problems) == 2
    assert "$.content" in str(caught.value)
    assert "'author' is a required property" in str(caught.value)
