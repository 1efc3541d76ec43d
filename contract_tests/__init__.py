"""contract_tests: checks that a KPB environment matches spec/kpb.openapi.yaml.

``kpb contract`` is the way in. From Python::

    from contract_tests import Limits, Target, given_certificate, anonymous, run_contract

    identity = given_certificate(p12=Path("function.p12"))
    target = Target("https://service-kpbt2.knowledgecube.net/api", identity, anonymous(None))
    result = run_contract(target, Limits.defaults_for(target, seed=1))
    print(result.summary)
"""

from ._codes import UndocumentedCode
from ._embedded import embedded_simulator
from ._findings import DataCheck, Findings, Violation
from ._identity import (
    CertificateProblem,
    Identity,
    anonymous,
    given_certificate,
    throwaway_certificate,
)
from ._runner import REPORT_FILES, ContractResult, run_contract
from ._target import ErrorProbe, Limits, Target

__all__ = [
    "REPORT_FILES",
    "CertificateProblem",
    "ContractResult",
    "DataCheck",
    "ErrorProbe",
    "Findings",
    "Identity",
    "Limits",
    "Target",
    "UndocumentedCode",
    "Violation",
    "anonymous",
    "embedded_simulator",
    "given_certificate",
    "run_contract",
    "throwaway_certificate",
]
