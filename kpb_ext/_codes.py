"""The code sets of PDF Bilag B as Python enums, with Danish labels and descriptions.

Each is an :class:`~enum.IntEnum` whose members equal the generated enums by value and
name (``ApplicationStatus.GODKENDT_ANSOEGNING == ApplicationStatusCode.GODKENDT_ANSOEGNING``)
and add ``label`` (the Danish name), ``description`` (Bilag B's text, verbatim; empty
where Bilag B gives none) and ``is_documented``.

KPB sends codes Bilag B does not list (application status 11, "Prøve bestilt", in the
PDF's own example). :meth:`from_code` never raises for them: it returns an
*undocumented member* of the same class, which keeps the code and shows the ``Name``
KPB sent beside it as its label. Such members are not part of iteration or
``__members__``.

The tables are copied from the spec's ``x-kpb-codes``; a test keeps them equal.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Self, cast

__all__ = [
    "ApplicationEventType",
    "ApplicationStatus",
    "ExamStatus",
    "MedicalCertificateStatus",
]


class _KpbCode(IntEnum):
    label: str
    description: str
    is_documented: bool

    def __new__(cls, value: int, label: str, description: str = "") -> Self:
        member = int.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.description = description
        member.is_documented = True
        return member

    @classmethod
    def from_code(cls, code: int, name: str | None = None) -> Self:
        """The member for *code*, or an undocumented member labelled with *name*."""
        if not isinstance(code, int):
            raise TypeError(f"a {cls.__name__} code is an integer, not {type(code).__name__}")
        documented = cls._value2member_map_.get(code)
        if documented is not None:
            return cast(Self, documented)
        member = int.__new__(cls, code)
        member._value_ = code
        member._name_ = f"UNDOCUMENTED_{code}".replace("-", "MINUS_")
        member.label = name if name else f"Kode {code}"
        member.description = ""
        member.is_documented = False
        return member

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return (type(self).from_code, (self._value_, self.label))


class MedicalCertificateStatus(_KpbCode):
    IKKE_SAT = (
        0,
        "Ikke sat",
        "Lægeerklæringen har ikke fået status sat. I princippet ikke muligt fra "
        "brugergrænsefladen, da status sættes ved oprettelse af lægeerklæring.",
    )
    MODTAGET = (
        1,
        "Modtaget",
        "Lægeerklæringen er registreret som modtaget af borgerservice, men endnu ikke godkendt.",
    )
    GODKENDT = 2, "Godkendt", "Lægeerklæringen er registreret som godkendt af borgerservice."
    AFVIST = (
        3,
        "Afvist",
        "Lægeerklæringen kan ikke godkendes og er registreret som afvist af borgerservice.",
    )
    UNDER_VIDEREBEHANDLING = (
        4,
        "Under viderebehandling",
        "Lægeerklæringen er endnu ikke godkendt, men er blevet registreret som under "
        "viderebehandling af borgerservice.",
    )
    INAKTIV = (
        5,
        "Inaktiv",
        "Lægeerklæringen er blevet slettet af borgerservice og fremgår ikke længere i "
        "brugergrænsefladen. Såfremt en lægeerklæring er inaktiv indgår denne ikke i "
        "valideringsregler mv.",
    )


class ApplicationStatus(_KpbCode):
    AFVENTER_BEHANDLING = (
        1,
        "Afventer behandling",
        "Forløbet er oprettet, men borgerservice har endnu ikke behandler forløbet.",
    )
    GODKENDT_ANSOEGNING = 2, "Godkendt ansøgning", "Forløbet er blevet godkendt af borgerservice."
    AFVIST_ANSOEGNING = (
        3,
        "Afvist ansøgning",
        "Forløbet er behandlet af borgerservice med resultat afvist.",
    )
    UNDER_VIDEREBEHANDLING = (
        4,
        "Under viderebehandling",
        "Forløbet kan fortsat ikke godkendes/aflyses, hvorfor borgerservice har registreret "
        "at prøveforløb er under viderebehandling.",
    )
    GENNEMFOERT = (
        5,
        "Gennemført",
        "Eleven har gennemført alle nødvendige prøver på forløbet og resultat på prøver er "
        "afgivet.",
    )
    KOEREKORT_BESTILT = (
        6,
        "Kørekort bestilt",
        'Borgerservice har registreret prøveforløb med status "Kørekort bestilt" (kan kun '
        "gøres såfremt prøveforløbet er gennemført).",
    )
    AFBRUDT = (
        7,
        "Afbrudt",
        "Forløbet er blevet afbrudt af enten kørelærer eller borgerservice og er derfor ikke "
        "længere aktivt.",
    )


class ExamStatus(_KpbCode):
    IKKE_ANGIVET = (
        0,
        "Ikke angivet",
        "Prøven har ikke fået status sat. I princippet ikke muligt fra brugergrænsefladen, da"
        " status sættes ved oprettelse bestilling af prøve.",
    )
    BESTILT = (
        1,
        "Bestilt",
        "Der er bestilt en prøve (enten teori eller praktisk). Prøven kan ligge i fremtiden "
        "eller kan være overstået (dog endnu ikke afgivet resultat).",
    )
    BESTAAET = (
        2,
        "Bestået",
        "Der er blevet registreret at prøven er bestået. Registrering kan både være på teori "
        "og praktisk, og er foretaget af politiadministrator eller politisagkyndig.",
    )
    EJ_BESTAAET = (
        3,
        "Ej bestået",
        "Der er blevet registreret at prøven er ej bestået. Registrering kan både være på "
        "teori og praktisk, og er foretaget af politiadministrator eller politisagkyndige.",
    )
    AFBESTILT = (
        4,
        "Afbestilt",
        "Prøven er blevet afbestilt af borgerservice eller kørelærer inden for tidsfrist.",
    )
    AFLYST = (
        5,
        "Aflyst",
        "Prøven er blevet aflyst af enten politiadministrator eller politisagkyndig.",
    )
    EJ_FREMMOEDT = (
        6,
        "Ej fremmødt",
        "Der er blevet registreret at elev er ej fremmødet. Registrering kan både være på "
        "teori og praktisk, og er foretaget af politiadministrator eller politisagkyndige.",
    )
    AFVIST = (
        7,
        "Afvist",
        "Der er blevet registreret at elev er afvist. Registrering kan både være på teori og "
        "praktisk, og er foretaget af politiadministrator eller politisagkyndige.",
    )
    AFBESTILT_EFTER_TIDSFRIST = (
        8,
        "Afbestilt efter tidsfrist",
        "Prøven er blevet afbestilt af borgerservice eller kørelærer efter tidsfrist.",
    )
    ERHVERV_EJ_BESTAAET = (
        9,
        "Erhverv ej bestået",
        "Der er blevet registreret erhverv ej bestået. Registrering kan både være på teori og"
        " praktisk, og er foretaget af politiadministrator eller politisagkyndige (kan kun "
        "sætte på kategori: D og D-ep og D1 og D1-ep",
    )
    BESTAAET_SAT_TIL_UDLOEBET = (
        10,
        "Bestået (sat til udløbet)",
        "Der er blevet registreret at prøven er bestået for mere end et år siden. "
        "Registrering er foretaget af systemet, da det er mere end et år siden prøven blev "
        "sat til bestået, og resultatet er derfor ikke længere gældende (gælder kun "
        "teoriprøver).",
    )
    AFLYST_UDEN_REFUNDERING = (
        11,
        "Aflyst uden refundering",
        "Prøven er blevet aflyst af enten politiadministrator eller politisagkyndig med "
        "angivelse af at der ikke skal ske en refundering af prøvegebyr.",
    )


class ApplicationEventType(_KpbCode):
    NOT_SET = 0, "NotSet"
    PROEVEFORLOEB_OPRETTET = 1, "Prøveforløb oprettet"
    PROEVEFORLOEB_REDIGERET = 2, "Prøveforløb redigeret"
    PROEVEFORLOEB_GODKENDT = 3, "Prøveforløb godkendt"
    PROEVEFORLOEB_AFVIST = 4, "Prøveforløb afvist"
    PROEVEFORLOEB_SENDT_TIL_VIDEREBEHANDLING = 5, "Prøveforløb sendt til viderebehandling"
    KOERELAERER_TILKNYTTET_PROEVEFORLOEB = 6, "Kørelærer tilknyttet prøveforløb"
    PROEVEFORLOEB_FRIGIVET_FRA_KOERELAERER = 7, "Prøveforløb frigivet fra kørelærer"
    ELEVOPLYSNINGER_REDIGERET = 8, "Elevoplysninger redigeret"
    LAEGEERKLAERING_OPRETTET = 9, "Lægeerklæring oprettet"
    LAEGEERKLAERING_REDIGERET = 10, "Lægeerklæring redigeret"
    TEORIPROEVE_BESTILT = 11, "Teoriprøve bestilt"
    PRAKTISK_PROEVE_BESTILT = 12, "Praktisk prøve bestilt"
    TEORIPROEVE_BESTAAET = 13, "Teoriprøve bestået"
    PRAKTISK_PROEVE_BESTAAET = 14, "Praktisk prøve bestået"
    TEORIPROEVE_EJ_BESTAAET = 15, "Teoriprøve ej bestået"
    PRAKTISK_PROEVE_EJ_BESTAAET = 16, "Praktisk prøve ej bestået"
    TEORIPROEVE_AFBESTILT = 17, "Teoriprøve afbestilt"
    PRAKTISK_PROEVE_AFBESTILT = 18, "Praktisk prøve afbestilt"
    TEORIPROEVE_AFLYST = 19, "Teoriprøve aflyst"
    PRAKTISK_PROEVE_AFLYST = 20, "Praktisk prøve aflyst"
    TEORIPROEVE_EJ_FREMMOEDT = 21, "Teoriprøve ej fremmødt"
    PRAKTISK_PROEVE_EJ_FREMMOEDT = 22, "Praktisk prøve ej fremmødt"
    TEORIPROEVE_AFVIST = 23, "Teoriprøve afvist"
    PRAKTISK_PROEVE_AFVIST = 24, "Praktisk prøve afvist"
    KREDITKORT_BETALING_MODTAGET = 25, "Kreditkort betaling modtaget"
    KONTANT_BETALING_MODTAGET = 26, "Kontant betaling modtaget"
    PROEVEGEBYR_TILBAGEBETALT = 27, "Prøvegebyr tilbagebetalt"
    TILGODEBEVIS_TILDELT = 28, "Tilgodebevis tildelt"
    KOEREKORT_BESTILT = 29, "Kørekort bestilt"
    PROEVEFORLOEB_AFBRUDT = 30, "Prøveforløb afbrudt"
    PRAKTISK_PROEVETID_SKIFTET = 31, "Praktisk prøvetid skiftet"
    TEORI_PROEVETID_SKIFTET = 32, "Teori prøvetid skiftet"
    TEORIPROEVE_AFBESTILT_EFTER_TIDSFRIST = 33, "Teoriprøve afbestilt efter tidsfrist"
    PRAKTISK_PROEVE_AFBESTILT_EFTER_TIDSFRIST = 34, "Praktisk prøve afbestilt efter tidsfrist"
    ERHVERV_EJ_BESTAAET_35 = 35, "Erhverv ej bestået"
    ERHVERV_EJ_BESTAAET_36 = 36, "Erhverv ej bestået"
    PROEVETID_OVERTAGET_FRA_ANDEN_ELEV = 37, "Prøvetid overtaget fra anden elev"
    PROEVETID_TILDELT_ANDEN_ELEV = 38, "Prøvetid tildelt anden elev"
    TEORIPROEVE_UDLOEBET = 39, "Teoriprøve udløbet"
    TEORIPROEVE_SAT_TIL_UDLOEBET = 40, "Teoriprøve sat til udløbet"
    PROEVETID_UDSKIFTET_MED_ANDEN_ELEVS_PROEVETID_41 = (
        41,
        "Prøvetid udskiftet med anden elevs prøvetid",
    )
    PROEVETID_UDSKIFTET_MED_ANDEN_ELEVS_PROEVETID_42 = (
        42,
        "Prøvetid udskiftet med anden elevs prøvetid",
    )
    PRAKTISK_PROEVE_AFLYST_SYGDOM = 43, "Praktisk prøve aflyst. Årsag: sygdom"
    PRAKTISK_PROEVE_AFLYST_VEJRLIG = 44, "Praktisk prøve aflyst. Årsag: vejrlig"
    PRAKTISK_PROEVE_AFLYST_PERSONALE = 45, "Praktisk prøve aflyst. Årsag: personale"
    PRAKTISK_PROEVE_AFLYST_ANDET = 46, "Praktisk prøve aflyst. Årsag: andet"
    TEORIPROEVE_AFLYST_SYGDOM = 47, "Teoriprøve aflyst. Årsag: sygdom"
    TEORIPROEVE_AFLYST_VEJRLIG = 48, "Teoriprøve aflyst. Årsag: vejrlig"
    TEORIPROEVE_AFLYST_PERSONALE = 49, "Teoriprøve aflyst. Årsag: personale"
    TEORIPROEVE_AFLYST_ANDET = 50, "Teoriprøve aflyst. Årsag: andet"
