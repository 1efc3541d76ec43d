from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    ClassVar,
    Self,
    TypeVar,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.application_event_type import ApplicationEventType

T = TypeVar("T", bound="ApplicationEvent")


@_attrs_define
class ApplicationEvent:
    """One entry of an application's history."""

    type_: ApplicationEventType | int | str
    """ An event type: one of Bilag B (`ApplicationEventType`), any other integer, or a string, each kept as it came
    (D3, D4). """
    name: None | str
    """ Danish text of the event, for example `Teoriprøve bestilt`. """
    user: None | str
    """ Who performed it, as `role or name, organisation`, for example `Borgerservice, Københavns kommune`; `null`
    for an event set by the system itself, such as a theory test set to expired (D22). """
    created_date: str
    """ A .NET `DateTime` as KPB sends it: local Danish time (`Europe/Copenhagen`, with daylight saving), **no
    offset**, and 0 to 7 fractional digits of a second (100-nanosecond ticks; trailing zeros dropped). Examples:
    `2018-04-16T00:00:00`, `2018-05-25T10:36:07.409073`, `2018-02-09T11:54:36.9625113`. Not RFC 3339 `date-time`,
    which requires an offset; keep the string to round-trip all seven digits, and attach the time zone when
    converting. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    WIRE_NAMES: ClassVar[Mapping[str, str]] = {
        "type_": "Type",
        "name": "Name",
        "user": "User",
        "created_date": "CreatedDate",
    }
    """ The JSON member name of each field, in the spec's order. """
    TIMESTAMP_FIELDS: ClassVar[frozenset[str]] = frozenset({"created_date"})
    """ The fields that hold a KPB timestamp (a string of the spec's time-zone-marked schema). """

    def to_dict(self) -> dict[str, Any]:
        type_: int | str
        if isinstance(self.type_, ApplicationEventType):
            type_ = self.type_.value
        else:
            type_ = self.type_

        name: None | str
        name = self.name

        user: None | str
        user = self.user

        created_date = self.created_date

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Type": type_,
                "Name": name,
                "User": user,
                "CreatedDate": created_date,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _type_ = d.pop("Type")
        type_: ApplicationEventType | int | str
        if isinstance(_type_, int):
            try:
                type_ = ApplicationEventType(_type_)
            except ValueError:  # not a documented value: the plain alternative
                type_ = _type_
        else:
            type_ = _type_

        name: None | str = d.pop("Name")

        user: None | str = d.pop("User")

        created_date = d.pop("CreatedDate")

        application_event = cls(
            type_=type_,
            name=name,
            user=user,
            created_date=created_date,
        )

        application_event.additional_properties = d
        return application_event

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
