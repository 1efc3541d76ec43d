from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    ClassVar,
    Self,
    TypeVar,
)
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.license_category import LicenseCategory

T = TypeVar("T", bound="MedicalCertificateGroup")


@_attrs_define
class MedicalCertificateGroup:
    """A group (for example `Gruppe 1`) of licence categories."""

    id: UUID
    """ A .NET `Guid`, serialised in lowercase with hyphens. """
    name: None | str
    """ The group's name, for example `Gruppe 1`. """
    license_categories: list[LicenseCategory] | None
    """ The licence categories of the group (D22). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    WIRE_NAMES: ClassVar[Mapping[str, str]] = {
        "id": "Id",
        "name": "Name",
        "license_categories": "LicenseCategories",
    }
    """ The JSON member name of each field, in the spec's order. """
    TIMESTAMP_FIELDS: ClassVar[frozenset[str]] = frozenset()
    """ The fields that hold a KPB timestamp (a string of the spec's time-zone-marked schema). """

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name: None | str
        name = self.name

        license_categories: list[dict[str, Any]] | None
        if isinstance(self.license_categories, list):
            license_categories = []
            for license_categories_type_0_item_data in self.license_categories:
                license_categories_type_0_item = (
                    license_categories_type_0_item_data.to_dict()
                )
                license_categories.append(license_categories_type_0_item)

        else:
            license_categories = self.license_categories

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Id": id,
                "Name": name,
                "LicenseCategories": license_categories,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("Id"))

        name: None | str = d.pop("Name")

        _license_categories = d.pop("LicenseCategories")
        license_categories: list[LicenseCategory] | None
        if isinstance(_license_categories, list):
            license_categories_type_0 = [
                LicenseCategory.from_dict(item) for item in _license_categories
            ]

            license_categories = license_categories_type_0
        elif _license_categories is None:
            license_categories = None
        else:
            raise TypeError(
                f"LicenseCategories is {type(_license_categories).__name__}, not list[dict[str, Any]] | None"
            )

        medical_certificate_group = cls(
            id=id,
            name=name,
            license_categories=license_categories,
        )

        medical_certificate_group.additional_properties = d
        return medical_certificate_group

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
