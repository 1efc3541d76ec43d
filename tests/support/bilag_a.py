"""The seven test persons of the PDF (§1.1, Bilag A), as the PDF lists them.

Written here from the PDF, not read from the spec or the simulator, so that tests can hold
those against it.
"""

from __future__ import annotations

from typing import Final

#: The spec's example name of each test person, and its CPR number.
BY_EXAMPLE_NAME: Final = {
    "elev1": "0702614074",
    "elev2": "0107529039",
    "elev3": "0701614038",
    "elev4": "0709614401",
    "elev5": "0707614293",
    "elev6": "0707614285",
    "elev7": "0706614184",
}

#: The seven CPR numbers, in the PDF's order.
TEST_CPRS: Final = tuple(BY_EXAMPLE_NAME.values())
