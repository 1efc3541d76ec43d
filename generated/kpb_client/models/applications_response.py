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

from ..models.application import Application

T = TypeVar("T", bound="ApplicationsResponse")


@_attrs_define
class ApplicationsResponse:
    """The answer of `GET /Application` (PDF §3.2.2.2)."""

    applications: list[Application] | None
    """ Every application of the person; `null` reads as none (D22). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    WIRE_NAMES: ClassVar[Mapping[str, str]] = {
        "applications": "Applications",
    }
    """ The JSON member name of each field, in the spec's order. """
    TIMESTAMP_FIELDS: ClassVar[frozenset[str]] = frozenset()
    """ The fields that hold a KPB timestamp (a string of the spec's time-zone-marked schema). """

    def to_dict(self) -> dict[str, Any]:
        applications: list[dict[str, Any]] | None
        if isinstance(self.applications, list):
            applications = []
            for applications_type_0_item_data in self.applications:
                applications_type_0_item = applications_type_0_item_data.to_dict()
                applications.append(applications_type_0_item)

        else:
            applications = self.applications

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Applications": applications,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _applications = d.pop("Applications")
        applications: list[Application] | None
        if isinstance(_applications, list):
            applications_type_0 = [
                Application.from_dict(item) for item in _applications
            ]

            applications = applications_type_0
        elif _applications is None:
            applications = None
        else:
            raise TypeError(
                f"Applications is {type(_applications).__name__}, not list[dict[str, Any]] | None"
            )

        applications_response = cls(
            applications=applications,
        )

        applications_response.additional_properties = d
        return applications_response

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
