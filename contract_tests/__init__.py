"""contract_tests: checks that a KPB environment matches spec/kpb.openapi.yaml.

``kpb contract`` is the way in. From Python::

    from contract_tests import Limits, Target, given_certificate, anonymous, run_contract

    identity = given_certificate(p12=Path("function.p12"))
    target = Target("https://service-kpbt2.knowledgecube.net/api", identity, anonymous(None))
    result = run_contract(target, Limits.defaults_for(target, seed=1))
    print(result.outcome, result.summary)
"""

from ._codes import UndocumentedCode
from ._discrepancies import Entry, entries
from ._embedded import embedded_simulator
from ._findings import Assumption, DataCheck, Findings, Violation
from ._identity import (
    CertificateProblem,
    Identity,
    anonymous,
    certificate_identity,
    given_certificate,
    throwaway_certificate,
)
from ._learn import Lesson, learn, render_lesson
from ._recording import RecordingError
from ._run import REPORT_FILES, ContractResult, Outcome, run_contract
from ._target import (
    DEFAULT_REPORT_DIR,
    REMOTE_MAX_EXAMPLES,
    REMOTE_MAX_REQUESTS,
    REMOTE_RATE,
    ErrorProbe,
    Limits,
    Target,
    check_urls,
)
from ._transport import REQUEST_TIMEOUT, Interrupt

__all__ = [
    "DEFAULT_REPORT_DIR",
    "REMOTE_MAX_EXAMPLES",
    "REMOTE_MAX_REQUESTS",
    "REMOTE_RATE",
    "REPORT_FILES",
    "REQUEST_TIMEOUT",
    "Assumption",
    "CertificateProblem",
    "ContractResult",
    "DataCheck",
    "Entry",
    "ErrorProbe",
    "Findings",
    "Identity",
    "Interrupt",
    "Lesson",
    "Limits",
    "Outcome",
    "RecordingError",
    "Target",
    "UndocumentedCode",
    "Violation",
    "anonymous",
    "certificate_identity",
    "check_urls",
    "embedded_simulator",
    "entries",
    "given_certificate",
    "learn",
    "render_lesson",
    "run_contract",
    "throwaway_certificate",
]
