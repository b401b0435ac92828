"""Invalid input for every operation, generated from the botocore models.

Contract: every operation's invalid-input cases (every member's min/max, pattern, enum,
required members and unions, as the botocore models declare them) answer HTTP 400 with the
right error code, and write nothing.

How the cases are made
----------------------
Each operation has ONE hand-written, minimal valid input (`IncidentsWorld.bases` and
`EventsWorld.bases`), built on resources a module-scoped fixture creates first (a response
plan, incidents, timeline events, a replication set, a resource policy, tags; rules,
targets, buses, archives, a replay, connections, API destinations). `generate()` walks the
operation's input shape from that input and derives, for every top-level member and one
level into structures, list items and map entries (`MAX_DEPTH`):

- a required member left out;
- a string one character shorter than `min` / longer than `max` (built to still match the
  member's pattern where possible, so only the length is wrong);
- a value outside `enum`;
- a string violating `pattern`, when one of a few simple strings violates it even if the
  pattern is read unanchored, as Smithy/ECMA patterns are (so `.*` is skipped: nothing
  violates it);
- an integer below `min` / above `max`;
- a list or map with one entry fewer than `min` / more than `max`;
- a union (`union: true`) with no member set, and with two members set.

A member the valid input leaves out is first given a synthesised valid value (`sample()`)
that the variant then breaks. Not generated, and why:

- a missing required URI label (rest-json `location: uri`, e.g. `TagResource.resourceArn`):
  botocore cannot build the URL without it (KeyError), and no request could name the
  operation without it anyway;
- a too-short (empty) URI label: the request would hit another route;
- a pattern that no simple string violates when unanchored (`.*` of the Description
  members), or that Python's `re` cannot read (`\\p{L}`);
- members deeper than `MAX_DEPTH` (e.g. `PutTargets.Targets[0].EcsParameters.TaskCount`;
  TOCSIN_INVALID_INPUT_DEPTH=2 goes one level further).

Each run writes the number of cases per operation and every constraint it did not
exercise, with the reason, to `artifacts/invalid-inputs.txt`.

`PutEvents.EndpointId` cannot be sent by a boto3 client without the CRT (its endpoint
rules ask for SigV4a), so the client takes it out before endpoint resolution and puts it
back into the serialized body before signing (`_smuggle_endpoint_id`).

Every case is sent by a boto3 client with `parameter_validation=False`, so only the server
can refuse it. Expected: HTTP 400, error code `ValidationException` (for an `EventPattern`
member EventBridge may also answer `InvalidEventPatternException`), the code in
`x-amzn-ErrorType` and a non-empty `message` in the body (`__type` too on awsJson1.1).

Read operations work on resources nothing writes to, and operations that change things on
resources of their own, so that what an accepted invalid input stores (say an empty union,
which botocore then cannot parse back) does not break the operations after it.

"Writes nothing" is checked once per operation, around the whole matrix of its cases:
the change-feed position (`asOfChangeId` of `GET /v1/wall`), a snapshot of everything the
read APIs show (plans, incidents, timelines, related items, tags, policies, replication
sets; buses, rules, targets, tags, archives, replays, connections, API destinations), and
a digest of every table of the SQLite database (but `audit_log`, where refused calls are
recorded on purpose, and `access_keys.last_used_at`).

After the matrix, the valid input itself is sent once, as a control: it must not be
refused as invalid (else the matrix proved nothing). The cases are subtests, so one run
lists every failing case.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import http.client
import itertools
import json
import os
import re
import sqlite3
import time
from pathlib import Path
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import botocore.session
import pytest
from awsshape import aws_client
from botocore.exceptions import ClientError
from conftest import ARTIFACTS, TocsinServer, query

# 0: top-level members only; 1: and the members of their structures, list items and map
# entries (the default); 2 and more: deeper still (TOCSIN_INVALID_INPUT_DEPTH=2).
MAX_DEPTH = int(os.environ.get("TOCSIN_INVALID_INPUT_DEPTH", "1"))
ACCOUNT = "000000000000"
REGION = "us-east-1"
DEFAULT_BUS_ARN = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"
CHANGED = "changed-by-an-invalid-input"
VALIDATION = "ValidationException"
PATTERN_ERROR = "InvalidEventPatternException"
NOT_IN_ENUM = "NOT_A_VALID_VALUE"
NOT_VALID = {VALIDATION, PATTERN_ERROR, "SerializationException"}

_SESSION = botocore.session.get_session()
MODELS = {name: _SESSION.get_service_model(name) for name in ("ssm-incidents", "events")}

# Operations, in the order they run (deletes of shared state last; each Delete* has a
# resource of its own anyway).
INCIDENT_OPS = ["CreateReplicationSet"] + [
    op
    for op in MODELS["ssm-incidents"].operation_names
    if op not in ("CreateReplicationSet", "DeleteReplicationSet")
] + ["DeleteReplicationSet"]
EVENT_OPS = [
    "PutEvents", "PutRule", "DescribeRule", "ListRules", "DeleteRule", "EnableRule",
    "DisableRule", "PutTargets", "ListTargetsByRule", "RemoveTargets", "ListRuleNamesByTarget",
    "TagResource", "UntagResource", "ListTagsForResource", "TestEventPattern",
    "CreateEventBus", "DescribeEventBus", "ListEventBuses", "UpdateEventBus", "DeleteEventBus",
    "CreateArchive", "DescribeArchive", "ListArchives", "UpdateArchive", "DeleteArchive",
    "StartReplay", "DescribeReplay", "ListReplays", "CancelReplay", "CreateConnection",
    "DescribeConnection", "ListConnections", "UpdateConnection", "DeleteConnection",
    "CreateApiDestination", "DescribeApiDestination", "ListApiDestinations",
    "UpdateApiDestination", "DeleteApiDestination",
]  # fmt: skip


# --- case generation ----------------------------------------------------------------------


@dataclass
class Case:
    op: str
    where: str  # member path: `incidentTemplate.title`, `Targets[0].Id`, `tags{key}`
    variant: str  # what is wrong with it
    params: dict
    codes: frozenset = frozenset({VALIDATION})
    value: object = None  # what `where` was set to (ABSENT: left out)

    @property
    def label(self) -> str:
        return f"{self.op} {self.where}: {self.variant}"


@dataclass
class Skip:
    op: str
    where: str
    what: str
    why: str


ABSENT = "<left out>"
SKIPPED: list[Skip] = []  # filled as cases are generated (see the module docstring)
COUNTS: dict[str, int] = {}  # cases per operation, for the summary in artifacts/

# Strings that satisfy common patterns, tried in order when a value must be made up.
SAMPLE_STRINGS = [
    "sample",
    f"arn:aws:sns:{REGION}:{ACCOUNT}:sample",
    f"arn:aws:iam::{ACCOUNT}:role/sample",
    f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/sample",
    f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default",
    f"arn:aws:events:{REGION}:{ACCOUNT}:connection/sample/00000000-0000-0000-0000-000000000000",
    "https://example.com/sample",
    "related-item/OTHER/" + "0" * 32,
    "aws.partner/example.com/sample",
    f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:sample",
    "sample.sample",
    "",
]
# Strings tried, in order, to violate a pattern. One is used only if it fails the pattern
# even searched unanchored (re.search), so it is invalid however the server reads it.
VIOLATING_STRINGS = ["!!!", "not-an-arn", "a:b", "bad\x01value", "\x01", "   ", "aws:reserved", "a b", "#"]

SAMPLE_BY_SHAPE = {
    # Shapes whose first matching SAMPLE_STRINGS entry would be odd.
    "EventPattern": '{"source": ["sample"]}',
    "TimelineEventType": "Custom Event",
    "EventData": '"sample"',
    "Policy": "{}",
    "HttpsEndpoint": "https://example.com/sample",
    "TargetInputPath": "$.detail",
    "EventBusNameOrArn": "default",
    "NonPartnerEventBusNameOrArn": "default",
}


def _regex(pattern: str):
    """The pattern compiled by Python's `re`, or None when `re` cannot read it (`\\p{L}`)."""
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _matches(pattern: str | None, value: str) -> bool:
    if pattern is None or _regex(pattern) is None:
        return True
    return _regex(pattern).fullmatch(value) is not None


