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

from ..models.application_status_code import ApplicationStatusCode

T = TypeVar("T", bound="ApplicationStatus")


@_attrs_define
class ApplicationStatus:
    """Status of an application (PDF §3.2.2.2, Bilag B). The PDF's table describes it as the status of a medical
    certificate; that is a copy error.

    """

    code: ApplicationStatusCode | int
    """ An application status code: one of Bilag B (`ApplicationStatusCode`), or any other integer, kept as it came,
    such as 11 `Prøve bestilt` (D4). """
    name: None | str
    """ Danish name of the status as KPB sends it, for example `Prøve bestilt`. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    WIRE_NAMES: ClassVar[Mapping[str, str]] = {
        "code": "Code",
        "name": "Name",
    }
    """ The JSON member name of each field, in the spec's order. """
    TIMESTAMP_FIELDS: ClassVar[frozenset[str]] = frozenset()
    """ The fields that hold a KPB timestamp (a string of the spec's time-zone-marked schema). """

    def to_dict(self) -> dict[str, Any]:
        code: int
        if isinstance(self.code, ApplicationStatusCode):
            code = self.code.value
        else:
            code = self.code

        name: None | str
        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Code": code,
                "Name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _code = d.pop("Code")
        code: ApplicationStatusCode | int
        if isinstance(_code, int):
            try:
                code = ApplicationStatusCode(_code)
            except ValueError:  # not a documented value: the plain alternative
                code = _code
        else:
            code = _code

        name: None | str = d.pop("Name")

        application_status = cls(
            code=code,
            name=name,
        )

        application_status.additional_properties = d
        return application_status

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
