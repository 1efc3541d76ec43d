from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

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

        def _parse_code(data: object) -> int | MedicalCertificateStatusCode:
            try:
                if not isinstance(data, int):
                    raise TypeError()
                componentsschemas_open_medical_certificate_status_code_type_0 = (
                    MedicalCertificateStatusCode(data)
                )

                return componentsschemas_open_medical_certificate_status_code_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(int | MedicalCertificateStatusCode, data)

        code = _parse_code(d.pop("Code"))

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("Name"))

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