def _length_ok(shape, value: str) -> bool:
    md = shape.metadata
    return md.get("min", 0) <= len(value) <= md.get("max", 10**9)


def sample(shape, depth: int = 0):
    """A made-up valid value of `shape` (None when none could be made)."""
    if depth > 6:
        return None
    t = shape.type_name
    md = shape.metadata
    if t == "string":
        if shape.enum:
            return shape.enum[0]
        if shape.name in SAMPLE_BY_SHAPE:
            return SAMPLE_BY_SHAPE[shape.name]
        for s in SAMPLE_STRINGS:
            if _matches(md.get("pattern"), s) and _length_ok(shape, s):
                return s
        if "pattern" not in md:
            n = md.get("min", 0)
            return "s" * n if n > len("sample") else "sample"[: md.get("max", 6)]
        return None
    if t in ("integer", "long"):
        return max(md.get("min", 1), 1) if md.get("max", 10**9) >= 1 else md.get("min", 0)
    if t in ("float", "double"):
        return 1.0
    if t == "boolean":
        return True
    if t == "timestamp":
        return dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    if t == "blob":
        return b"sample"
    if t == "list":
        item = sample(shape.member, depth + 1)
        if item is None:
            return None
        return [uniquified(item, i, shape.member) for i in range(max(md.get("min", 1), 1))]
    if t == "map":
        key, value = sample(shape.key, depth + 1), sample(shape.value, depth + 1)
        if key is None or value is None:
            return None
        return {uniquified(key, i, shape.key): value for i in range(max(md.get("min", 1), 1))}
    if t == "structure":
        if md.get("union"):
            for name, member in shape.members.items():
                value = sample(member, depth + 1)
                if value is not None:
                    return {name: value}
            return None
        out = {}
        for name in shape.required_members:
            value = sample(shape.members[name], depth + 1)
            if value is None:
                return None
            out[name] = value
        return out
    return None


def uniquified(value, i: int, shape):
    """`value` made distinct by `i` (list entries and map keys that must differ)."""
    if i == 0:
        return value
    if isinstance(value, str):
        for candidate in (f"{value}{i}", f"{value[: max(len(value) - len(str(i)), 0)]}{i}", f"s{i}"):
            if _matches(shape.metadata.get("pattern"), candidate) and _length_ok(shape, candidate):
                return candidate
        return f"{value}{i}"
    if isinstance(value, dict) and shape.type_name == "structure":
        out = dict(value)
        for key in ("Id", "Key", "Name", "name", "regionName", "arn", "Arn", "url"):
            if isinstance(out.get(key), str) and key in shape.members:
                out[key] = uniquified(out[key], i, shape.members[key])
                return out
            if isinstance(out.get(key), dict) and key in shape.members:
                out[key] = uniquified(out[key], i, shape.members[key])
                return out
        for key in ("identifier", "value", "addRegionAction"):
            if isinstance(out.get(key), dict) and key in shape.members:
                out[key] = uniquified(out[key], i, shape.members[key])
                return out
        return out
    return value


def sized_string(shape, base: str, length: int) -> str:
    """A string of `length` characters, matching the shape's pattern when possible."""
    if length <= 0:
        return ""
    if shape.name == "EventPattern":  # still a well-formed pattern, only too long
        head, tail = '{"source": ["', '"]}'
        return head + "a" * (length - len(head) - len(tail)) + tail
    pattern = shape.metadata.get("pattern")
    base = base if isinstance(base, str) else ""
    if length <= len(base):
        candidates = [base[:length]]
    else:
        candidates = [base + c * (length - len(base)) for c in "a0"]
    candidates += [c * length for c in "a0A"]
    for candidate in candidates:
        if _matches(pattern, candidate):
            return candidate
    return candidates[0]


def violating_string(shape) -> str | None:
    pattern = shape.metadata["pattern"]
    if _regex(pattern) is None:
        return None
    preferred = ["not-an-arn"] if "arn" in pattern else []
    for candidate in preferred + VIOLATING_STRINGS:
        if re.search(pattern, candidate) is None and _length_ok(shape, candidate):
            return candidate
    return None


