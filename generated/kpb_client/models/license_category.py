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

T = TypeVar("T", bound="LicenseCategory")


@_attrs_define
class LicenseCategory:
    """A driving-licence category."""

    id: UUID
    """ A .NET `Guid`, serialised in lowercase with hyphens. """
    code: None | str
    """ Category code as KPB writes it; not restricted to the short codes of the law: `B`, `A2`, `B+`, `T/M`, `E
    (B/E)`, `AM (lille knallert)` all occur. """
    name: None | str
    """ Danish name of the category, for example `Almindelig bil`. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    WIRE_NAMES: ClassVar[Mapping[str, str]] = {
        "id": "Id",
        "code": "Code",
        "name": "Name",
    }
    """ The JSON member name of each field, in the spec's order. """
    TIMESTAMP_FIELDS: ClassVar[frozenset[str]] = frozenset()
    """ The fields that hold a KPB timestamp (a string of the spec's time-zone-marked schema). """

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        code: None | str
        code = self.code

        name: None | str
        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Id": id,
                "Code": code,
                "Name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("Id"))

        code: None | str = d.pop("Code")

        name: None | str = d.pop("Name")

        license_category = cls(
            id=id,
            code=code,
            name=name,
        )

        license_category.additional_properties = d
        return license_category

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
