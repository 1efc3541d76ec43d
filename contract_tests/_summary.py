"""The human-readable summary of a run (printed, and written as ``summary.txt``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kpb_ext import SUPPORT_EMAIL, printable

from ._assumptions import UNCHECKED
from ._discrepancies import entries
from ._findings import Assumption, Findings, masked
from ._messages import documented_messages

__all__ = [
    "RunFacts",
    "assumptions_section",
    "render_summary",
    "report_text",
    "verdicts_by_entry",
]

# Why a documented 401 message cannot be provoked with the certificate given alone.
_NEEDS = {
    "Certificate not verified": "needs a certificate KPB does not accept as valid, "
    "for example an expired one",
    "Certificate doesn't exist": "needs a certificate that is not registered with KPB",
    "Access not allowed for Certificate": "needs a certificate registered for only one of "
    "the two services; the given one is allowed both, or was not refused",
}


@dataclass(frozen=True)
class RunFacts:
    """What the summary says about the run itself."""

    base_url: str
    description: str
    seed: int
    requests: int
    seconds: float
    report_dir: Path
    tests: Counter[str]
    #: Set when the run could not start: why.
    aborted: str | None = None
    #: The given certificate's subject and thumbprint, for KPB support.
    certificate: str = ""
    #: Set when a signal stopped the run: why ("stopped by SIGTERM").
    interrupted: str | None = None
    #: Tests collected but never run, because the run was stopped before them.
    not_run: int = 0


def render_summary(facts: RunFacts, findings: Findings) -> str:
    lines: list[str] = []
    add = lines.append
    target = facts.base_url + (f" ({facts.description})" if facts.description else "")
    add(f"kpb contract: {target}")
    if facts.interrupted:
        verdict = "no violation" if findings.conforms else "violations"
        add(f"Result: INTERRUPTED ({facts.interrupted}); {verdict} until then")
    elif facts.aborted:
        add(f"Result: NOT CHECKED: {facts.aborted}")
    elif findings.conforms and findings.refusals:
        refused = ", ".join(sorted(findings.refusals))
        add(
            f"Result: NOT FULLY CHECKED: KPB refused the given certificate ({refused}); "
            'nothing else broke the contract (see "The given certificate was refused")'
        )
    elif findings.conforms:
        add("Result: CONFORMS to spec/kpb.openapi.yaml")
    else:
        add("Result: DOES NOT CONFORM to spec/kpb.openapi.yaml")
    data_passed = sum(check.passed for check in findings.data_checks)
    grouped = findings.grouped()
    verdicts = verdicts_by_entry(findings)
    tally = Counter(verdicts.values())
    add(
        f"{len(grouped)} violations, {len(findings.errors)} errors; spec assumptions: "
        f"{tally['confirmed']} confirmed, {tally['contradicted']} contradicted; data checks "
        f"{data_passed} of {len(findings.data_checks)} as in Bilag A"
    )
    plural = "" if facts.requests == 1 else "s"
    add(
        f"{facts.requests} request{plural} in {facts.seconds:.1f} s, seed {facts.seed}, "
        f"reports in {facts.report_dir}"
    )
    if facts.interrupted:
        add(
            f"{facts.not_run} tests not run: the run was interrupted; what was checked "
            "until then is below"
        )
    if facts.aborted:
        return report_text(lines)

    if grouped:
        _section(lines, f"Violations ({len(grouped)})")
        for number, (violation, repeats) in enumerate(grouped, 1):
            add(f"  {number}. {violation.line(repeats)}")
    if findings.errors:
        _section(lines, f"Errors: checks that could not be completed ({len(findings.errors)})")
        lines += [f"  - {error}" for error in findings.errors]
    assumptions_section(
        lines, findings, "Spec assumptions (spec/DISCREPANCIES.md; reported, never judged)"
    )
    if findings.warnings:
        _section(lines, f"Other warnings ({len(findings.warnings)})")
        lines += [f"  - {warning}" for warning in findings.warnings]

    if findings.refusals:
        _section(lines, "The given certificate was refused")
        remedies = {m.text: m.remedy for m in documented_messages() if m.status == 401}
        for where, text in sorted(findings.refusals.items()):
            add(f"  - {where}: 401 {text}. {remedies.get(text, '')}".rstrip())
        add(f"  When you write to {SUPPORT_EMAIL} (PDF §3.1), send: the")
        add("  certificate's public .cer file (never the key or the .p12), its CVR and FID,")
        add(f"  {facts.certificate or 'its subject and SHA-1 thumbprint'},")
        add("  the IP addresses you call from (the test environment allow-lists them), the")
        add("  services KOMBIT approved, and the time and request of the refusal (from")
        add("  exchanges.har).")

    if findings.data_checks:
        _section(
            lines,
            f"Data checks: {data_passed} of {len(findings.data_checks)} as in Bilag A "
            "(the test data can change; these do not decide the result)",
        )
        for check in findings.data_checks:
            if not check.passed:
                add(_shorten(f"  - differs: {check.subject}: " + "; ".join(check.mismatches)))
    elif not facts.aborted:
        _section(lines, "Data checks: not run")

    _section(lines, "Documented error messages")
    for documented in documented_messages():
        how = findings.messages_reached.get(str(documented))
        if how is not None:
            add(f"  reached: {documented}  ({how})")
        else:
            why = _NEEDS.get(documented.text, "not reached in this run")
            add(f"  not reached: {documented}  ({why})")

    if findings.observations:
        _section(lines, "TLS")
        lines += [f"  - {observation}" for observation in findings.observations]

    _section(lines, "Counts")
    add(
        "  tests: "
        + ", ".join(f"{count} {outcome}" for outcome, count in sorted(facts.tests.items()))
    )
    by_check = Counter(violation.check for violation, _ in grouped)
    if by_check:
        add("  violations by check: " + ", ".join(f"{n} {c}" for c, n in sorted(by_check.items())))
    add(f"  requests: {facts.requests}")

    _section(lines, "Reproducing")
    add("  In the curl commands, CERT.pem and KEY.pem stand for your certificate and its key")
    add("  (for a PKCS#12 file: --cert-type P12 --cert FILE.p12:PASSWORD), CA.pem for the")
    add("  CA bundle. The whole run again:")
    add(f"  kpb contract --seed {facts.seed} [the same target options]")
    return report_text(lines)


# Results shown per entry: the rest are counted (junit.xml and the recording hold them).
_CONFIRMED_SHOWN = 4
_CONTRADICTED_SHOWN = 10


def verdicts_by_entry(findings: Findings) -> dict[str, str]:
    """Entry -> "contradicted" (if any result contradicts it) or "confirmed"."""
    verdicts: dict[str, str] = {}
    for assumption in findings.assumptions.values():
        if verdicts.get(assumption.entry) != "contradicted":
            verdicts[assumption.entry] = assumption.verdict
    return verdicts


def assumptions_section(lines: list[str], findings: Findings, title: str) -> None:
    """Every assumption of DISCREPANCIES.md: what the target showed, or that it showed
    nothing. These never decide the result; a contradiction names the entry to revise."""
    add = lines.append
    verdicts = verdicts_by_entry(findings)
    assumptions = [e for e in entries().values() if e.kind == "assumption"]
    _section(
        lines,
        f"{title}: {sum(v == 'confirmed' for v in verdicts.values())} confirmed, "
        f"{sum(v == 'contradicted' for v in verdicts.values())} contradicted",
    )
    by_entry: dict[str, list[Assumption]] = {}
    for assumption in findings.assumptions.values():
        by_entry.setdefault(assumption.entry, []).append(assumption)
    unseen: list[str] = []
    uncheckable: list[str] = []
    for entry in assumptions:
        results = by_entry.get(entry.id)
        if not results:
            (uncheckable if entry.id in UNCHECKED else unseen).append(entry.id)
            continue
        verdict = verdicts[entry.id]
        advice = ": revise this entry" if verdict == "contradicted" else ""
        add(f"  {entry.id} {entry.title}: {verdict.upper()}{advice}")
        contradicted = [a for a in results if a.verdict == "contradicted"]
        confirmed = [a for a in results if a.verdict == "confirmed"]
        for assumption in contradicted[:_CONTRADICTED_SHOWN]:
            add(_shorten(f"    - {assumption.line(findings.assumption_counts[assumption.key])}"))
        if len(contradicted) > _CONTRADICTED_SHOWN:
            add(f"    - … and {len(contradicted) - _CONTRADICTED_SHOWN} more contradictions")
        for assumption in confirmed[:_CONFIRMED_SHOWN]:
            repeats = findings.assumption_counts[assumption.key]
            add(_shorten(f"    + {assumption.line(repeats).split(' | reproduce:')[0]}"))
        if len(confirmed) > _CONFIRMED_SHOWN:
            add(f"    + … and {len(confirmed) - _CONFIRMED_SHOWN} more confirmations")
    if unseen:
        add(f"  Not shown: {', '.join(unseen)}")
    if uncheckable:
        add(f"  Not checkable over the wire: {', '.join(uncheckable)}")


def report_text(lines: list[str]) -> str:
    """The lines as a report: other people's CPR numbers masked, and what a server sent
    kept from acting on a terminal (control characters escaped)."""
    return "".join(printable(masked(line)) + "\n" for line in lines)


def _shorten(line: str, limit: int = 400) -> str:
    # The whole difference is in junit.xml; the summary stays readable.
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _section(lines: list[str], title: str) -> None:
    lines.append("")
    lines.append(title)