class Generator:
    def __init__(self, service: str, op: str, base: dict):
        self.op = op
        self.op_model = MODELS[service].operation_model(op)
        self.base = base
        self.cases: list[Case] = []
        self.skipped: list[Skip] = []

    def run(self) -> list[Case]:
        self.members(self.op_model.input_shape, self.base, "", 0, lambda v: v)
        return self.cases

    def add(self, where: str, variant: str, shape, params: dict, value=ABSENT) -> None:
        codes = {VALIDATION}
        if shape.name == "EventPattern":
            codes.add(PATTERN_ERROR)
        self.cases.append(Case(self.op, where, variant, copy.deepcopy(params), frozenset(codes), value))

    def put(self, where: str, variant: str, shape, wrap, value) -> None:
        """A case with `value` at `where` (wrap builds the whole input around it)."""
        self.add(where, variant, shape, wrap(value), value)

    def skip(self, where: str, what: str, why: str) -> None:
        self.skipped.append(Skip(self.op, where, what, why))

    def members(self, shape, d: dict, prefix: str, depth: int, wrap) -> None:
        for name, member in shape.members.items():
            where = f"{prefix}.{name}" if prefix else name
            location = member.serialization.get("location")
            if name in shape.required_members and name in d:
                if location == "uri":
                    self.skip(where, "missing (required)", "URI label: the request cannot be built without it")
                else:
                    self.add(where, "missing (required)", member, wrap({k: v for k, v in d.items() if k != name}))
            base = d[name] if name in d else sample(member)
            if base is None:
                self.skip(where, "all", "no valid value could be made up for it")
                continue
            self.value(member, base, where, depth, lambda v, name=name: wrap({**d, name: v}), location)

    def value(self, shape, base, where: str, depth: int, wrap, location=None) -> None:
        t = shape.type_name
        md = shape.metadata
        lo, hi = md.get("min"), md.get("max")
        if t == "string":
            if shape.enum:
                self.put(where, f"not in enum ({NOT_IN_ENUM!r})", shape, wrap, NOT_IN_ENUM)
            if lo:
                if location == "uri" and lo == 1:
                    self.skip(where, "too short", "an empty URI label routes elsewhere")
                else:
                    v = sized_string(shape, base, lo - 1)
                    self.put(where, f"too short ({lo - 1} chars, min {lo})", shape, wrap, v)
            if hi is not None:
                self.put(where, f"too long ({hi + 1} chars, max {hi})", shape, wrap, sized_string(shape, base, hi + 1))
            if "pattern" in md:
                v = violating_string(shape)
                if v is None:
                    why = "no simple string violates it unanchored (or Python's re cannot read it)"
                    self.skip(where, f"pattern {md['pattern']!r}", why)
                else:
                    self.put(where, f"violates pattern {md['pattern']!r} ({v!r})", shape, wrap, v)
        elif t in ("integer", "long"):
            if lo is not None:
                self.put(where, f"below min ({lo - 1}, min {lo})", shape, wrap, lo - 1)
            if hi is not None:
                self.put(where, f"above max ({hi + 1}, max {hi})", shape, wrap, hi + 1)
        elif t == "list":
            items = base if base else [sample(shape.member)]
            if items[0] is None:
                self.skip(where, "entries", "no valid entry could be made up")
                return
            if lo:
                self.put(where, f"too few entries ({lo - 1}, min {lo})", shape, wrap, items[: lo - 1])
            if hi is not None:
                many = [uniquified(items[0], i, shape.member) for i in range(hi + 1)]
                self.put(where, f"too many entries ({hi + 1}, max {hi})", shape, wrap, many)
            self.value(shape.member, items[0], f"{where}[0]", depth, lambda v: wrap([v, *items[1:]]))
        elif t == "map":
            entries = base if base else sample(shape)
            if not entries:
                self.skip(where, "entries", "no valid entry could be made up")
                return
            key, val = next(iter(entries.items()))
            if lo:
                few = dict(itertools.islice(entries.items(), lo - 1))
                self.put(where, f"too few entries ({lo - 1}, min {lo})", shape, wrap, few)
            if hi is not None:
                many = {uniquified(key, i, shape.key): val for i in range(hi + 1)}
                self.put(where, f"too many entries ({hi + 1}, max {hi})", shape, wrap, many)
            rest = {k: v for k, v in entries.items() if k != key}
            self.value(shape.key, key, f"{where}{{key}}", depth, lambda k: wrap({**rest, k: val}))
            self.value(shape.value, val, f"{where}{{{key}}}", depth, lambda v: wrap({**rest, key: v}))
        elif t == "structure":
            if md.get("union"):
                self.put(where, "union with no member set", shape, wrap, {})
                chosen = [k for k in base if k in shape.members]
                others = [(k, sample(m)) for k, m in shape.members.items() if k not in chosen]
                others = [(k, v) for k, v in others if v is not None]
                if len(chosen) == 1 and others:
                    k, v = others[0]
                    self.put(where, f"union with two members set ({chosen[0]}, {k})", shape, wrap, {**base, k: v})
                elif len(shape.members) > 1:
                    self.skip(where, "union with two members", "no second member could be made up")
            if depth < MAX_DEPTH:
                self.members(shape, base, where, depth + 1, wrap)
            elif shape.members:
                self.skip(where, "its members", f"deeper than MAX_DEPTH={MAX_DEPTH}")


def generate(service: str, op: str, base: dict, unique: str | None = None) -> list[Case]:
    gen = Generator(service, op, base)
    cases = gen.run()
    SKIPPED.extend(gen.skipped)
    if unique:  # Create* operations: every case names a resource of its own
        for i, case in enumerate(cases):
            if case.params.get(unique) == base[unique]:
                case.params[unique] = f"{base[unique]}-{i}"
    return cases


# --- sending ------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: int | None = None
    code: str | None = None
    message: str | None = None
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    exception: str | None = None


class Sender:
    """A boto3 client without client-side validation that keeps each raw response."""

    def __init__(self, server: TocsinServer, service: str):
        self.server = server
        self.client = aws_client(
            service, server.base, (server.access_key_id, server.secret_access_key), validate=False
        )
        self.last = None
        events = self.client.meta.events
        events.register_first("after-call", self._keep)
        if service == "events":
            events.register("before-parameter-build.events.PutEvents", self._take_endpoint_id)
            events.register("before-call.events.PutEvents", self._smuggle_endpoint_id)
        self._endpoint_id = None

    def check_alive(self) -> None:
        """Fails (with the end of its log) when the server has exited, e.g. on a panic."""
        if self.server.proc is not None and self.server.proc.poll() is not None:
            tail = "\n".join(self.server.log().splitlines()[-30:])
            pytest.fail(f"tocsin serve exited with {self.server.proc.returncode}:\n{tail}", pytrace=False)

    def _keep(self, http_response, **kwargs):
        self.last = http_response

    def _take_endpoint_id(self, params, **kwargs):
        self._endpoint_id = params.pop("EndpointId", None)

    def _smuggle_endpoint_id(self, params, **kwargs):
        if self._endpoint_id is not None:
            body = json.loads(params["body"] or b"{}")
            body["EndpointId"] = self._endpoint_id
            params["body"] = json.dumps(body).encode()
            self._endpoint_id = None

    def send(self, op: str, params: dict) -> Outcome:
        self.check_alive()
        self.last = None
        method = getattr(self.client, botocore.xform_name(op))
        out = Outcome()
        try:
            resp = method(**copy.deepcopy(params))
            out.status = resp["ResponseMetadata"]["HTTPStatusCode"]
        except ClientError as e:
            out.status = e.response["ResponseMetadata"].get("HTTPStatusCode")
            out.code = e.response.get("Error", {}).get("Code")
            out.message = e.response.get("Error", {}).get("Message")
        except Exception as e:  # noqa: BLE001 - reported as the case's outcome
            out.exception = f"{type(e).__name__}: {e}"
        if self.last is not None:
            out.status = self.last.status_code
            out.headers = {k.lower(): v for k, v in self.last.headers.items()}
            out.body = self.last.content or b""
        return out


