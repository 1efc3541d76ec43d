"""Checks that a decoded JSON body has the shape of a generated model, before parsing it.

The generated ``from_dict`` does not check leaf types: it keeps a ``"Name": 7`` or a
``"Code": "2"`` as it came, reads a JSON ``true`` as the code 1, and leaves timestamps
as any string. So the decoded body is checked first, against rules compiled once per
model class from the generated models themselves: their attrs fields and type hints,
and the metadata the templates give each model, ``WIRE_NAMES`` (the JSON member of
each field) and ``TIMESTAMP_FIELDS`` (the fields that hold a ``KpbDateTime``). The rules
are: required members present, each value of its JSON type, every timestamp matching
the spec's pattern, every GUID a GUID. Members the spec does not name are allowed. It
costs a few type tests per value; there is no schema validation on the request path.

A check returns None, or where and what the first problem is, in wire names, for
example ``.Applications[0].ApplicationEvents[2].CreatedDate is not a KPB timestamp``.
"""

from __future__ import annotations

import enum
import re
import types
import typing
import uuid
from collections.abc import Callable
from typing import Any, Final

import attrs

import kpb_client.models as models
from kpb_client.types import Unset

from ._time import KPB_DATETIME_PATTERN

__all__ = ["body_problem"]

Check = Callable[[object], str | None]

_TIMESTAMP: Final = re.compile(KPB_DATETIME_PATTERN)
# The spec's Guid pattern: the generated parser would raise for a bad GUID, but with a
# message that does not say where.
_GUID: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z"
)
_FORMATS: Final = {
    "timestamp": (_TIMESTAMP, "a KPB timestamp (YYYY-MM-DDThh:mm:ss[.fffffff], no offset)"),
    "guid": (_GUID, "a GUID"),
}
_NAMESPACE: Final[dict[str, Any]] = {
    **{name: getattr(models, name) for name in models.__all__},
    "Unset": Unset,
}
_compiled: dict[type, Check] = {}
_ABSENT: Final = object()


def body_problem(model: type, data: object) -> str | None:
    """The first problem of *data* as a body of *model*, or None when it fits."""
    return _checker(model)(data)


def _checker(model: type) -> Check:
    """The compiled check of *model*; nested models' checks are called directly."""
    check = _compiled.get(model)
    if check is None:
        # Stands in while the model is compiled, should it contain itself.
        _compiled[model] = lambda value: _compiled[model](value)
        check = _compiled[model] = _model_check(model)
    return check


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, localns=_NAMESPACE)


def _fields(cls: type) -> list[attrs.Attribute[Any]]:
    return [f for f in attrs.fields(cls) if f.name != "additional_properties"]


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return {dict: "object", list: "array", str: "string", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


def _model_check(cls: type) -> Check:
    # Members fall in three groups, checked in tight loops without a call per value:
    # scalars (by JSON type), formatted strings (timestamps and GUIDs, by pattern), and
    # nested objects and arrays.
    hints = _hints(cls)
    names: typing.Mapping[str, str] = cls.WIRE_NAMES  # type: ignore[attr-defined]
    timestamps: frozenset[str] = cls.TIMESTAMP_FIELDS  # type: ignore[attr-defined]
    scalars: list[tuple[str, bool, frozenset[type], str]] = []
    formatted: list[tuple[str, bool, str]] = []
    nested: list[tuple[str, bool, Check]] = []
    for field in _fields(cls):
        wire, required, tp = names[field.name], field.default is attrs.NOTHING, hints[field.name]
        allowed = _scalar_types(tp)
        if field.name in timestamps:
            formatted.append((wire, required, "timestamp"))
        elif tp is uuid.UUID:
            formatted.append((wire, required, "guid"))
        elif allowed is not None:
            scalars.append((wire, required, allowed, _expected(tp)))
        else:
            nested.append((wire, required, _type_check(tp)))

    def check_object(value: object) -> str | None:
        if type(value) is not dict:
            return f" is {_kind(value)}, expected an object ({cls.__name__})"
        get = value.get
        for wire, required, allowed, expected in scalars:
            member = get(wire, _ABSENT)
            if type(member) not in allowed:
                if member is not _ABSENT:
                    return f".{wire} is {_kind(member)}, expected {expected}"
                if required:
                    return f".{wire} is missing"
        for wire, required, kind in formatted:
            member = get(wire, _ABSENT)
            if type(member) is not str or _FORMATS[kind][0].match(member) is None:
                if member is not _ABSENT:
                    return f".{wire}{_format_problem(member, kind)}"
                if required:
                    return f".{wire} is missing"
        for wire, required, check in nested:
            member = get(wire, _ABSENT)
            if member is _ABSENT:
                if required:
                    return f".{wire} is missing"
                continue
            problem = check(member)
            if problem is not None:
                return f".{wire}{problem}"
        return None

    return check_object


def _format_problem(value: object, kind: str) -> str:
    expected = _FORMATS[kind][1]
    if type(value) is not str:
        return f" is {_kind(value)}, expected {expected.split(' (')[0]} string"
    return f" is not {expected}"


def _type_check(tp: object) -> Check:
    allowed = _scalar_types(tp)
    if allowed is not None:
        expected = _expected(tp)

        def scalar(value: object) -> str | None:
            return None if type(value) in allowed else f" is {_kind(value)}, expected {expected}"

        return scalar
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        # An object or list that may be null (D22): null passes, anything else is checked.
        (inner,) = [arg for arg in typing.get_args(tp) if arg not in (type(None), Unset)]
        check = _type_check(inner)

        def nullable(value: object) -> str | None:
            return None if value is None else check(value)

        return nullable
    if typing.get_origin(tp) is list:
        (item_type,) = typing.get_args(tp)
        item = _type_check(item_type)

        def sequence(value: object) -> str | None:
            if type(value) is not list:
                return f" is {_kind(value)}, expected an array"
            for index, element in enumerate(value):
                problem = item(element)
                if problem is not None:
                    return f"[{index}]{problem}"
            return None

        return sequence
    if isinstance(tp, type) and attrs.has(tp):
        return _checker(tp)
    raise TypeError(f"no JSON shape for {tp!r}")  # a new type in the generated models


def _scalar_types(tp: object) -> frozenset[type] | None:
    """The JSON types (as Python types) a scalar member may have; None if not a scalar."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        options = [_scalar_types(arg) for arg in typing.get_args(tp) if arg is not Unset]
        if any(option is None for option in options):
            return None
        return frozenset().union(*options)  # type: ignore[arg-type]
    if tp is type(None):
        return frozenset({type(None)})
    if tp is int or (isinstance(tp, type) and issubclass(tp, enum.IntEnum)):
        return frozenset({int})  # and so never bool: type(True) is bool
    if tp in (str, uuid.UUID):
        return frozenset({str})
    return None


def _expected(tp: object) -> str:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        parts = (_expected(arg) for arg in typing.get_args(tp) if arg is not Unset)
        return " or ".join(dict.fromkeys(parts))
    return {type(None): "null", str: "a string", uuid.UUID: "a GUID string"}.get(tp, "an integer")
