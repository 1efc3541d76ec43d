from enum import IntEnum


class ApplicationStatusCode(IntEnum):
    AFVENTER_BEHANDLING = 1
    GODKENDT_ANSOEGNING = 2
    AFVIST_ANSOEGNING = 3
    UNDER_VIDEREBEHANDLING = 4
    GENNEMFOERT = 5
    KOEREKORT_BESTILT = 6
    AFBRUDT = 7

    def __str__(self) -> str:
        return str(self.value)