def short(value, limit: int = 70) -> str:
    """A request value, long strings and lists cut down."""
    if isinstance(value, str):
        return repr(value) if len(value) <= limit else f"{value[:20]!r}…({len(value)} chars)"
    if isinstance(value, list):
        if len(value) > 3:
            return f"[{short(value[0], limit)}, … {len(value)} entries]"
        return "[" + ", ".join(short(v, limit) for v in value) + "]"
    if isinstance(value, dict):
        if len(value) > 6:
            k = next(iter(value))
            return f"{{{k!r}: {short(value[k], limit)}, … {len(value)} entries}}"
        return "{" + ", ".join(f"{k!r}: {short(v, limit)}" for k, v in value.items()) + "}"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return repr(value)


def problems_of(outcome: Outcome, case: Case, protocol: str) -> list[str]:
    got = f"HTTP {outcome.status} {outcome.code or ''}: {outcome.message or ''}".strip()
    if outcome.status is None:
        return [f"no HTTP answer: {outcome.exception}"]
    if 200 <= outcome.status < 300:
        return [f"accepted (HTTP {outcome.status}): {outcome.body[:300].decode('utf-8', 'replace')}"]
    problems = []
    if outcome.status != 400:
        problems.append(f"status {outcome.status}, expected 400")
    if outcome.code not in case.codes:
        problems.append(f"error {outcome.code!r}, expected {' or '.join(sorted(case.codes))}")
    try:
        body = json.loads(outcome.body)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        problems.append(f"error body is not a JSON object: {outcome.body[:200]!r}")
    else:
        if not isinstance(body.get("message"), str) or not body["message"]:
            problems.append(f"error body has no non-empty 'message': {body}")
        if protocol == "json" and body.get("__type") != outcome.code:
            problems.append(f"awsJson error body '__type' is {body.get('__type')!r}")
    header = outcome.headers.get("x-amzn-errortype", "")
    if header.split(":")[0] != (outcome.code or ""):
        problems.append(f"x-amzn-ErrorType header is {header!r}")
    if problems:
        problems.insert(0, f"got {got}")
    return problems


# --- "writes nothing" ---------------------------------------------------------------------


def _plain(response: dict) -> dict:
    response = dict(response)
    response.pop("ResponseMetadata", None)
    return json.loads(json.dumps(response, default=str, sort_keys=True))


def _pages(call, key: str, token_in: str, token_out: str, **kwargs) -> list:
    items, token = [], None
    while True:
        resp = call(**kwargs, **({token_in: token} if token else {}))
        items += resp.get(key, [])
        token = resp.get(token_out)
        if not token:
            return items


def _read(call, **kwargs) -> dict:
    """One read for a snapshot; a resource the API cannot answer (an accepted invalid input
    may have stored something botocore cannot parse back) is recorded, not raised."""
    try:
        return _plain(call(**kwargs))
    except Exception as e:  # noqa: BLE001
        return {"unreadable": f"{type(e).__name__}: {e}"[:300]}


# The list key and pagination tokens of the paginated reads a snapshot makes.
LISTS = {
    "list_timeline_events": ("eventSummaries", "nextToken", "nextToken"),
    "list_related_items": ("relatedItems", "nextToken", "nextToken"),
    "list_targets_by_rule": ("Targets", "NextToken", "NextToken"),
    "list_rules": ("Rules", "NextToken", "NextToken"),
}


def _list(call, **kwargs) -> list:
    return _pages(call, *LISTS[call.__name__], **kwargs)


def _read_all(call, **kwargs) -> dict:
    try:
        return {"items": _plain({"items": _list(call, **kwargs)})["items"]}
    except Exception as e:  # noqa: BLE001
        return {"unreadable": f"{type(e).__name__}: {e}"[:300]}


def _gather(jobs: dict) -> dict:
    """Runs {key: (reader, call, kwargs)} reads concurrently; {key: result}."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = {key: pool.submit(reader, call, **kwargs) for key, (reader, call, kwargs) in jobs.items()}
        return {key: f.result() for key, f in futures.items()}


def feed_position(server: TocsinServer) -> int:
    req = urllib.request.Request(f"{server.base}/v1/wall", headers={"Authorization": server.bearer})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())["asOfChangeId"]


def feed_entries(server: TocsinServer, after: int, limit: int = 500) -> list[dict]:
    """The change-feed entries after `after` (read from the stream until it idles)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=0.5)
    entries: list[dict] = []
    try:
        conn.request("GET", f"/v1/stream?lastEventId={after}", headers={"Authorization": server.bearer})
        resp = conn.getresponse()
        while len(entries) < limit:
            line = resp.fp.readline()
            if not line:
                break
            if line.startswith(b"data: "):
                try:
                    entries.append(json.loads(line[6:]))
                except ValueError:
                    entries.append({"change": {"kind": line[6:80].decode("utf-8", "replace")}})
    except OSError:
        pass
    finally:
        conn.close()
    return entries


IGNORED_TABLES = {"audit_log"}  # refused calls are audited on purpose
IGNORED_COLUMNS = {"access_keys": {"last_used_at"}}


