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

from ..models.medical_certificate import MedicalCertificate

T = TypeVar("T", bound="MedicalCertificatesResponse")


@_attrs_define
class MedicalCertificatesResponse:
    """The answer of `GET /MedicalCertificate` (PDF §3.2.1.2)."""

    medical_certificates: list[MedicalCertificate] | None
    """ Every medical certificate of the person; `null` reads as none (D22). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    WIRE_NAMES: ClassVar[Mapping[str, str]] = {
        "medical_certificates": "MedicalCertificates",
    }
    """ The JSON member name of each field, in the spec's order. """
    TIMESTAMP_FIELDS: ClassVar[frozenset[str]] = frozenset()
    """ The fields that hold a KPB timestamp (a string of the spec's time-zone-marked schema). """

    def to_dict(self) -> dict[str, Any]:
        medical_certificates: list[dict[str, Any]] | None
        if isinstance(self.medical_certificates, list):
            medical_certificates = []
            for medical_certificates_type_0_item_data in self.medical_certificates:
                medical_certificates_type_0_item = (
                    medical_certificates_type_0_item_data.to_dict()
                )
                medical_certificates.append(medical_certificates_type_0_item)

        else:
            medical_certificates = self.medical_certificates

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "MedicalCertificates": medical_certificates,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _medical_certificates = d.pop("MedicalCertificates")
        medical_certificates: list[MedicalCertificate] | None
        if isinstance(_medical_certificates, list):
            medical_certificates_type_0 = [
                MedicalCertificate.from_dict(item) for item in _medical_certificates
            ]

            medical_certificates = medical_certificates_type_0
        elif _medical_certificates is None:
            medical_certificates = None
        else:
            raise TypeError(
                f"MedicalCertificates is {type(_medical_certificates).__name__}, not list[dict[str, Any]] | None"
            )

        medical_certificates_response = cls(
            medical_certificates=medical_certificates,
        )

        medical_certificates_response.additional_properties = d
        return medical_certificates_response

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
