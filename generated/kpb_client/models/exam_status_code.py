from enum import IntEnum


class ExamStatusCode(IntEnum):
    IKKE_ANGIVET = 0
    BESTILT = 1
    BESTAAET = 2
    EJ_BESTAAET = 3
    AFBESTILT = 4
    AFLYST = 5
    EJ_FREMMOEDT = 6
    AFVIST = 7
    AFBESTILT_EFTER_TIDSFRIST = 8
    ERHVERV_EJ_BESTAAET = 9
    BESTAAET_SAT_TIL_UDLOEBET = 10
    AFLYST_UDEN_REFUNDERING = 11

    def __str__(self) -> str:
        return str(self.value)