def db_digest(server: TocsinServer) -> dict[str, tuple[int, str]]:
    """Per table: (row count, digest of its rows), on either backend."""
    if server.postgres:
        return _postgres_digest(server)
    conn = sqlite3.connect(f"file:{server.db_path}?mode=ro", uri=True, timeout=10)
    try:
        out = {}
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        for table in tables:
            if table in IGNORED_TABLES:
                continue
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            keep = [c for c in columns if c not in IGNORED_COLUMNS.get(table, set())]
            select = ", ".join(f'"{c}"' for c in keep)
            rows = sorted(repr(r) for r in conn.execute(f'SELECT {select} FROM "{table}"'))
            out[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return out
    finally:
        conn.close()


def _postgres_digest(server: TocsinServer) -> dict[str, tuple[int, str]]:
    """`db_digest` on PostgreSQL in two `psql` calls: the columns, then every table's count
    and the MD5 of its rows (as text, sorted)."""
    columns: dict[str, list[str]] = {}
    for table, column in query(
        server,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
    ):
        if table not in IGNORED_TABLES and column not in IGNORED_COLUMNS.get(table, set()):
            columns.setdefault(table, []).append(column)
    parts = [
        f"SELECT '{t}', COUNT(*), md5(COALESCE(string_agg(r, E'\\n' ORDER BY r), '')) "
        f"FROM (SELECT ROW({', '.join(f'{chr(34)}{c}{chr(34)}' for c in cols)})::text AS r FROM \"{t}\") AS rows"
        for t, cols in sorted(columns.items())
    ]
    return {t: (int(n), digest) for t, n, digest in query(server, " UNION ALL ".join(parts))}


@dataclass
class State:
    feed: int
    api: dict
    db: dict


def _changed_fields(a, b, prefix: str = "", depth: int = 0) -> list[str]:
    if isinstance(b, dict) and "unreadable" in b and not (isinstance(a, dict) and "unreadable" in a):
        return [f"{prefix}now unreadable: {b['unreadable']}"]
    if isinstance(a, list) and isinstance(b, list):
        what = f"{prefix.rstrip('.') or 'entries'}: {len(a)} -> {len(b)} entries"
        return [what + (" (changed)" if len(a) == len(b) else "")]
    if isinstance(a, dict) and isinstance(b, dict) and depth < 2:
        out = []
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                out += _changed_fields(a.get(k), b.get(k), f"{prefix}{k}.", depth + 1)
        return out
    return [f"{prefix.rstrip('.')}: {short(a, 40)} -> {short(b, 40)}"]


def differences(world, before: State, after: State) -> list[str]:
    """What changed between two states, briefly."""
    out = []
    if after.feed != before.feed:
        kinds: dict[str, int] = {}
        for entry in feed_entries(world.server, before.feed):
            kind = entry.get("change", {}).get("kind", "?")
            kinds[kind] = kinds.get(kind, 0) + 1
        out.append(
            f"change feed: {after.feed - before.feed} new entries ("
            + ", ".join(f"{k} x{n}" for k, n in kinds.items())
            + ")"
        )
    new = [k for k in after.api if k not in before.api]
    gone = [k for k in before.api if k not in after.api]
    changed = [k for k in after.api if k in before.api and after.api[k] != before.api[k]]
    if new:
        out.append(f"read APIs: {len(new)} new: " + "; ".join(new[:6]) + (" …" if len(new) > 6 else ""))
    if gone:
        out.append(f"read APIs: {len(gone)} gone: " + "; ".join(gone[:6]) + (" …" if len(gone) > 6 else ""))
    for key in changed[:6]:
        fields = _changed_fields(before.api[key], after.api[key])
        out.append(f"read APIs: {key} changed: " + "; ".join(fields[:6]))
    tables = []
    for table in sorted(set(before.db) | set(after.db)):
        a, b = before.db.get(table, (0, "")), after.db.get(table, (0, ""))
        if a != b:
            tables.append(f"{table} {b[0] - a[0]:+d} rows" if a[0] != b[0] else f"{table} rows changed")
    if tables:
        out.append("database: " + ", ".join(tables))
    return out


# --- the worlds ---------------------------------------------------------------------------


class World:
    service = ""
    protocol = ""

    def __init__(self, server: TocsinServer):
        self.server = server
        self.sender = Sender(server, self.service)
        self.client = aws_client(self.service, server.base, (server.access_key_id, server.secret_access_key))

    def state(self) -> State:
        self.settle()
        return State(feed_position(self.server), self.api_snapshot(), db_digest(self.server))

    def settle(self) -> None:
        pass

    def setup(self, op: str) -> None:
        pass

    def undo(self, op: str) -> None:
        """Puts back what an accepted invalid case changed, when later cases depend on it."""

    def api_snapshot(self) -> dict:
        raise NotImplementedError

    def bases(self) -> dict:
        raise NotImplementedError


class IncidentsWorld(World):
    service = "ssm-incidents"
    protocol = "rest-json"

    def build(self) -> None:
        """Resources the operations work on. Read operations use the `plan` and `incident`
        nothing writes to (an accepted invalid input may store what botocore cannot parse
        back, e.g. an empty union); operations that change things use `plan_w` and
        `incident_w`; each Delete* has a resource of its own. No replication set yet:
        CreateReplicationSet runs first and its control (or setup()) makes it."""
        c = self.client
        template = {"title": "invalid-inputs", "impact": 3}
        self.plan = c.create_response_plan(name="inv-plan", incidentTemplate=template)["arn"]
        self.plan_w = c.create_response_plan(name="inv-plan-w", incidentTemplate=template)["arn"]
        self.plan_del = c.create_response_plan(name="inv-plan-del", incidentTemplate=template)["arn"]
        self.incident = c.start_incident(responsePlanArn=self.plan, title="inv-incident")["incidentRecordArn"]
        self.incident_w = c.start_incident(responsePlanArn=self.plan, title="inv-incident-w")["incidentRecordArn"]
        self.incident_del = c.start_incident(responsePlanArn=self.plan_del, title="inv-incident-del")[
            "incidentRecordArn"
        ]
        now = dt.datetime.now(dt.timezone.utc)
        events = {}
        for name, incident in (("event", self.incident), ("event_w", self.incident_w), ("event_del", self.incident_w)):
            events[name] = c.create_timeline_event(
                incidentRecordArn=incident, eventTime=now, eventType="Custom Event", eventData=f'"{name}"'
            )["eventId"]
        self.event, self.event_w, self.event_del = events["event"], events["event_w"], events["event_del"]
        for incident in (self.incident, self.incident_w):
            c.update_related_items(
                incidentRecordArn=incident,
                relatedItemsUpdate={
                    "itemToAdd": {
                        "identifier": {"type": "OTHER", "value": {"url": "https://example.com/a"}},
                        "title": "a",
                    }
                },
            )
        self.policy_doc = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                        "Action": ["ssm-incidents:GetResponsePlan"],
                        "Resource": self.plan_w,
                    }
                ],
            }
        )
        c.put_resource_policy(resourceArn=self.plan, policy=self.policy_doc.replace(self.plan_w, self.plan))
        self.policy = c.put_resource_policy(resourceArn=self.plan_w, policy=self.policy_doc)["policyId"]
        for plan in (self.plan, self.plan_w):
            c.tag_resource(resourceArn=plan, tags={"team": "ops", "k": "v"})

    def replication_set(self) -> str:
        arns = self.client.list_replication_sets()["replicationSetArns"]
        if arns:
            return arns[0]
        return self.client.create_replication_set(regions={REGION: {}})["arn"]

    def undo(self, op: str) -> None:
        if op == "CreateReplicationSet":  # one per account: the next case would conflict
            for arn in self.client.list_replication_sets()["replicationSetArns"]:
                self.client.delete_replication_set(arn=arn)

    def setup(self, op: str) -> None:
        if op != "CreateReplicationSet":
            self.rs = self.replication_set()
        if op == "DeleteReplicationSet":  # so that an accepted case would delete it
            self.client.update_deletion_protection(arn=self.rs, deletionProtected=False)

    def api_snapshot(self) -> dict:
        c = self.client
        jobs = {}
        for p in _pages(c.list_response_plans, "responsePlanSummaries", "nextToken", "nextToken"):
            arn = p["arn"]
            jobs[f"plan {arn}"] = (_read, c.get_response_plan, {"arn": arn})
            jobs[f"plan tags {arn}"] = (_read, c.list_tags_for_resource, {"resourceArn": arn})
            jobs[f"plan policies {arn}"] = (_read, c.get_resource_policies, {"resourceArn": arn})
        for r in _pages(c.list_incident_records, "incidentRecordSummaries", "nextToken", "nextToken"):
            arn = r["arn"]
            jobs[f"incident {arn}"] = (_read, c.get_incident_record, {"arn": arn})
            jobs[f"timeline {arn}"] = (_read_all, c.list_timeline_events, {"incidentRecordArn": arn})
            jobs[f"related items {arn}"] = (_read_all, c.list_related_items, {"incidentRecordArn": arn})
            jobs[f"incident tags {arn}"] = (_read, c.list_tags_for_resource, {"resourceArn": arn})
        for arn in _pages(c.list_replication_sets, "replicationSetArns", "nextToken", "nextToken"):
            jobs[f"replication set {arn}"] = (_read, c.get_replication_set, {"arn": arn})
        return _gather(jobs)

    def bases(self) -> dict:
        now = dt.datetime.now(dt.timezone.utc)
        rs = getattr(self, "rs", f"arn:aws:ssm-incidents::{ACCOUNT}:replication-set/none")
        return {
            "BatchGetIncidentFindings": {"incidentRecordArn": self.incident, "findingIds": ["finding-1"]},
            "CreateReplicationSet": {"regions": {REGION: {}}},
            "CreateResponsePlan": {"name": "inv-new-plan", "incidentTemplate": {"title": "t", "impact": 3}},
            "CreateTimelineEvent": {
                "incidentRecordArn": self.incident_w,
                "eventTime": now,
                "eventType": "Custom Event",
                "eventData": '"added by an invalid input"',
            },
            "DeleteIncidentRecord": {"arn": self.incident_del},
            "DeleteReplicationSet": {"arn": rs},
            "DeleteResourcePolicy": {"resourceArn": self.plan_w, "policyId": self.policy},
            "DeleteResponsePlan": {"arn": self.plan_del},
            "DeleteTimelineEvent": {"incidentRecordArn": self.incident_w, "eventId": self.event_del},
            "GetIncidentRecord": {"arn": self.incident},
            "GetReplicationSet": {"arn": rs},
            "GetResourcePolicies": {"resourceArn": self.plan},
            "GetResponsePlan": {"arn": self.plan},
            "GetTimelineEvent": {"incidentRecordArn": self.incident, "eventId": self.event},
            "ListIncidentFindings": {"incidentRecordArn": self.incident},
            "ListIncidentRecords": {
                "filters": [{"key": "status", "condition": {"equals": {"stringValues": ["OPEN"]}}}]
            },
            "ListRelatedItems": {"incidentRecordArn": self.incident},
            "ListReplicationSets": {},
            "ListResponsePlans": {},
            "ListTagsForResource": {"resourceArn": self.plan},
            "ListTimelineEvents": {
                "incidentRecordArn": self.incident,
                "filters": [{"key": "eventType", "condition": {"equals": {"stringValues": ["Custom Event"]}}}],
            },
            "PutResourcePolicy": {
                "resourceArn": self.plan_w,
                "policy": self.policy_doc.replace("GetResponsePlan", "*"),
            },
            "StartIncident": {"responsePlanArn": self.plan},
            "TagResource": {"resourceArn": self.plan_w, "tags": {"added": CHANGED}},
            "UntagResource": {"resourceArn": self.plan_w, "tagKeys": ["k"]},
            "UpdateDeletionProtection": {"arn": rs, "deletionProtected": True},
            "UpdateIncidentRecord": {"arn": self.incident_w, "title": CHANGED},
            "UpdateRelatedItems": {
                "incidentRecordArn": self.incident_w,
                "relatedItemsUpdate": {
                    "itemToAdd": {
                        "identifier": {"type": "OTHER", "value": {"url": "https://example.com/b"}},
                        "title": CHANGED,
                    }
                },
            },
            "UpdateReplicationSet": {"arn": rs, "actions": [{"addRegionAction": {"regionName": "us-west-2"}}]},
            "UpdateResponsePlan": {"arn": self.plan_w, "displayName": CHANGED},
            "UpdateTimelineEvent": {
                "incidentRecordArn": self.incident_w,
                "eventId": self.event_w,
                "eventData": '"changed"',
            },
        }

    unique = {"CreateResponsePlan": "name"}


