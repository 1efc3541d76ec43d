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

from ..models.medical_certificate_status_code import MedicalCertificateStatusCode

T = TypeVar("T", bound="MedicalCertificateStatus")


@_attrs_define
class MedicalCertificateStatus:
    """Status of a medical certificate (PDF §3.2.1.2, Bilag B)."""

    code: int | MedicalCertificateStatusCode
    """ A medical certificate status code: one of Bilag B (`MedicalCertificateStatusCode`), or any other integer,
    kept as it came (D4). """
    name: None | str
    """ Danish name of the status as KPB sends it, for example `Godkendt`. """
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
        if isinstance(self.code, MedicalCertificateStatusCode):
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
        code: int | MedicalCertificateStatusCode
        if isinstance(_code, int):
            try:
                code = MedicalCertificateStatusCode(_code)
            except ValueError:  # not a documented value: the plain alternative
                code = _code
        else:
            code = _code

        name: None | str = d.pop("Name")

        medical_certificate_status = cls(
            code=code,
            name=name,
        )

        medical_certificate_status.additional_properties = d
        return medical_certificate_status

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
