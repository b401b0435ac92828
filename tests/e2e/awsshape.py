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


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _check_xml(shape, elem, path: str, errors: list[str]) -> None:
    """Walks a query-protocol XML element against a shape: members by element name, lists
    as <member>, maps as <entry><key/><value/></entry>, scalars as text that parses."""
    t = shape.type_name
    if t == "structure":
        children = {_local(c.tag): c for c in elem}
        for name in shape.required_members:
            if name not in children:
                errors.append(f"{path}.{name}: required member missing ({shape.name})")
        for name, child in children.items():
            if name not in shape.members:
                errors.append(f"{path}.{name}: not a member of {shape.name}")
                continue
            _check_xml(shape.members[name], child, f"{path}.{name}", errors)
    elif t == "list":
        for i, item in enumerate(elem):
            if _local(item.tag) != "member":
                errors.append(f"{path}[{i}]: list items are <member>, got <{_local(item.tag)}>")
            _check_xml(shape.member, item, f"{path}[{i}]", errors)
    elif t == "map":
        for i, entry in enumerate(elem):
            parts = {_local(c.tag): c for c in entry}
            if _local(entry.tag) != "entry" or set(parts) - {"key", "value"} or "key" not in parts:
                errors.append(f"{path}[{i}]: map items are <entry><key/><value/></entry>")
                continue
            if "value" in parts:
                _check_xml(shape.value, parts["value"], f"{path}[{parts['key'].text!r}]", errors)
    elif t == "string":
        if len(elem):
            errors.append(f"{path}: expected text ({shape.name})")
        elif shape.enum and (elem.text or "") not in shape.enum:
            errors.append(f"{path}: {elem.text!r} is not one of {shape.enum} ({shape.name})")
    elif t in ("integer", "long"):
        try:
            int(elem.text or "")
        except ValueError:
            errors.append(f"{path}: expected an integer ({shape.name}), got {elem.text!r}")
    elif t == "boolean":
        if (elem.text or "") not in ("true", "false"):
            errors.append(f"{path}: expected true or false ({shape.name}), got {elem.text!r}")


def _check_query_body(operation_model, text: str) -> None:
    import xml.etree.ElementTree as ET

    ns = operation_model.metadata.get("xmlNamespace", "")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        raise ShapeError(f"{operation_model.name}: response is not XML ({e}): {text[:500]}") from e
    errors: list[str] = []
    expected_root = f"{operation_model.name}Response"
    if root.tag != f"{{{ns}}}{expected_root}":
        errors.append(f"root is {root.tag}, expected {{{ns}}}{expected_root}")
    children = {_local(c.tag): c for c in root}
    if "ResponseMetadata" not in children or children["ResponseMetadata"].find(f"{{{ns}}}RequestId") is None:
        errors.append("no ResponseMetadata/RequestId")
    output = operation_model.output_shape
    wrapper = operation_model.output_shape.serialization.get("resultWrapper") if output is not None else None
    if output is not None and output.members:
        result = children.get(wrapper or f"{operation_model.name}Result")
        if result is None:
            errors.append(f"no <{wrapper}> element")
        else:
            _check_xml(output, result, operation_model.name, errors)
    if errors:
        raise ShapeError(
            f"{operation_model.name} response does not match the service model:\n  "
            + "\n  ".join(errors)
            + f"\nbody: {text[:2000]}"
        )


def check_response_body(operation_model, body: bytes) -> None:
    output = operation_model.output_shape
    text = body.decode("utf-8") if body else ""
    if operation_model.metadata.get("protocol") == "query":
        _check_query_body(operation_model, text)
        return
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
