from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.medical_certificate import MedicalCertificate


T = TypeVar("T", bound="MedicalCertificatesResponse")


@_attrs_define
class MedicalCertificatesResponse:
    """The answer of `GET /MedicalCertificate` (PDF §3.2.1.2)."""

    medical_certificates: list[MedicalCertificate] | None
    """ Every medical certificate of the person; `null` reads as none (D22). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

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
        from ..models.medical_certificate import MedicalCertificate

        d = dict(src_dict)

        def _parse_medical_certificates(
            data: object,
        ) -> list[MedicalCertificate] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                medical_certificates_type_0 = []
                _medical_certificates_type_0 = data
                for (
                    medical_certificates_type_0_item_data
                ) in _medical_certificates_type_0:
                    medical_certificates_type_0_item = MedicalCertificate.from_dict(
                        medical_certificates_type_0_item_data
                    )

                    medical_certificates_type_0.append(medical_certificates_type_0_item)

                return medical_certificates_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[MedicalCertificate] | None, data)

        medical_certificates = _parse_medical_certificates(d.pop("MedicalCertificates"))

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
