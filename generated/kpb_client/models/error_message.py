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

from ..types import UNSET, Unset

T = TypeVar("T", bound="ErrorMessage")


@_attrs_define
class ErrorMessage:
    """The body of every documented error (PDF §3.3): a JSON object with a `Message`. ASP.NET Web API adds other members to
    some errors, such as `MessageDetail` beside a 404's `Message`; clients must accept any extra member
    (DISCREPANCIES.md D18).

    """

    message: str
    """ A human-readable English or Danish reason. """
    message_detail: None | str | Unset = UNSET
    """ ASP.NET Web API's detail for developers, for example `No action was found on the controller 'Application'
    that matches the request.` on a 404. Not in the PDF; carries no contract. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    WIRE_NAMES: ClassVar[Mapping[str, str]] = {
        "message": "Message",
        "message_detail": "MessageDetail",
    }
    """ The JSON member name of each field, in the spec's order. """
    TIMESTAMP_FIELDS: ClassVar[frozenset[str]] = frozenset()
    """ The fields that hold a KPB timestamp (a string of the spec's time-zone-marked schema). """

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        message_detail: None | str | Unset
        if isinstance(self.message_detail, Unset):
            message_detail = UNSET
        else:
            message_detail = self.message_detail

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Message": message,
            }
        )
        if message_detail is not UNSET:
            field_dict["MessageDetail"] = message_detail

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        message = d.pop("Message")

        message_detail: None | str | Unset = d.pop("MessageDetail", UNSET)

        error_message = cls(
            message=message,
            message_detail=message_detail,
        )

        error_message.additional_properties = d
        return error_message

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
