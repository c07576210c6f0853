"""Check recorded REST exchanges against Discord's official OpenAPI description.

The description (``discord/discord-api-spec``, OpenAPI 3.1) is loaded once; each operation's
schemas are compiled lazily into Draft 2020-12 validators and cached. Internal ``$ref``s
resolve through a ``referencing.Registry`` that holds the whole document as one resource
(plus the request-body variant described below).

How quirks of the spec are handled (accommodations kept minimal):

* Snowflakes: the spec types ``SnowflakeType`` as a decimal string. Discord also accepts a
  JSON integer in request bodies, and discord.py sends integers (``allowed_mentions.users``,
  ``message_reference.message_id``...). Requests therefore validate against a second copy of
  the document whose ``SnowflakeType`` also admits non-negative 64-bit integers; responses
  keep the strict string-only form, since real Discord always returns strings.
* Query strings: every value arrives as a string. A value is coerced to an integer, number
  or boolean only when the parameter's schema admits that type (Discord accepts ``1``/``0``
  as well as ``true``/``false`` for booleans; discord.py sends ``with_response=1``).
  Array parameters are read as comma-separated lists.
* Multipart requests: only the decoded ``payload_json`` part is recorded, so binary parts
  (``files[n]``, ``file``...) are dropped from the multipart schema's properties and
  ``required`` lists, and a multipart request without ``payload_json`` is not body-checked.
* ``format``: Draft 2020-12 treats it as an annotation; here ``date-time``, ``uri``,
  ``int32`` and ``int64`` are asserted (without optional third-party format packages).
  The spec's own ``snowflake``, ``nonce`` and ``double`` formats add nothing over the
  accompanying ``type``/``pattern``/``maxLength`` and are left as annotations.
* Error bodies: the spec types every ``code`` in an error body as an integer, but the
  field-level errors under ``errors`` carry string codes (``"BASE_TYPE_MAX_LENGTH"``), so
  ``InnerErrors._errors`` items admit a string code as well.
* Unions the spec marks ``x-discord-union: oneOf`` are written as ``anyOf`` and are
  validated as written: the variants overlap (a partial channel update ``{"name": "x"}``
  fits all four), so reading them as ``oneOf`` would reject valid bodies.

Nullable fields need no accommodation (the spec writes them as ``type: [..., "null"]`` or
``oneOf: [{type: null}, ...]``), and objects are open (no ``additionalProperties: false``),
so unknown keys in a body are not reported. Not accommodated: ``get_guild_join_requests``
declares its ``status`` query parameter with ``enum: []``, so any value is reported.

Beyond the spec, two limits its README says it leaves out are checked on request bodies:
bot message content over 2,000 characters (the spec allows 4,000) and the chat-input
command/option name rule (1-32 lowercase word characters, ``-`` or ``'``).
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote

# jsonschema ships no type information; its objects are used as Any here.
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bot.sandbox.records import Exchange

__all__ = ["SpecValidator", "SpecViolation"]

# The document (with the field-error fix below), for path and query values and responses.
_SPEC_URI: Final = "urn:discord-api-spec"
# The same document with integer snowflakes admitted, for request bodies.
_REQUEST_BODY_URI: Final = "urn:discord-api-spec:request-body"
_METHODS: Final = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_MAX_ERRORS_PER_PART: Final = 10
_MAX_MESSAGE: Final = 400

# A JSON integer snowflake, as Discord accepts in request bodies (unsigned 64-bit).
_INTEGER_SNOWFLAKE: Final[dict[str, Any]] = {
    "type": "integer",
    "minimum": 0,
    "maximum": 2**64 - 1,
}

# A field-level error as Discord returns it, e.g. {"code": "BASE_TYPE_MAX_LENGTH", ...}; the
# spec reuses its top-level Error here, whose code is an integer (50035 and the like).
_FIELD_ERROR: Final[dict[str, Any]] = {
    "type": "object",
    "properties": {"code": {"type": ["string", "integer"]}, "message": {"type": "string"}},
    "required": ["code", "message"],
}

_RFC3339: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})",
)
_URI: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]*")
_INTEGER_TEXT: Final = re.compile(r"[+-]?\d+")
_TRUE_TEXT: Final = frozenset({"true", "1"})
_FALSE_TEXT: Final = frozenset({"false", "0"})


class SpecViolation(AssertionError):
    """An exchange that does not match Discord's OpenAPI description."""

    def __init__(self, problems: list[str]) -> None:
        """Keep the problems and join them into the assertion message."""
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True, slots=True)
class _Route:
    template: str
    segments: tuple[str, ...]
    params: tuple[str | None, ...]  # the parameter name for a `{param}` segment, else None
    item: Mapping[str, Any]

    @property
    def specificity(self) -> tuple[int, ...]:
        """Literal segments sort before parameters, leftmost first."""
        return tuple(0 if name is None else 1 for name in self.params)