class EventsWorld(World):
    service = "events"
    protocol = "json"

    def build(self) -> None:
        """As IncidentsWorld.build: read operations use resources nothing writes to, the
        operations that change things use the `-w` ones, each Delete* one of its own."""
        c = self.client
        never = json.dumps({"source": ["inv.never"]})
        archived = json.dumps({"source": ["inv.archived"]})
        api_key = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "secret"}}
        for name in ("inv-bus", "inv-bus-w", "inv-bus-del"):
            c.create_event_bus(Name=name)
        arns = {}
        for name in ("inv-conn", "inv-conn-w", "inv-conn-del"):
            arns[name] = c.create_connection(Name=name, AuthorizationType="API_KEY", AuthParameters=api_key)[
                "ConnectionArn"
            ]
        self.conn = arns["inv-conn"]
        for name in ("inv-dest", "inv-dest-w", "inv-dest-del"):
            arns[name] = c.create_api_destination(
                Name=name, ConnectionArn=self.conn, InvocationEndpoint=f"https://example.com/{name}", HttpMethod="POST"
            )["ApiDestinationArn"]
        self.dest = arns["inv-dest"]
        for name in ("inv-rule", "inv-rule-w", "inv-rule-del"):
            arns[name] = c.put_rule(Name=name, EventPattern=never)["RuleArn"]
            c.tag_resource(ResourceARN=arns[name], Tags=[{"Key": "k1", "Value": "v1"}])
            if name != "inv-rule-del":  # a rule with targets cannot be deleted
                c.put_targets(Rule=name, Targets=[{"Id": "t1", "Arn": self.dest}, {"Id": "t-rm", "Arn": self.dest}])
        self.rule, self.rule_w = arns["inv-rule"], arns["inv-rule-w"]
        for name in ("inv-archive", "inv-archive-w", "inv-archive-del"):
            arns[name] = c.create_archive(ArchiveName=name, EventSourceArn=DEFAULT_BUS_ARN, EventPattern=archived)[
                "ArchiveArn"
            ]
        self.archive = arns["inv-archive"]
        now = dt.datetime.now(dt.timezone.utc)
        self.replay_window = (now - dt.timedelta(hours=2), now - dt.timedelta(hours=1))
        c.start_replay(
            ReplayName="inv-replay",
            EventSourceArn=self.archive,
            EventStartTime=self.replay_window[0],
            EventEndTime=self.replay_window[1],
            Destination={"Arn": DEFAULT_BUS_ARN},
        )
        self.settle()

    def settle(self) -> None:
        """Waits for replays to end (they write as they go)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            replays = _pages(self.client.list_replays, "Replays", "NextToken", "NextToken")
            if all(r["State"] not in ("STARTING", "RUNNING", "CANCELLING") for r in replays):
                return
            time.sleep(0.05)

    def setup(self, op: str) -> None:
        # Leave the rule in the state the operation changes, so an accepted case shows.
        if op == "EnableRule":
            self.client.disable_rule(Name="inv-rule-w")
        elif op == "DisableRule":
            self.client.enable_rule(Name="inv-rule-w")

    def api_snapshot(self) -> dict:
        c = self.client
        jobs = {}
        buses = _pages(c.list_event_buses, "EventBuses", "NextToken", "NextToken")
        rules = _gather(
            {b["Name"]: (_list, c.list_rules, {"EventBusName": b["Name"]}) for b in buses}
        )
        for bus in buses:
            name = bus["Name"]
            jobs[f"bus {name}"] = (_read, c.describe_event_bus, {"Name": name})
            jobs[f"bus tags {name}"] = (_read, c.list_tags_for_resource, {"ResourceARN": bus["Arn"]})
            for rule in rules[name]:
                key, where = f"{name}/{rule['Name']}", {"EventBusName": name}
                jobs[f"rule {key}"] = (_read, c.describe_rule, {"Name": rule["Name"], **where})
                jobs[f"targets {key}"] = (_read_all, c.list_targets_by_rule, {"Rule": rule["Name"], **where})
                jobs[f"rule tags {key}"] = (_read, c.list_tags_for_resource, {"ResourceARN": rule["Arn"]})
        for a in _pages(c.list_archives, "Archives", "NextToken", "NextToken"):
            jobs[f"archive {a['ArchiveName']}"] = (_read, c.describe_archive, {"ArchiveName": a["ArchiveName"]})
        for r in _pages(c.list_replays, "Replays", "NextToken", "NextToken"):
            jobs[f"replay {r['ReplayName']}"] = (_read, c.describe_replay, {"ReplayName": r["ReplayName"]})
        for conn in _pages(c.list_connections, "Connections", "NextToken", "NextToken"):
            jobs[f"connection {conn['Name']}"] = (_read, c.describe_connection, {"Name": conn["Name"]})
        for d in _pages(c.list_api_destinations, "ApiDestinations", "NextToken", "NextToken"):
            jobs[f"api destination {d['Name']}"] = (_read, c.describe_api_destination, {"Name": d["Name"]})
        return _gather(jobs)

    def bases(self) -> dict:
        event = {
            "version": "0",
            "id": "00000000-0000-0000-0000-000000000001",
            "detail-type": "inv",
            "source": "inv.test",
            "account": ACCOUNT,
            "time": "2026-01-01T00:00:00Z",
            "region": REGION,
            "resources": [],
            "detail": {},
        }
        return {
            "PutEvents": {"Entries": [{"Source": "inv.test", "DetailType": "inv", "Detail": "{}"}]},
            "PutRule": {"Name": "inv-new-rule", "EventPattern": json.dumps({"source": ["inv.never"]})},
            "DescribeRule": {"Name": "inv-rule"},
            "ListRules": {},
            "DeleteRule": {"Name": "inv-rule-del"},
            "EnableRule": {"Name": "inv-rule-w"},
            "DisableRule": {"Name": "inv-rule-w"},
            "PutTargets": {"Rule": "inv-rule-w", "Targets": [{"Id": "t-new", "Arn": self.dest}]},
            "ListTargetsByRule": {"Rule": "inv-rule"},
            "RemoveTargets": {"Rule": "inv-rule-w", "Ids": ["t-rm"]},
            "ListRuleNamesByTarget": {"TargetArn": self.dest},
            "TagResource": {"ResourceARN": self.rule_w, "Tags": [{"Key": "added", "Value": CHANGED}]},
            "UntagResource": {"ResourceARN": self.rule_w, "TagKeys": ["k1"]},
            "ListTagsForResource": {"ResourceARN": self.rule},
            "TestEventPattern": {"EventPattern": json.dumps({"source": ["inv.test"]}), "Event": json.dumps(event)},
            "CreateEventBus": {"Name": "inv-new-bus"},
            "DescribeEventBus": {"Name": "inv-bus"},
            "ListEventBuses": {},
            "UpdateEventBus": {"Name": "inv-bus-w", "Description": CHANGED},
            "DeleteEventBus": {"Name": "inv-bus-del"},
            "CreateArchive": {"ArchiveName": "inv-new-archive", "EventSourceArn": DEFAULT_BUS_ARN},
            "DescribeArchive": {"ArchiveName": "inv-archive"},
            "ListArchives": {},
            "UpdateArchive": {"ArchiveName": "inv-archive-w", "Description": CHANGED},
            "DeleteArchive": {"ArchiveName": "inv-archive-del"},
            "StartReplay": {
                "ReplayName": "inv-new-replay",
                "EventSourceArn": self.archive,
                "EventStartTime": self.replay_window[0],
                "EventEndTime": self.replay_window[1],
                "Destination": {"Arn": DEFAULT_BUS_ARN},
            },
            "DescribeReplay": {"ReplayName": "inv-replay"},
            "ListReplays": {},
            "CancelReplay": {"ReplayName": "inv-replay"},
            "CreateConnection": {
                "Name": "inv-new-conn",
                "AuthorizationType": "API_KEY",
                "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "secret"}},
            },
            "DescribeConnection": {"Name": "inv-conn"},
            "ListConnections": {},
            "UpdateConnection": {"Name": "inv-conn-w", "Description": CHANGED},
            "DeleteConnection": {"Name": "inv-conn-del"},
            "CreateApiDestination": {
                "Name": "inv-new-dest",
                "ConnectionArn": self.conn,
                "InvocationEndpoint": "https://example.com/new",
                "HttpMethod": "POST",
            },
            "DescribeApiDestination": {"Name": "inv-dest"},
            "ListApiDestinations": {},
            "UpdateApiDestination": {"Name": "inv-dest-w", "Description": CHANGED},
            "DeleteApiDestination": {"Name": "inv-dest-del"},
        }

    unique = {
        "PutRule": "Name",
        "CreateEventBus": "Name",
        "CreateArchive": "ArchiveName",
        "StartReplay": "ReplayName",
        "CreateConnection": "Name",
        "CreateApiDestination": "Name",
    }


@pytest.fixture(scope="module", autouse=True)
def summary():
    """Writes the number of cases per operation and every constraint not exercised (and
    why) to artifacts/invalid-inputs.txt."""
    yield
    if not COUNTS:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    lines = [f"{MAX_DEPTH=}; {sum(COUNTS.values())} cases", ""]
    lines += [f"{op:40} {n:4} cases" for op, n in COUNTS.items()]
    lines += ["", "Not exercised:"]
    seen = set()
    for s in SKIPPED:
        if (s.op, s.where, s.what) not in seen:
            seen.add((s.op, s.where, s.what))
            lines.append(f"  {s.op} {s.where}: {s.what}: {s.why}")
    (ARTIFACTS / "invalid-inputs.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _start(tmp_path_factory, name: str) -> TocsinServer:
    server = TocsinServer(tmp_path_factory.mktemp(name), ["--rate-limit-per-key", "0"])
    server.start()
    return server


@pytest.fixture(scope="module")
def incidents_world(tmp_path_factory):
    server = _start(tmp_path_factory, "invalid-inputs-incidents")
    try:
        world = IncidentsWorld(server)
        world.build()
        yield world
    finally:
        server.stop()


@pytest.fixture(scope="module")
def events_world(tmp_path_factory):
    server = _start(tmp_path_factory, "invalid-inputs-events")
    try:
        world = EventsWorld(server)
        world.build()
        yield world
    finally:
        server.stop()


# Known gaps: cases the server does not refuse yet, one label per line in
# invalid_input_gaps.txt (none today: every generated case is refused). A listed case must
# still fail (strict: once the server refuses it, the test fails until the line is removed),
# so the list only shrinks. TOCSIN_RECORD_GAPS=1 writes a run's failures there.
GAPS_FILE = Path(__file__).with_name("invalid_input_gaps.txt")
GAPS = {
    line.strip()
    for line in (GAPS_FILE.read_text().splitlines() if GAPS_FILE.exists() else [])
    if line.strip() and not line.startswith("#")
}
RECORD_GAPS = os.environ.get("TOCSIN_RECORD_GAPS") == "1"
RECORDED: set[str] = set()


def check_gap(label: str, problems: list[str], message: str) -> None:
    """Fails on `problems` unless `label` is a listed gap; fails a listed gap that is fixed."""
    if RECORD_GAPS:
        if problems:
            RECORDED.add(label)
            with GAPS_FILE.open("a") as f:
                f.write(label + "\n")
        return
    if label in GAPS:
        if not problems:
            pytest.fail(f"{label}: now refused as it should be; remove it from {GAPS_FILE.name}", pytrace=False)
        return
    if problems:
        pytest.fail(message, pytrace=False)


def run_matrix(world: World, op: str, subtests) -> None:
    world.setup(op)
    base = world.bases()[op]
    cases = generate(world.service, op, base, world.unique.get(op))
    COUNTS[f"{world.service} {op}"] = len(cases)
    before = world.state()
    for case in cases:
        with subtests.test(msg=case.label):
            outcome = world.sender.send(op, case.params)
            problems = problems_of(outcome, case, world.protocol)
            if outcome.status is not None and 200 <= outcome.status < 300:
                world.undo(op)
            if outcome.status is None:
                world.sender.check_alive()
            sent = "left out" if case.value is ABSENT else f"= {short(case.value)}"
            check_gap(
                case.label,
                problems,
                f"{case.label}\n  {case.where} {sent}; input {short(case.params)}\n  " + "\n  ".join(problems),
            )
    after = world.state()
    with subtests.test(msg=f"{op}: the {len(cases)} invalid inputs wrote nothing"):
        diff = differences(world, before, after)
        check_gap(f"{op}: writes", diff, f"{op}: invalid inputs wrote:\n  " + "\n  ".join(diff))
    with subtests.test(msg=f"{op}: control: the valid input is not refused as invalid"):
        params = copy.deepcopy(base)
        unique = world.unique.get(op)
        if unique:
            params[unique] = f"{params[unique]}-ok"
        outcome = world.sender.send(op, params)
        if outcome.status is None:
            world.sender.check_alive()
            pytest.fail(f"{op}: the valid input {short(params)} got no answer: {outcome.exception}", pytrace=False)
        if outcome.code in NOT_VALID:
            pytest.fail(
                f"{op}: the valid input {short(params)} was refused: HTTP {outcome.status} {outcome.code}: "
                f"{outcome.message} (so its invalid variants prove little)",
                pytrace=False,
            )
    world.settle()


@pytest.mark.parametrize("op", INCIDENT_OPS)
def test_ssm_incidents_invalid_input(op, incidents_world, subtests):
    run_matrix(incidents_world, op, subtests)


@pytest.mark.parametrize("op", EVENT_OPS)
def test_events_invalid_input(op, events_world, subtests):
    run_matrix(events_world, op, subtests)
