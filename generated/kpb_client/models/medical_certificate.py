from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.medical_certificate_group import MedicalCertificateGroup
    from ..models.medical_certificate_status import MedicalCertificateStatus


T = TypeVar("T", bound="MedicalCertificate")


@_attrs_define
class MedicalCertificate:
    """A medical certificate (lægeerklæring) registered on the person."""

    id: UUID
    """ A .NET `Guid`, serialised in lowercase with hyphens. """
    status: MedicalCertificateStatus | None
    """ The certificate's status; `null` when KPB has none to give (D22). """
    issue_date: str
    """ A .NET `DateTime` as KPB sends it: local Danish time (`Europe/Copenhagen`, with daylight saving), **no
    offset**, and 0 to 7 fractional digits of a second (100-nanosecond ticks; trailing zeros dropped). Examples:
    `2018-04-16T00:00:00`, `2018-05-25T10:36:07.409073`, `2018-02-09T11:54:36.9625113`. Not RFC 3339 `date-time`,
    which requires an offset; keep the string to round-trip all seven digits, and attach the time zone when
    converting. """
    receive_date: str
    """ A .NET `DateTime` as KPB sends it: local Danish time (`Europe/Copenhagen`, with daylight saving), **no
    offset**, and 0 to 7 fractional digits of a second (100-nanosecond ticks; trailing zeros dropped). Examples:
    `2018-04-16T00:00:00`, `2018-05-25T10:36:07.409073`, `2018-02-09T11:54:36.9625113`. Not RFC 3339 `date-time`,
    which requires an offset; keep the string to round-trip all seven digits, and attach the time zone when
    converting. """
    expire_date: str
    """ A .NET `DateTime` as KPB sends it: local Danish time (`Europe/Copenhagen`, with daylight saving), **no
    offset**, and 0 to 7 fractional digits of a second (100-nanosecond ticks; trailing zeros dropped). Examples:
    `2018-04-16T00:00:00`, `2018-05-25T10:36:07.409073`, `2018-02-09T11:54:36.9625113`. Not RFC 3339 `date-time`,
    which requires an offset; keep the string to round-trip all seven digits, and attach the time zone when
    converting. """
    medical_certificate_groups: list[MedicalCertificateGroup] | None
    """ The groups of licence categories the certificate covers (D22). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.medical_certificate_status import MedicalCertificateStatus

        id = str(self.id)

        status: dict[str, Any] | None
        if isinstance(self.status, MedicalCertificateStatus):
            status = self.status.to_dict()
        else:
            status = self.status

        issue_date = self.issue_date

        receive_date = self.receive_date

        expire_date = self.expire_date

        medical_certificate_groups: list[dict[str, Any]] | None
        if isinstance(self.medical_certificate_groups, list):
            medical_certificate_groups = []
            for (
                medical_certificate_groups_type_0_item_data
            ) in self.medical_certificate_groups:
                medical_certificate_groups_type_0_item = (
                    medical_certificate_groups_type_0_item_data.to_dict()
                )
                medical_certificate_groups.append(
                    medical_certificate_groups_type_0_item
                )

        else:
            medical_certificate_groups = self.medical_certificate_groups

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Id": id,
                "Status": status,
                "IssueDate": issue_date,
                "ReceiveDate": receive_date,
                "ExpireDate": expire_date,
                "MedicalCertificateGroups": medical_certificate_groups,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.medical_certificate_group import MedicalCertificateGroup
        from ..models.medical_certificate_status import MedicalCertificateStatus

        d = dict(src_dict)
        id = UUID(d.pop("Id"))

        def _parse_status(data: object) -> MedicalCertificateStatus | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                status_type_0 = MedicalCertificateStatus.from_dict(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MedicalCertificateStatus | None, data)

        status = _parse_status(d.pop("Status"))

        issue_date = d.pop("IssueDate")

        receive_date = d.pop("ReceiveDate")

        expire_date = d.pop("ExpireDate")

        def _parse_medical_certificate_groups(
            data: object,
        ) -> list[MedicalCertificateGroup] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                medical_certificate_groups_type_0 = []
                _medical_certificate_groups_type_0 = data
                for (
                    medical_certificate_groups_type_0_item_data
                ) in _medical_certificate_groups_type_0:
                    medical_certificate_groups_type_0_item = (
                        MedicalCertificateGroup.from_dict(
                            medical_certificate_groups_type_0_item_data
                        )
                    )

                    medical_certificate_groups_type_0.append(
                        medical_certificate_groups_type_0_item
                    )

                return medical_certificate_groups_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[MedicalCertificateGroup] | None, data)

        medical_certificate_groups = _parse_medical_certificate_groups(
            d.pop("MedicalCertificateGroups")
        )

        medical_certificate = cls(
            id=id,
            status=status,
            issue_date=issue_date,
            receive_date=receive_date,
            expire_date=expire_date,
            medical_certificate_groups=medical_certificate_groups,
        )

        medical_certificate.additional_properties = d
        return medical_certificate

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
