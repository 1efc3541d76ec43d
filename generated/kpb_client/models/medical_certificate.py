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

    WIRE_NAMES: ClassVar[Mapping[str, str]] = {
        "id": "Id",
        "status": "Status",
        "issue_date": "IssueDate",
        "receive_date": "ReceiveDate",
        "expire_date": "ExpireDate",
        "medical_certificate_groups": "MedicalCertificateGroups",
    }
    """ The JSON member name of each field, in the spec's order. """
    TIMESTAMP_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"issue_date", "receive_date", "expire_date"}
    )
    """ The fields that hold a KPB timestamp (a string of the spec's time-zone-marked schema). """

    def to_dict(self) -> dict[str, Any]:
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
        d = dict(src_dict)
        id = UUID(d.pop("Id"))

        _status = d.pop("Status")
        status: MedicalCertificateStatus | None
        if isinstance(_status, dict):
            status = MedicalCertificateStatus.from_dict(_status)
        elif _status is None:
            status = None
        else:
            raise TypeError(
                f"Status is {type(_status).__name__}, not dict[str, Any] | None"
            )

        issue_date = d.pop("IssueDate")

        receive_date = d.pop("ReceiveDate")

        expire_date = d.pop("ExpireDate")

        _medical_certificate_groups = d.pop("MedicalCertificateGroups")
        medical_certificate_groups: list[MedicalCertificateGroup] | None
        if isinstance(_medical_certificate_groups, list):
            medical_certificate_groups_type_0 = [
                MedicalCertificateGroup.from_dict(item)
                for item in _medical_certificate_groups
            ]

            medical_certificate_groups = medical_certificate_groups_type_0
        elif _medical_certificate_groups is None:
            medical_certificate_groups = None
        else:
            raise TypeError(
                f"MedicalCertificateGroups is {type(_medical_certificate_groups).__name__}, not list[dict[str, Any]] | None"
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
