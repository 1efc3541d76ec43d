"""The judgements of the spec's assumptions, one answer at a time: what each shows, and
what it must not be taken to show. Answers of ASP.NET Web API 2 that the simulator does
not give are written out here; the drift runs show the same judgements end to end."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from contract_tests._assumptions import (
    answer_assumptions,
    bad_cpr_assumption,
    method_assumption,
    spelling_assumption,
)
from contract_tests._transport import Exchange
from tests.ext import examples

BASE = "https://kpb.example/api"


def answer(path: str, status: int, body: Any, *, method: str = "GET", **headers: str) -> Exchange:
    return Exchange(
        started=dt.datetime.now(dt.UTC),
        elapsed=0.01,
        method=method,
        url=BASE + path,
        request_headers={},
        request_body=None,
        identity="the given certificate",
        status=status,
        response_headers={"Content-Type": "application/json; charset=utf-8", **headers},
        body=json.dumps(body).encode(),
    )


def verdicts(exchange: Exchange) -> set[tuple[str, str]]:
    return {(a.entry, a.verdict) for a in answer_assumptions(exchange, BASE)}


def test_a_null_value_type_contradicts_the_nullability_rule() -> None:
    body = examples.applications()
    body["Applications"][0]["ApplicationExams"][0]["ExamDate"] = None  # a C# DateTime?
    found = answer_assumptions(answer("/Application?cpr=0702614074", 200, body), BASE)
    (null,) = [a for a in found if a.entry == "D22" and a.verdict == "contradicted"]
    assert null.subject == "GET /Application Applications[].ApplicationExams[].ExamDate"


def test_a_null_string_confirms_it() -> None:
    body = examples.applications()
    body["Applications"][0]["ApplicationExams"][0]["ExamLocation"] = None
    assert ("D22", "confirmed") in verdicts(answer("/Application?cpr=0702614074", 200, body))
    assert ("D22", "contradicted") not in verdicts(answer("/Application?cpr=0702614074", 200, body))


def test_a_refused_certificate_says_nothing_about_cpr_methods_or_spelling() -> None:
    refused = {"Message": "Access not allowed for Certificate"}
    repeated = answer("/MedicalCertificate?cpr=0702614074&cpr=0702614074", 401, refused)
    assert bad_cpr_assumption(repeated, "/MedicalCertificate") is None
    posted = answer("/MedicalCertificate?cpr=0702614074", 401, refused, method="POST")
    assert method_assumption(posted, "/MedicalCertificate") is None
    lower = answer("/medicalcertificate?cpr=0702614074", 401, refused)
    assert spelling_assumption(lower, lower, "route in lower case") is None
    # the same answers from an allowed certificate do show something
    wrong = answer("/MedicalCertificate?cpr=0702614074&cpr=0702614074", 200, {})
    assert bad_cpr_assumption(wrong, "/MedicalCertificate") is not None


def test_501_for_a_method_is_reported_under_d19() -> None:
    posted = answer(
        "/Application?cpr=0702614074", 501, {"Message": "Not Implemented"}, method="POST"
    )
    judged = method_assumption(posted, "/Application")
    assert judged is not None
    assert (judged.entry, judged.verdict) == ("D19", "contradicted")
