"""The data file holds every fact Bilag A gives, in KPB's wire shape."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kpb_sim import BILAG_A, DataError, Simulator, load_persons

SPEC = Path(__file__).parents[2] / "spec" / "kpb.openapi.yaml"

BS = "Borgerservice, Københavns kommune"
K1 = "Kørelærer 1, Køreskole 1"

# Bilag A, transcribed independently of the data file. Per person: the medical
# certificate (status, issue, receive, expiry, groups) or None, and per application:
# category code, exam type, status (code, name), exams (date, status code) and the
# history (type, name, user, timestamp as printed).
# fmt: off
BILAG_A_FACTS: dict[str, dict[str, Any]] = {
    "0702614074": {
        "certificate": (2, "2018-05-01", "2018-05-16", "2019-08-01", ["Gruppe 1"]),
        "applications": [
            ("AM (lille knallert)", "1. gangserhvervelse", (11, "Prøve bestilt"),
             [("2018-05-25T11:00:00", 1)], [
                (1, "Prøveforløb oprettet", BS, "2018-05-25T10:06:46.5471929"),
                (26, "Kontant betaling modtaget", BS, "2018-05-25T10:06:46.5481979"),
                (3, "Prøveforløb godkendt", BS, "2018-05-25T10:07:04.9841853"),
                (9, "Lægeerklæring oprettet", BS, "2018-05-25T10:08:11.3614738"),
                (6, "Kørelærer tilknyttet prøveforløb", K1, "2018-05-25T10:33:17.3257339"),
                (11, "Teoriprøve bestilt", K1, "2018-05-25T10:33:49.2673389"),
            ]),
            ("AM (stor knallert)", "1. gangserhvervelse", (12, "Klar til bestilling"), [], [
                (1, "Prøveforløb oprettet", BS, "2018-05-25T10:07:37.6402923"),
                (26, "Kontant betaling modtaget", BS, "2018-05-25T10:07:37.6402923"),
                (9, "Lægeerklæring oprettet", BS, "2018-05-25T10:08:11.3624894"),
                (3, "Prøveforløb godkendt", BS, "2018-05-25T10:08:26.6918067"),
                (6, "Kørelærer tilknyttet prøveforløb", K1, "2018-05-25T10:33:20.4368044"),
            ]),
            ("A1", "1. gangserhvervelse", (1, "Afventer behandling"), [], []),
        ],
    },
    "0107529039": {
        "certificate": (1, "2018-05-17", "2018-05-25", "2019-08-17", ["Gruppe 1", "Gruppe 2"]),
        "applications": [
            ("A1", "1. gangserhvervelse", (1, "Afventer behandling"), [], [
                (1, "Prøveforløb oprettet", BS, "2018-05-25T10:08:52.4475196"),
                (9, "Lægeerklæring oprettet", BS, "2018-05-25T10:09:07.5875647"),
                (6, "Kørelærer tilknyttet prøveforløb", K1, "2018-05-25T10:34:01.5382334"),
            ]),
        ],
    },
    "0701614038": {
        "certificate": (2, "2018-05-24", "2018-05-25", "2019-08-24", ["Gruppe 1"]),
        "applications": [
            ("A", "1. gangserhvervelse", (11, "Prøve bestilt"),
             [("2018-05-25T11:00:00", 2), ("2018-05-31T00:00:00", 1)], [
                (1, "Prøveforløb oprettet", BS, "2018-05-25T10:09:34.3426296"),
                (26, "Kontant betaling modtaget", BS, "2018-05-25T10:09:34.3426296"),
                (9, "Lægeerklæring oprettet", BS, "2018-05-25T10:09:52.1855696"),
                (3, "Prøveforløb godkendt", BS, "2018-05-25T10:10:02.3949104"),
                (6, "Kørelærer tilknyttet prøveforløb", K1, "2018-05-25T10:34:12.0999776"),
                (11, "Teoriprøve bestilt", K1, "2018-05-25T10:36:07.409073"),
                (13, "Teoriprøve bestået", "Sagkyndig, Østjyllands Politi",
                 "2018-05-25T11:37:56.8431813"),
                (12, "Praktisk prøve bestilt", K1, "2018-05-25T11:54:13.8922148"),
            ]),
        ],
    },
    "0709614401": {
        "certificate": (2, "2018-05-25", "2018-05-25", "2019-08-25", ["Gruppe 1"]),
        "applications": [
            ("B", "1. gangserhvervelse", (2, "Godkendt ansøgning"),
             [("2018-05-25T12:30:00", 1)], [
                (1, "Prøveforløb oprettet", BS, "2018-05-25T10:10:23.9788821"),
                (26, "Kontant betaling modtaget", BS, "2018-05-25T10:10:23.9788821"),
                (9, "Lægeerklæring oprettet", BS, "2018-05-25T10:10:45.3656221"),
                (3, "Prøveforløb godkendt", BS, "2018-05-25T10:10:55.2547754"),
                (6, "Kørelærer tilknyttet prøveforløb", K1, "2018-05-25T10:36:20.9352041"),
                (12, "Praktisk prøve bestilt", K1, "2018-05-25T10:36:27.6687764"),
            ]),
        ],
    },
    "0707614293": {
        "certificate": None,
        "applications": [
            ("C", "§ 94 stk. 1", (4, "Under viderebehandling"), [], [
                (1, "Prøveforløb oprettet", BS, "2018-05-25T10:11:16.376613"),
                (26, "Kontant betaling modtaget", BS, "2018-05-25T10:11:16.376613"),
                (5, "Prøveforløb sendt til viderebehandling", BS, "2018-05-25T10:11:40.0719738"),
                (6, "Kørelærer tilknyttet prøveforløb", K1, "2018-05-25T10:36:38.1559189"),
            ]),
        ],
    },
    "0707614285": {
        "certificate": (2, "2018-05-01", "2018-05-23", "2019-08-01", ["Gruppe 1", "Gruppe 2"]),
        "applications": [
            ("D og D-ep", "§ 103 stk. 1", (2, "Godkendt ansøgning"),
             [("2018-05-25T11:00:00", 9)], [
                (1, "Prøveforløb oprettet", BS, "2018-05-25T10:11:16.376613"),
                (26, "Kontant betaling modtaget", BS, "2018-05-25T10:11:16.376613"),
                (5, "Prøveforløb sendt til viderebehandling", BS, "2018-05-25T10:11:40.0719738"),
                (6, "Kørelærer tilknyttet prøveforløb", K1, "2018-05-25T10:36:38.1559189"),
            ]),
        ],
    },
    "0706614184": {
        "certificate": (2, "2018-05-09", "2018-05-25", "2019-08-09", ["Gruppe 1"]),
        "applications": [
            ("B", "1. gangserhvervelse", (2, "Godkendt ansøgning"), [], [
                (1, "Prøveforløb oprettet", BS, "2018-05-15T12:14:09.7565997"),
                (9, "Lægeerklæring oprettet", BS, "2018-05-25T10:13:01.0675052"),
                (3, "Prøveforløb godkendt", BS, "2018-05-25T10:13:12.7811322"),
                (6, "Kørelærer tilknyttet prøveforløb", K1, "2018-05-25T10:37:06.157383"),
            ]),
        ],
    },
}
# fmt: on


@pytest.fixture(scope="module")
def persons() -> dict[str, Any]:
    return load_persons()


@pytest.fixture(scope="module")
def spec_codes() -> dict[str, dict[int, str]]:
    schemas = yaml.safe_load(SPEC.read_text(encoding="utf-8"))["components"]["schemas"]
    return {
        name: {entry["code"]: entry["name"] for entry in schemas[name]["x-kpb-codes"]}
        for name in (
            "MedicalCertificateStatusCode",
            "ApplicationStatusCode",
            "ExamStatusCode",
            "ApplicationEventType",
        )
    }


def test_the_seven_test_persons_of_section_1_1(persons: dict[str, Any]) -> None:
    assert list(persons) == list(BILAG_A_FACTS)
    assert [p.label for p in persons.values()] == [f"Elev {n}" for n in range(1, 8)]


@pytest.mark.parametrize("cpr", list(BILAG_A_FACTS))
def test_every_fact_of_bilag_a(persons: dict[str, Any], cpr: str) -> None:
    person, facts = persons[cpr], BILAG_A_FACTS[cpr]
    if facts["certificate"] is None:
        assert person.medical_certificates == []
    else:
        status, issued, received, expires, groups = facts["certificate"]
        [certificate] = person.medical_certificates
        assert certificate["Status"]["Code"] == status
        assert certificate["IssueDate"] == f"{issued}T00:00:00"
        assert certificate["ReceiveDate"] == f"{received}T00:00:00"
        assert certificate["ExpireDate"] == f"{expires}T00:00:00"
        assert [g["Name"] for g in certificate["MedicalCertificateGroups"]] == groups
    actual = [
        (
            a["LicenseCategoryCode"],
            a["ExamTypeCode"],
            (a["ApplicationStatus"]["Code"], a["ApplicationStatus"]["Name"]),
            [(e["ExamDate"], e["ExamStatus"]["Code"]) for e in a["ApplicationExams"]],
            [(e["Type"], e["Name"], e["User"], e["CreatedDate"]) for e in a["ApplicationEvents"]],
        )
        for a in person.applications
    ]
    assert actual == facts["applications"]


def test_elev_1_exam_is_at_the_place_bilag_a_names(persons: dict[str, Any]) -> None:
    exam = persons["0702614074"].applications[0]["ApplicationExams"][0]
    assert exam["ExamLocation"] == "Prøvested 1"


def test_exams_without_a_place_in_bilag_a_have_a_null_location(persons: dict[str, Any]) -> None:
    # B6 and D22: Json.NET writes a string that has no value as null.
    for cpr in ("0701614038", "0709614401", "0707614285"):
        exams = [e for a in persons[cpr].applications for e in a["ApplicationExams"]]
        assert exams
        assert all(exam["ExamLocation"] is None for exam in exams), cpr


def test_timestamps_keep_six_or_seven_digits_as_printed(persons: dict[str, Any]) -> None:
    stamps = [
        event["CreatedDate"]
        for person in persons.values()
        for application in person.applications
        for event in application["ApplicationEvents"]
    ]
    digits = {len(stamp.partition(".")[2]) for stamp in stamps}
    assert digits == {6, 7}
    assert "2018-05-25T10:36:07.409073" in stamps


def test_names_agree_with_the_codes_of_bilag_b(
    persons: dict[str, Any], spec_codes: dict[str, dict[int, str]]
) -> None:
    undocumented = set()
    for person in persons.values():
        for certificate in person.medical_certificates:
            status = certificate["Status"]
            assert spec_codes["MedicalCertificateStatusCode"][status["Code"]] == status["Name"]
        for application in person.applications:
            status = application["ApplicationStatus"]
            if status["Code"] in spec_codes["ApplicationStatusCode"]:
                assert spec_codes["ApplicationStatusCode"][status["Code"]] == status["Name"]
            else:
                undocumented.add((status["Code"], status["Name"]))
            for exam in application["ApplicationExams"]:
                status = exam["ExamStatus"]
                assert spec_codes["ExamStatusCode"][status["Code"]] == status["Name"]
            for event in application["ApplicationEvents"]:
                assert spec_codes["ApplicationEventType"][event["Type"]] == event["Name"]
    # 11 as in the PDF's own example; 12 is the project's choice (DISCREPANCIES B3).
    assert undocumented == {(11, "Prøve bestilt"), (12, "Klar til bestilling")}


def test_guids_are_unique_per_record_and_shared_by_master_data(persons: dict[str, Any]) -> None:
    record_ids = [
        record["Id"]
        for person in persons.values()
        for record in (*person.medical_certificates, *person.applications)
    ]
    assert len(record_ids) == len(set(record_ids)) == 15
    master: dict[str, Any] = {}
    for person in persons.values():
        for certificate in person.medical_certificates:
            for group in certificate["MedicalCertificateGroups"]:
                for item in (group, *group["LicenseCategories"]):
                    assert master.setdefault(item["Id"], item) == item
    assert not set(master) & set(record_ids)
    text = BILAG_A.read_text(encoding="utf-8")
    assert all(guid in text for guid in record_ids + list(master))
    assert load_persons() == persons  # stable: the same GUIDs on every load


def test_application_categories_carry_the_names_used_for_groups(persons: dict[str, Any]) -> None:
    names = {}
    for person in persons.values():
        for certificate in person.medical_certificates:
            for group in certificate["MedicalCertificateGroups"]:
                names.update({c["Code"]: c["Name"] for c in group["LicenseCategories"]})
    for person in persons.values():
        for application in person.applications:
            code = application["LicenseCategoryCode"]
            assert names[code] == application["LicenseCategoryName"]
            assert application["ExamTypeName"] == ""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "persons.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ONE_PERSON = """
