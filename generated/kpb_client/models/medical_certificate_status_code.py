from enum import IntEnum


class MedicalCertificateStatusCode(IntEnum):
    IKKE_SAT = 0
    MODTAGET = 1
    GODKENDT = 2
    AFVIST = 3
    UNDER_VIDEREBEHANDLING = 4
    INAKTIV = 5

    def __str__(self) -> str:
        return str(self.value)
