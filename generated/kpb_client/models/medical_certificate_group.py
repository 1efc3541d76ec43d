from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.license_category import LicenseCategory


T = TypeVar("T", bound="MedicalCertificateGroup")


@_attrs_define
class MedicalCertificateGroup:
    """A group (for example `Gruppe 1`) of licence categories."""

    id: UUID
    """ A .NET `Guid`, serialised in lowercase with hyphens. """
    name: str
    license_categories: list[LicenseCategory]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        license_categories = []
        for license_categories_item_data in self.license_categories:
            license_categories_item = license_categories_item_data.to_dict()
            license_categories.append(license_categories_item)

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
        from ..models.license_category import LicenseCategory

        d = dict(src_dict)
        id = UUID(d.pop("Id"))

        name = d.pop("Name")

        license_categories = []
        _license_categories = d.pop("LicenseCategories")
        for license_categories_item_data in _license_categories:
            license_categories_item = LicenseCategory.from_dict(
                license_categories_item_data
            )

            license_categories.append(license_categories_item)

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
