from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.application_event import ApplicationEvent
    from ..models.application_exam import ApplicationExam
    from ..models.application_status import ApplicationStatus


T = TypeVar("T", bound="Application")


@_attrs_define
class Application:
    """A driving-test application (prøveforløb)."""

    id: UUID
    """ A .NET `Guid`, serialised in lowercase with hyphens. """
    license_category_code: None | str
    """ Licence category code, for example `B` or `AM (lille knallert)`. """
    license_category_name: None | str
    """ Licence category name, for example `Stor motorcykel`. """
    exam_type_code: None | str
    """ Exam type. Despite its name it holds the exam type's text, for example `1. gangserhvervelse`, `§ 94 stk. 1`,
    `§ 103 stk. 1` (PDF §3.2.2.3, Bilag A). """
    exam_type_name: None | str
    """ Exam type name; empty (`""`) in the PDF's example. """
    application_status: ApplicationStatus | None
    """ The application's status; `null` when KPB has none to give (D22). """
    application_exams: list[ApplicationExam] | None
    """ Booked and completed exams, theory and practical alike (D22). """
    application_events: list[ApplicationEvent] | None
    """ The application's history, oldest first in the PDF's examples (D22). """
    comment_further_proccessing: None | str | Unset = UNSET
    """ Comment given when the application was sent for further processing. Shown only in the PDF's example, with
    this spelling, so it is optional here. """
    comment_rejected: None | str | Unset = UNSET
    """ Comment given when the application was rejected. Shown only in the PDF's example, so it is optional here.
    """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.application_status import ApplicationStatus

        id = str(self.id)

        license_category_code: None | str
        license_category_code = self.license_category_code

        license_category_name: None | str
        license_category_name = self.license_category_name

        exam_type_code: None | str
        exam_type_code = self.exam_type_code

        exam_type_name: None | str
        exam_type_name = self.exam_type_name

        application_status: dict[str, Any] | None
        if isinstance(self.application_status, ApplicationStatus):
            application_status = self.application_status.to_dict()
        else:
            application_status = self.application_status

        application_exams: list[dict[str, Any]] | None
        if isinstance(self.application_exams, list):
            application_exams = []
            for application_exams_type_0_item_data in self.application_exams:
                application_exams_type_0_item = (
                    application_exams_type_0_item_data.to_dict()
                )
                application_exams.append(application_exams_type_0_item)

        else:
            application_exams = self.application_exams

        application_events: list[dict[str, Any]] | None
        if isinstance(self.application_events, list):
            application_events = []
            for application_events_type_0_item_data in self.application_events:
                application_events_type_0_item = (
                    application_events_type_0_item_data.to_dict()
                )
                application_events.append(application_events_type_0_item)

        else:
            application_events = self.application_events

        comment_further_proccessing: None | str | Unset
        if isinstance(self.comment_further_proccessing, Unset):
            comment_further_proccessing = UNSET
        else:
            comment_further_proccessing = self.comment_further_proccessing

        comment_rejected: None | str | Unset
        if isinstance(self.comment_rejected, Unset):
            comment_rejected = UNSET
        else:
            comment_rejected = self.comment_rejected

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Id": id,
                "LicenseCategoryCode": license_category_code,
                "LicenseCategoryName": license_category_name,
                "ExamTypeCode": exam_type_code,
                "ExamTypeName": exam_type_name,
                "ApplicationStatus": application_status,
                "ApplicationExams": application_exams,
                "ApplicationEvents": application_events,
            }
        )
        if comment_further_proccessing is not UNSET:
            field_dict["CommentFurtherProccessing"] = comment_further_proccessing
        if comment_rejected is not UNSET:
            field_dict["CommentRejected"] = comment_rejected

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.application_event import ApplicationEvent
        from ..models.application_exam import ApplicationExam
        from ..models.application_status import ApplicationStatus

        d = dict(src_dict)
        id = UUID(d.pop("Id"))

        def _parse_license_category_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        license_category_code = _parse_license_category_code(
            d.pop("LicenseCategoryCode")
        )

        def _parse_license_category_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        license_category_name = _parse_license_category_name(
            d.pop("LicenseCategoryName")
        )

        def _parse_exam_type_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        exam_type_code = _parse_exam_type_code(d.pop("ExamTypeCode"))

        def _parse_exam_type_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        exam_type_name = _parse_exam_type_name(d.pop("ExamTypeName"))

        def _parse_application_status(data: object) -> ApplicationStatus | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                application_status_type_0 = ApplicationStatus.from_dict(data)

                return application_status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ApplicationStatus | None, data)

        application_status = _parse_application_status(d.pop("ApplicationStatus"))

        def _parse_application_exams(data: object) -> list[ApplicationExam] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                application_exams_type_0 = []
                _application_exams_type_0 = data
                for application_exams_type_0_item_data in _application_exams_type_0:
                    application_exams_type_0_item = ApplicationExam.from_dict(
                        application_exams_type_0_item_data
                    )

                    application_exams_type_0.append(application_exams_type_0_item)

                return application_exams_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ApplicationExam] | None, data)

        application_exams = _parse_application_exams(d.pop("ApplicationExams"))

        def _parse_application_events(data: object) -> list[ApplicationEvent] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                application_events_type_0 = []
                _application_events_type_0 = data
                for application_events_type_0_item_data in _application_events_type_0:
                    application_events_type_0_item = ApplicationEvent.from_dict(
                        application_events_type_0_item_data
                    )

                    application_events_type_0.append(application_events_type_0_item)

                return application_events_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ApplicationEvent] | None, data)

        application_events = _parse_application_events(d.pop("ApplicationEvents"))

        def _parse_comment_further_proccessing(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        comment_further_proccessing = _parse_comment_further_proccessing(
            d.pop("CommentFurtherProccessing", UNSET)
        )

        def _parse_comment_rejected(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        comment_rejected = _parse_comment_rejected(d.pop("CommentRejected", UNSET))

        application = cls(
            id=id,
            license_category_code=license_category_code,
            license_category_name=license_category_name,
            exam_type_code=exam_type_code,
            exam_type_name=exam_type_name,
            application_status=application_status,
            application_exams=application_exams,
            application_events=application_events,
            comment_further_proccessing=comment_further_proccessing,
            comment_rejected=comment_rejected,
        )

        application.additional_properties = d
        return application

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