def _format_checker() -> Any:
    checker = FormatChecker(formats=())

    @checker.checks("date-time")  # type: ignore[untyped-decorator]
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not _RFC3339.fullmatch(value):
            return False
        try:
            datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
        except ValueError:
            return False
        return True

    @checker.checks("uri")  # type: ignore[untyped-decorator]
    def _uri(value: object) -> bool:
        return not isinstance(value, str) or bool(_URI.fullmatch(value))

    @checker.checks("int32")  # type: ignore[untyped-decorator]
    def _int32(value: object) -> bool:
        return not isinstance(value, int) or -(2**31) <= value < 2**31

    @checker.checks("int64")  # type: ignore[untyped-decorator]
    def _int64(value: object) -> bool:
        return not isinstance(value, int) or -(2**63) <= value < 2**63

    return checker


def _absolutize(schema: Any, base: str) -> Any:
    """Copy an inline schema, making its document-relative ``$ref``s point into ``base``."""
    if isinstance(schema, dict):
        out = {k: _absolutize(v, base) for k, v in schema.items()}
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            out["$ref"] = base + ref
        return out
    if isinstance(schema, list):
        return [_absolutize(v, base) for v in schema]
    return schema


def _is_binary(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("contentEncoding") == "binary"


def _strip_binary(schema: Any) -> Any:
    """Drop binary form parts from an inline multipart schema (top level and its unions)."""
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    props = schema.get("properties")
    if isinstance(props, dict):
        binary = {name for name, sub in props.items() if _is_binary(sub)}
        out["properties"] = {n: s for n, s in props.items() if n not in binary}
        if isinstance(schema.get("required"), list):
            out["required"] = [n for n in schema["required"] if n not in binary]
    for key in ("allOf", "anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            out[key] = [_strip_binary(s) for s in schema[key]]
    return out


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    if len(text) <= limit:
        return text
    if isinstance(value, str):
        return f"{value[:20]!r}… ({len(value)} chars)"
    return text[: limit - 1] + "…"


def _rule(error: Any) -> str:
    keyword = str(error.validator)
    if keyword in {"oneOf", "anyOf", "allOf", "required", "$ref"}:
        return keyword
    value = json.dumps(error.validator_value, default=str)
    return f"{keyword} {value}" if len(value) <= 60 else keyword


def _allowed(error: Any) -> list[Any] | None:
    """The values an enum-like keyword failure would have accepted, else None."""
    if error.validator == "enum" and isinstance(error.validator_value, list):
        return list(error.validator_value)
    if error.validator == "const":
        return [error.validator_value]
    branches = error.validator_value
    if (
        error.validator in {"oneOf", "anyOf"}
        and isinstance(branches, list)
        and branches
        and all(isinstance(b, dict) and "const" in b for b in branches)
    ):
        # An enum written as a union of titled constants, e.g. MessageType.
        return [b["const"] for b in branches]
    return None


def _not_one_of(error: Any, allowed: list[Any]) -> str:
    with contextlib.suppress(TypeError):  # mixed types stay in spec order
        allowed = sorted(set(allowed))
    return f"{error.json_path}: {_short(error.instance)} is not one of {allowed}"


def _closest(error: Any) -> str:
    """Explain a failed union by the variant that came closest to matching."""
    branches: dict[Any, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    # A discriminator: every variant rejects the same value for being outside its enum.
    common: set[tuple[Any, ...]] | None = None
    for errors in branches.values():
        paths = {tuple(e.absolute_path) for e in errors if _allowed(e) is not None}
        common = paths if common is None else common & paths
    if common:
        path = min(common, key=len)
        at_path = [e for e in error.context if tuple(e.absolute_path) == path]
        values = [v for e in at_path for v in (_allowed(e) or [])]
        return _not_one_of(at_path[0], values) + " (discriminator)"

    # Otherwise prefer the variant whose failures are least about its shape (type, enum,
    # const), then the one that got deepest into the instance, then the fewest failures.
    def score(errors: list[Any]) -> tuple[int, int, int]:
        shape = sum(1 for e in errors if e.validator == "type" or _allowed(e) is not None)
        return shape, -max(len(e.absolute_path) for e in errors), len(errors)

    best = min(branches.values(), key=score)
    leaf = min(best, key=lambda e: (_allowed(e) is not None, -len(e.absolute_path)))
    if leaf.validator in {"oneOf", "anyOf"} and leaf.context and _allowed(leaf) is None:
        return _closest(leaf)  # skip nested wrappers such as `oneOf: [null, X]`
    return _describe(leaf)


def _describe(error: Any) -> str:
    """``$.json.path: what is wrong (schema rule)`` for one validation error."""
    allowed = _allowed(error)
    if allowed is not None:
        return _not_one_of(error, allowed) + f" ({_rule(error)})"
    if error.validator in {"oneOf", "anyOf"} and error.context:
        message = f"{_short(error.instance, 40)} matches none of the variants ({error.validator})"
        text = f"{error.json_path}: {message}; closest: {_closest(error)}"
    elif error.validator == "oneOf":
        message = f"{_short(error.instance, 40)} matches more than one variant"
        text = f"{error.json_path}: {message} (oneOf)"
    else:
        message = str(error.message)
        instance_repr = repr(error.instance)
        if len(instance_repr) > 60:
            message = message.replace(instance_repr, _short(error.instance))
        text = f"{error.json_path}: {message} ({_rule(error)})"
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


# Limits real Discord enforces that the spec does not describe (its README says so).
# Message content: the spec allows 4000 characters (the Nitro limit); bots get 2000.
_MESSAGE_CONTENT_AT: Final[Mapping[str, tuple[str, ...]]] = {
    "create_message": ("content",),
    "update_message": ("content",),
    "create_thread": ("message", "content"),  # the first post of a forum thread
}
_MESSAGE_CONTENT_LIMIT: Final = 2000
# Application commands: chat-input command and option names are 1-32 lowercase letters,
# digits, '-', '_' or "'" (any script; combining marks allowed for Devanagari and Thai).
_COMMAND_OPERATIONS: Final = frozenset(
    {
        "create_application_command",
        "create_guild_application_command",
        "update_application_command",
        "update_guild_application_command",
        "bulk_set_application_commands",
        "bulk_set_guild_application_commands",
    }
)
_CHAT_INPUT: Final = 1


def _bad_command_name(name: object) -> str | None:
    if not isinstance(name, str):
        return None  # the schema reports the type
    if not 1 <= len(name) <= 32:
        return "must be 1-32 characters"
    for char in name:
        if not (char.isalnum() or char in "-_'" or unicodedata.category(char) in {"Mn", "Mc"}):
            return f"may not contain {char!r}"
    if name != name.lower():
        return "must be lowercase"
    return None


def _command_names(body: Any, path: str, patch: bool) -> Iterator[str]:
    commands = body if isinstance(body, list) else [body]
    for index, command in enumerate(commands):
        if not isinstance(command, dict):
            continue
        where = f"{path}[{index}]" if isinstance(body, list) else path
        kind = command.get("type")
        if kind != _CHAT_INPUT and (patch or kind is not None):
            continue  # context-menu names may hold spaces and capitals; a PATCH may omit type
        stack = [(where, command)]
        while stack:
            at, node = stack.pop()
            problem = _bad_command_name(node.get("name"))
            if problem is not None:
                yield f"{at}.name: {node.get('name')!r} {problem} (chat-input command name rule)"
            options = node.get("options")
            if isinstance(options, list):
                stack.extend(
                    (f"{at}.options[{i}]", o) for i, o in enumerate(options) if isinstance(o, dict)
                )


def _beyond_spec(prefix: str, op_id: str, body: Any) -> list[str]:
    """Problems with a request body that real Discord rejects but the spec allows."""
    problems: list[str] = []
    keys = _MESSAGE_CONTENT_AT.get(op_id)
    if keys is not None:
        value = body
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str) and len(value) > _MESSAGE_CONTENT_LIMIT:
            path = "$." + ".".join(keys)
            problems.append(
                f"{prefix}: {path}: {_short(value)} is too long for a bot message "
                f"(limit {_MESSAGE_CONTENT_LIMIT}; the spec says 4000)"
            )
    if op_id in _COMMAND_OPERATIONS:
        patch = op_id.startswith("update_")
        problems += [f"{prefix}: {p}" for p in _command_names(body, "$", patch)]
    return problems


def _with_schemas(spec: Mapping[str, Any], schemas: Mapping[str, Any]) -> dict[str, Any]:
    """A shallow copy of the document with ``components.schemas`` replaced."""
    return {**spec, "components": {**spec["components"], "schemas": schemas}}


def _field_error_fix(schemas: Mapping[str, Any]) -> dict[str, Any]:
    """Accommodation: let field-level errors (``errors.x._errors[n]``) carry string codes."""
    inner = schemas.get("InnerErrors")
    if not isinstance(inner, dict) or "_errors" not in inner.get("properties", {}):
        return {}
    errors = {**inner["properties"]["_errors"], "items": _FIELD_ERROR}
    return {"InnerErrors": {**inner, "properties": {**inner["properties"], "_errors": errors}}}


class SpecValidator:
    """Validates recorded REST exchanges against Discord's OpenAPI description."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        """Index the routes of an already-parsed OpenAPI document."""
        self._spec: Mapping[str, Any] = spec
        schemas = spec["components"]["schemas"]
        fixed = {**schemas, **_field_error_fix(schemas)}
        # Accommodation (see module docstring): integer snowflakes in request bodies.
        lenient = {"anyOf": [schemas["SnowflakeType"], _INTEGER_SNOWFLAKE]}
        request_spec = _with_schemas(spec, {**fixed, "SnowflakeType": lenient})
        resources: list[tuple[str, Resource[Any]]] = [
            (_REQUEST_BODY_URI, DRAFT202012.create_resource(request_spec)),
            (_SPEC_URI, DRAFT202012.create_resource(_with_schemas(spec, fixed))),
        ]
        self._registry: Registry[Any] = Registry().with_resources(resources).crawl()
        self._format_checker = _format_checker()
        self._validators: dict[tuple[str, str], Any] = {}
        self._routes: dict[int, list[_Route]] = {}
        for template, item in spec["paths"].items():
            segments = tuple(template.strip("/").split("/"))
            params = tuple(
                s[1:-1] if s.startswith("{") and s.endswith("}") else None for s in segments
            )
            route = _Route(template, segments, params, item)
            self._routes.setdefault(len(segments), []).append(route)
        for routes in self._routes.values():
            routes.sort(key=lambda r: r.specificity)
        self.load_seconds = 0.0

    @classmethod
    def from_file(cls, path: str | Path) -> SpecValidator:
        """Load and index the OpenAPI document at ``path``."""
        started = time.perf_counter()
        with Path(path).open(encoding="utf-8") as handle:
            spec = json.load(handle)
        validator = cls(spec)
        validator.load_seconds = time.perf_counter() - started
        return validator

    # -- routing -------------------------------------------------------------------------

    def _match(self, path: str) -> tuple[_Route, dict[str, str]] | None:
        path = path.split("?", 1)[0]
        if not path.startswith("/"):
            return None
        segments = path[1:].split("/")
        for route in self._routes.get(len(segments), []):  # most specific first
            values: dict[str, str] = {}
            for segment, literal, name in zip(segments, route.segments, route.params, strict=True):
                if not segment:
                    break
                if name is None:
                    if segment != literal:
                        break
                else:
                    values[name] = unquote(segment)
            else:
                return route, values
        return None

    def operation_id(self, method: str, path: str) -> str | None:
        """The operationId for a concrete path (or a template), or None if Discord has none."""
        matched = self._match(path)
        if matched is None:
            return None
        operation = matched[0].item.get(method.lower())
        return None if operation is None else str(operation["operationId"])

    # -- validation ----------------------------------------------------------------------

    def assert_valid(self, exchange: Exchange) -> None:
        """Raise SpecViolation listing every problem with ``exchange``."""
        problems = self.check(exchange)
        if problems:
            raise SpecViolation(problems)

    def check(self, exchange: Exchange) -> list[str]:
        """Human-readable problems with one exchange; empty when it matches the spec."""
        method = exchange.method.upper()
        matched = self._match(exchange.path)
        if matched is None:
            return [f"{method} {exchange.path}: not in Discord's API (no such route)"]
        route, path_values = matched
        operation = route.item.get(method.lower())
        if operation is None:
            allowed = ", ".join(m.upper() for m in _METHODS if m in route.item)
            return [
                f"{method} {route.template}: not in Discord's API "
                f"(method not allowed; the route has {allowed})"
            ]
        op_id = str(operation["operationId"])
        problems: list[str] = []
        parameters = self._parameters(route.item, operation)
        problems += self._check_path(op_id, parameters, path_values)
        problems += self._check_query(op_id, parameters, exchange.query)
        problems += self._check_request(op_id, operation, exchange)
        problems += self._check_response(op_id, operation, exchange)
        return problems

    def _resolve(self, node: Any) -> Any:
        """Follow document-internal ``$ref``s (for parameters and responses)."""
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            target: Any = self._spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
            seen += 1
            if seen > 32:
                raise ValueError("reference cycle in the OpenAPI document")
        return node

    def _parameters(
        self, item: Mapping[str, Any], operation: Mapping[str, Any]
    ) -> dict[tuple[str, str], Mapping[str, Any]]:
        """Path-item and operation parameters by (in, name); the operation's win."""
        out: dict[tuple[str, str], Mapping[str, Any]] = {}
        for owner in (item, operation):
            for raw in owner.get("parameters", []):
                param = self._resolve(raw)
                out[(param["in"], param["name"])] = param
        return out

    def _validator(self, key: tuple[str, str], base: str, schema: Any) -> Any:
        validator = self._validators.get(key)
        if validator is None:
            validator = Draft202012Validator(
                _absolutize(schema, base),
                registry=self._registry,
                format_checker=self._format_checker,
            )
            self._validators[key] = validator
        return validator

    def _errors(self, prefix: str, validator: Any, instance: Any) -> list[str]:
        errors = sorted(
            validator.iter_errors(instance),
            key=lambda e: (list(map(str, e.absolute_path)), str(e.validator)),
        )
        out = [f"{prefix}: {_describe(e)}" for e in errors[:_MAX_ERRORS_PER_PART]]
        if len(errors) > _MAX_ERRORS_PER_PART:
            out.append(f"{prefix}: … and {len(errors) - _MAX_ERRORS_PER_PART} more")
        return out

    def _check_path(
        self,
        op_id: str,
        parameters: Mapping[tuple[str, str], Mapping[str, Any]],
        values: Mapping[str, str],
    ) -> list[str]:
        problems: list[str] = []
        for name, value in values.items():
            param = parameters.get(("path", name))
            if param is None:  # the template names a parameter the spec never declares
                continue
            validator = self._validator((op_id, f"path {name}"), _SPEC_URI, param.get("schema", {}))
            problems += self._errors(f"{op_id} path {{{name}}}", validator, value)
        return problems

    def _check_query(
        self,
        op_id: str,
        parameters: Mapping[tuple[str, str], Mapping[str, Any]],
        query: Mapping[str, str],
    ) -> list[str]:
        problems: list[str] = []
        declared = {name: param for (where, name), param in parameters.items() if where == "query"}
        for name, spec in declared.items():
            if spec.get("required") and name not in query:
                problems.append(f"{op_id} query: missing required parameter {name!r}")
        for name, raw in query.items():
            param = declared.get(name)
            if param is None:
                known = ", ".join(sorted(declared)) or "none"
                problems.append(
                    f"{op_id} query: unknown parameter {name!r} (not in Discord's API; "
                    f"known: {known})"
                )
                continue
            schema = param.get("schema", {})
            value = self._coerce(str(raw), schema)
            validator = self._validator((op_id, f"query {name}"), _SPEC_URI, schema)
            problems += self._errors(f"{op_id} query {name}", validator, value)
        return problems

    def _types(self, schema: Any, depth: int = 0) -> set[str]:
        """JSON types a schema can admit, looking through refs and combinators."""
        schema = self._resolve(schema)
        if not isinstance(schema, dict) or depth > 8:
            return set()
        found: set[str] = set()
        kind = schema.get("type")
        if isinstance(kind, str):
            found.add(kind)
        elif isinstance(kind, list):
            found.update(str(k) for k in kind)
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in schema.get(key, []):
                found |= self._types(sub, depth + 1)
        return found

    def _coerce(self, raw: str, schema: Any) -> Any:
        """Read a query-string value as the JSON value the schema expects, if it can."""
        types = self._types(schema)
        if "array" in types and "string" not in types:
            items = self._resolve(schema).get("items", {})
            return [self._coerce(part, items) for part in raw.split(",")] if raw else []
        if "integer" in types and _INTEGER_TEXT.fullmatch(raw):
            return int(raw)
        if "number" in types:
            try:
                return float(raw)
            except ValueError:
                pass
        if "boolean" in types and raw.lower() in _TRUE_TEXT | _FALSE_TEXT:
            return raw.lower() in _TRUE_TEXT
        return raw

    def _check_request(
        self, op_id: str, operation: Mapping[str, Any], exchange: Exchange
    ) -> list[str]:
        prefix = f"{op_id} request"
        body = self._resolve(operation.get("requestBody"))
        media = (exchange.request_content_type or "").split(";", 1)[0].strip().lower()
        if body is None:
            if exchange.request_json is not None:
                return [
                    f"{prefix}: the operation takes no body, got {_short(exchange.request_json)}"
                ]
            return []
        content: Mapping[str, Any] = body.get("content", {})
        if exchange.request_json is None:
            if media == "multipart/form-data" or not body.get("required"):
                return []  # files-only multipart, or an optional body left out
            return [f"{prefix}: a body is required ({', '.join(content)}), got none"]
        media = media or "application/json"  # a recorded body without a content type is JSON
        media_type = content.get(media)
        if media_type is None:
            return [f"{prefix}: content type {media!r} not accepted (accepts {', '.join(content)})"]
        schema = media_type.get("schema", {})
        if media == "multipart/form-data":
            schema = _strip_binary(schema)
        validator = self._validator((op_id, f"request {media}"), _REQUEST_BODY_URI, schema)
        problems = self._errors(prefix, validator, exchange.request_json)
        return problems + _beyond_spec(prefix, op_id, exchange.request_json)

    def _check_response(
        self, op_id: str, operation: Mapping[str, Any], exchange: Exchange
    ) -> list[str]:
        status = exchange.status
        prefix = f"{op_id} response {status}"
        responses: Mapping[str, Any] = operation.get("responses", {})
        key = next(
            (k for k in (str(status), f"{status // 100}XX", "default") if k in responses),
            None,
        )
        if key is None:
            return [f"{prefix}: status not documented (documents {', '.join(responses)})"]
        response = self._resolve(responses[key])
        content: Mapping[str, Any] = response.get("content") or {}
        if status == 204 or not content:
            if exchange.response_json is not None:
                return [f"{prefix}: must have no body, got {_short(exchange.response_json)}"]
            return []
        media_type = content.get("application/json")
        if media_type is None:
            return []  # a non-JSON response body (none in the current spec) is not checked
        validator = self._validator(
            (op_id, f"response {key}"), _SPEC_URI, media_type.get("schema", {})
        )
        problems = self._errors(prefix, validator, exchange.response_json)
        if exchange.response_json is None and problems:
            return [f"{prefix}: expected a JSON body, got none"]
        return problems

    def iter_operations(self) -> Iterator[tuple[str, str, str]]:
        """Every (METHOD, path template, operationId) in the document."""
        for routes in self._routes.values():
            for route in routes:
                for method in _METHODS:
                    operation = route.item.get(method)
                    if operation is not None:
                        yield method.upper(), route.template, str(operation["operationId"])
