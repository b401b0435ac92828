"""Strict check of Tocsin's JSON responses against the botocore service models.

botocore parses leniently (a missing required member or a string where the model says
integer goes through unnoticed), so the e2e clients also walk every successful response
body against the operation's output shape: required members present, JSON types as the
model says, enum values from the model, timestamps as epoch-second numbers (rest-json and
awsJson1.1 default), no members the model does not know.
"""

from __future__ import annotations

import json

import boto3
from botocore.config import Config


class ShapeError(AssertionError):
    pass


def _check(shape, value, path: str, errors: list[str]) -> None:
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected an object ({shape.name}), got {value!r}")
            return
        for name in shape.required_members:
            member = shape.members[name]
            if member.serialization.get("location"):
                continue  # header/status code members are not in the body
            if name not in value:
                errors.append(f"{path}.{name}: required member missing ({shape.name})")
        for key, v in value.items():
            if key not in shape.members:
                errors.append(f"{path}.{key}: not a member of {shape.name}")
                continue
            if v is None:
                continue
            _check(shape.members[key], v, f"{path}.{key}", errors)
        if shape.metadata.get("union") and len([k for k, v in value.items() if v is not None]) != 1:
            errors.append(f"{path}: union {shape.name} must have exactly one member set")
    elif t == "list":
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list ({shape.name}), got {value!r}")
            return
        for i, item in enumerate(value):
            _check(shape.member, item, f"{path}[{i}]", errors)
    elif t == "map":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a map ({shape.name}), got {value!r}")
            return
        for k, v in value.items():
            _check(shape.value, v, f"{path}[{k!r}]", errors)
    elif t == "string":
        if not isinstance(value, str):
            errors.append(f"{path}: expected a string ({shape.name}), got {value!r}")
        elif shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} is not one of {shape.enum} ({shape.name})")
    elif t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(f"{path}: expected an integer ({shape.name}), got {value!r}")
    elif t in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append(f"{path}: expected a number ({shape.name}), got {value!r}")
    elif t == "boolean":
        if not isinstance(value, bool):
            errors.append(f"{path}: expected a boolean ({shape.name}), got {value!r}")
    elif t == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append(f"{path}: expected epoch seconds (a JSON number) ({shape.name}), got {value!r}")
    # blob and document: not used by the operations under test


def check_response_body(operation_model, body: bytes) -> None:
    output = operation_model.output_shape
    text = body.decode("utf-8") if body else ""
    if output is None or not output.members:
        if text.strip() not in ("", "{}"):
            raise ShapeError(f"{operation_model.name}: expected an empty body, got {text[:500]}")
        return
    try:
        doc = json.loads(text) if text.strip() else {}
    except ValueError as e:
        raise ShapeError(f"{operation_model.name}: response is not JSON ({e}): {text[:500]}") from e
    errors: list[str] = []
    _check(output, doc, operation_model.name, errors)
    if errors:
        raise ShapeError(
            f"{operation_model.name} response does not match the service model:\n  "
            + "\n  ".join(errors)
            + f"\nbody: {text[:2000]}"
        )


def _after_call(http_response, parsed, model, **kwargs):
    if 200 <= http_response.status_code < 300:
        check_response_body(model, http_response.content)


def aws_client(
    service: str,
    endpoint_url: str,
    credentials: tuple[str, str],
    *,
    validate: bool = True,
    region: str = "us-east-1",
):
    """A boto3 client pointed at Tocsin, signing (SigV4) with `credentials` (access key id,
    secret), with no retries.

    validate=False turns off botocore's client-side parameter validation (to send input
    the server itself must reject).
    """
    session = boto3.session.Session(
        aws_access_key_id=credentials[0],
        aws_secret_access_key=credentials[1],
        region_name=region,
    )
    client = session.client(
        service,
        endpoint_url=endpoint_url,
        config=Config(
            parameter_validation=validate,
            retries={"total_max_attempts": 1},
            connect_timeout=5,
            read_timeout=30,
        ),
    )
    client.meta.events.register("after-call", _after_call)
    return client
