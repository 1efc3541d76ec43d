from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.application import Application


T = TypeVar("T", bound="ApplicationsResponse")


@_attrs_define
class ApplicationsResponse:
    """The answer of `GET /Application` (PDF §3.2.2.2)."""

    applications: list[Application] | None
    """ Every application of the person; `null` reads as none (D22). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

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
        from ..models.application import Application

        d = dict(src_dict)

        def _parse_applications(data: object) -> list[Application] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                applications_type_0 = []
                _applications_type_0 = data
                for applications_type_0_item_data in _applications_type_0:
                    applications_type_0_item = Application.from_dict(
                        applications_type_0_item_data
                    )

                    applications_type_0.append(applications_type_0_item)

                return applications_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Application] | None, data)

        applications = _parse_applications(d.pop("Applications"))

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