persons:
  - cpr: "1212700000"
    label: Example
    MedicalCertificates: []
    Applications:
      - Id: 00000000-0000-4000-8000-000000000001
        CreatedDate: {stamp}
"""


def test_an_unquoted_timestamp_is_refused_by_name(tmp_path: Path) -> None:
    path = _write(tmp_path, ONE_PERSON.format(stamp="2018-05-25T10:36:07.409073"))
    with pytest.raises(DataError, match=r"Applications\[0\]\.CreatedDate.*quote"):
        load_persons(path)
    path = _write(tmp_path, ONE_PERSON.format(stamp='"2018-05-25T10:36:07.409073"'))
    created = load_persons(path)["1212700000"].applications[0]["CreatedDate"]
    assert created == "2018-05-25T10:36:07.409073"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "top-level list 'persons'"),
        ("persons: [{cpr: 1212700000}]", "quoted string of 10 digits"),
        ('persons: [{cpr: "121270-0000"}]', "quoted string of 10 digits"),
        ('persons: [{cpr: "1212700000"}, {cpr: "1212700000"}]', "repeated"),
        ('persons: [{cpr: "1212700000", Applications: {}}]', "'Applications' must be a list"),
        ("persons: [", "not valid YAML"),
    ],
)
def test_malformed_data_files_are_refused_clearly(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        load_persons(_write(tmp_path, text))


def test_missing_data_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read"):
        load_persons(tmp_path / "absent.yaml")


def test_the_simulator_serves_another_data_file(
    kpb_sim_factory: Any, client: Any, tmp_path: Path
) -> None:
    path = _write(tmp_path, ONE_PERSON.format(stamp='"2018-05-25T10:36:07.409073"'))
    sim: Simulator = kpb_sim_factory(data=path)
    answer = client.request(f"{sim.base_url}/Application?cpr=1212700000")
    assert answer.status == 200
    assert answer.json() == {
        "Applications": [
            {
                "Id": "00000000-0000-4000-8000-000000000001",
                "CreatedDate": "2018-05-25T10:36:07.409073",
            }
        ]
    }
    assert client.request(f"{sim.base_url}/Application?cpr=0702614074").json() == {
        "Applications": []
    }


def test_every_decision_in_the_data_file_is_in_the_discrepancy_log() -> None:
    log = (SPEC.parent / "DISCREPANCIES.md").read_text(encoding="utf-8")
    section = log.split("## Bilag A test data", 1)[1]
    logged = re.findall(r"^### (B\d+)\. ", section, flags=re.MULTILINE)
    assert logged == [f"B{n}" for n in range(1, len(logged) + 1)]
    referenced = set(re.findall(r"\bB\d+\b", BILAG_A.read_text(encoding="utf-8")))
    assert referenced == set(logged)
