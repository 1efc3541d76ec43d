"""Turning one applications body into models, with no network: each step on its own.

The steps are those of ``KpbClient.applications`` after the body has arrived
(``json.loads``, the shape check, the generated ``from_dict``), then what a caller does
with the result: status, event types and exam status as enums, and every timestamp as
an aware datetime.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
from _timing import time_per_call

from kpb_client.models import (
    Application,
    ApplicationEvent,
    ApplicationExam,
    ApplicationsResponse,
    ApplicationStatus,
)
from kpb_ext import (
    application_is_active,
    application_status,
    event_type,
    events_in_order,
    exam_status,
    exam_time,
    exams_by_date,
)
from kpb_ext._responses import read_model
from kpb_ext._shape import body_problem


def use_helpers(applications: list[Application]) -> None:
    """What a caller asks of each application: enums and aware datetimes."""
    for application in applications:
        application_status(application)
        application_is_active(application)
        for event in events_in_order(application):
            event_type(event)
        for exam in exams_by_date(application):
            exam_status(exam)
            exam_time(exam)


def parse_steps(body: bytes, number: int, repeat: int) -> dict[str, Any]:
    """Microseconds per body for each step, and the whole against ``json.loads``."""
    response = httpx.Response(200, content=body)
    data = json.loads(body)
    models = ApplicationsResponse.from_dict(data).applications
    applications = data["Applications"]

    def whole() -> None:
        use_helpers(read_model(response, ApplicationsResponse).applications)

    steps: dict[str, Callable[[], object]] = {
        "json_loads": lambda: json.loads(body),
        "shape_check": lambda: body_problem(ApplicationsResponse, data),
        "from_dict": lambda: ApplicationsResponse.from_dict(data),
        "helpers": lambda: use_helpers(models),
        "read_model": lambda: read_model(response, ApplicationsResponse),
        "whole": whole,
    }
    # Alternate the steps over the repeats, as elsewhere, so that drift hits them all.
    runs: dict[str, list[float]] = {name: [] for name in steps}
    for index in range(repeat):
        for name in steps if index % 2 == 0 else reversed(list(steps)):
            runs[name].append(time_per_call(steps[name], number, 1))
    us = {name: sorted(values)[len(values) // 2] * 1e6 for name, values in runs.items()}

    events = [event for app in applications for event in app["ApplicationEvents"]]
    exams = [exam for app in applications for exam in app["ApplicationExams"]]
    per_model = {
        "ApplicationEvent": _per_item(ApplicationEvent.from_dict, events, number, repeat),
        "ApplicationExam": _per_item(ApplicationExam.from_dict, exams, number, repeat),
        "ApplicationStatus": _per_item(
            ApplicationStatus.from_dict,
            [app["ApplicationStatus"] for app in applications],
            number,
            repeat,
        ),
        "Application (without exams and events)": _per_item(
            Application.from_dict,
            [{**app, "ApplicationExams": [], "ApplicationEvents": []} for app in applications],
            number,
            repeat,
        ),
    }
    return {
        "body_bytes": len(body),
        "applications": len(applications),
        "events": len(events),
        "exams": len(exams),
        "us_per_body": us,
        "from_dict_us_by_model": per_model,
        "parse_over_json_loads": us["whole"] / us["json_loads"],
    }


def _per_item(
    parse: Callable[[Any], object], items: list[Any], number: int, repeat: int
) -> float | None:
    """Microseconds for one ``from_dict`` of one item (None when the body has none)."""
    if not items:
        return None

    def all_items() -> None:
        for item in items:
            parse(item)

    return time_per_call(all_items, max(1, number // len(items)), repeat) / len(items) * 1e6
