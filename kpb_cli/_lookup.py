"""``kpb lookup``: many CPR numbers, one JSON line each, and nothing lost on the way.

- Input: CPR arguments (``index`` is their position, from 1), or a file or standard
  input in UTF-8, with or without a byte-order mark (``index`` is the line number). A
  file is read through once before the first lookup, so that a line that is not UTF-8
  text stops the command before anything is sent, and the progress bar knows the total.
  A pipe can be read only once: a bad line ends the input there, and what was looked up
  before it is kept.
- Output: each result is written and flushed as it completes, to a file created 0600.
  ``--resume`` appends to it, skipping the numbers it already answers, and first drops
  a last line that a crash cut short.
- Stopping: SIGINT, SIGTERM and SIGHUP end the input; the lookups in flight get a few
  seconds to finish (a second signal cancels them at once), then the summary is printed
  and the command exits with 6. A failed write stops the batch with 7, and a KPB that
  answers none of so many numbers in a row stops it with 4.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import functools
import json
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from types import FrameType
from typing import IO, Any, BinaryIO, Final, NoReturn

import attrs
import click

import kpb_ext
from kpb_cli._errors import exit_code, reported_errors
from kpb_cli._exit import STOP_SIGNALS, ExitCode
from kpb_cli._options import TargetOptions
from kpb_ext import (
    DEFAULT_RATE,
    AsyncKpbClient,
    KpbError,
    KpbUnavailableError,
    LookupResult,
    What,
    check_rate,
    first_occurrences,
    masked_label,
    open_private,
)

#: Seconds the lookups in flight get to finish after a signal.
GRACE_SECONDS: Final = 5.0
#: The longest input line read, in bytes: a CPR number with a comment fits many times.
_LINE_LIMIT: Final = 4096
# The most serious first: a failing network hides what KPB would have said.
_SEVERITY: Final = [ExitCode.NETWORK, ExitCode.KPB_ERROR, ExitCode.CERTIFICATE, ExitCode.USAGE]
pass_options = click.make_pass_decorator(TargetOptions)


class _Stop(Exception):
    """Ends the command with one line on stderr and an exit code."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.code = code


# -- input -------------------------------------------------------------------------------


@attrs.define
class _Source:
    """The numbers to look up, each with its index: a line number, or an argument's place."""

    name: str
    stream: BinaryIO | None = None
    arguments: tuple[str, ...] = ()
    #: index -> masked number of the results already in the output (``--resume``)
    done: dict[int, str] = attrs.field(factory=dict)
    output: str = ""
    #: Ends a wait for the next line (a pipe, a terminal) when a signal comes.
    interrupts: _Interrupts | None = None

    def items(self) -> Iterator[tuple[int, str]]:
        """``(index, text)`` of every line holding a number; raises :class:`_Stop` on a bad one."""
        if self.stream is None:
            numbered: Iterator[tuple[int, str]] = enumerate(self.arguments, 1)
        else:
            numbered = self._lines(self.stream)
        for index, text in numbered:
            if index in self.done and masked_label(text) != self.done[index]:
                raise _Stop(
                    f"{self._where(index)} holds {masked_label(text)}, but {self.output} has "
                    f"the result of {self.done[index]} for it: --resume continues only the "
                    "output of the same input. Give that input, or another --output.",
                    ExitCode.USAGE,
                )
            yield index, text

    def is_file(self, path: str) -> bool:
        """Whether *path* names the input file itself."""
        if self.stream is None or path == "-":
            return False
        try:
            return os.path.samestat(os.fstat(self.stream.fileno()), os.stat(path))
        except (OSError, ValueError):  # no such file yet, or a stream without a descriptor
            return False

    def _where(self, index: int) -> str:
        return f"CPR argument {index}" if self.stream is None else f"{self.name} line {index}"

    def _lines(self, stream: BinaryIO) -> Iterator[tuple[int, str]]:
        for number, raw in enumerate(iter(lambda: self._readline(stream), b""), 1):
            text = self._decode(raw, number).split("#", 1)[0].strip()
            if text:
                yield number, text

    def _readline(self, stream: BinaryIO) -> bytes:
        if self.interrupts is None:
            return stream.readline(_LINE_LIMIT + 1)
        with self.interrupts.waiting_for_input():
            return stream.readline(_LINE_LIMIT + 1)

    def _decode(self, raw: bytes, number: int) -> str:
        if number == 1:
            if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                self._bad_line(number, "is UTF-16 text")
            raw = raw.removeprefix(codecs.BOM_UTF8)
        if len(raw) > _LINE_LIMIT:
            self._bad_line(number, f"is longer than {_LINE_LIMIT} bytes")
        if b"\0" in raw:
            self._bad_line(number, "holds a NUL byte, as UTF-16 text and binary files do")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            self._bad_line(number, f"is not UTF-8 text (byte 0x{raw[error.start]:02x})")

    def _bad_line(self, number: int, reason: str) -> NoReturn:
        raise _Stop(
            f"{self._where(number)} {reason}. Next step: save the file as UTF-8 text with one "
            "CPR number a line, and run the command again.",
            ExitCode.USAGE,
        )

    def survey(self, interrupts: _Interrupts) -> tuple[int, int] | None:
        """Read the input through: (distinct numbers, of which done), or None for a pipe."""
        if self.stream is not None and not self.stream.seekable():
            return None
        total = done = 0
        for entry in first_occurrences(self.items()):
            if interrupts.received:
                raise _Stop("Stopped before the first lookup.", ExitCode.INTERRUPTED)
            total += 1
            done += entry.index in self.done
        if done != len(self.done):
            raise _Stop(
                f"{self.output} holds results for lines that {self.name} does not have: "
                "--resume continues only the output of the same input. Give that input, "
                "or another --output.",
                ExitCode.USAGE,
            )
        if self.stream is not None:
            self.stream.seek(0)
        return total, done


@attrs.define
class _Earlier:
    """What an earlier run of the batch left in the output (``--resume``)."""

    #: index -> masked number of each result that is done
    done: dict[int, str] = attrs.field(factory=dict)
    #: The done results' errors: they decide the exit code as much as this run's do.
    tally: _Tally = attrs.field(factory=lambda: _Tally())
    #: Where an incomplete last line starts, if a crash cut one short.
    cut_at: int | None = None


def _read_done(path: str) -> _Earlier:
    """The results already in *path*, and where a torn line starts.

    A result with a transient error (KPB did not answer a call) is not done: its number
    is looked up again, and the new line follows the old one.
    """
    earlier = _Earlier()
    try:
        file = open(path, "rb")  # noqa: SIM115 - closed below; a missing file is a fresh start
    except FileNotFoundError:
        return earlier
    except OSError as error:
        raise _Stop(f"Cannot read {path}: {error.strerror}.", ExitCode.WRITE_FAILED) from None
    with file:
        offset = 0
        for number, raw in enumerate(file, 1):
            if not raw.endswith(b"\n"):
                earlier.cut_at = offset
                return earlier
            try:
                index, label, kinds = _parse_result_line(raw)
            except (ValueError, TypeError, KeyError):
                raise _Stop(
                    f"{path} line {number} is not a line that kpb lookup writes: --resume "
                    "continues only its own output. Give another --output.",
                    ExitCode.USAGE,
                ) from None
            if kinds is not None:
                earlier.done[index] = label
                earlier.tally.count(kinds)
            offset += len(raw)
    return earlier


def _parse_result_line(raw: bytes) -> tuple[int, str, dict[str, ExitCode] | None]:
    """The index, the masked number and the errors' kinds of a result line; None for the
    kinds when an error was transient (the number is to be looked up again)."""
    line = json.loads(raw)
    index, label, errors = line["index"], line["cpr"], line.get("errors", {})
    if not (isinstance(index, int) and isinstance(label, str) and isinstance(errors, dict)):
        raise TypeError("not a result line")
    if any(error["transient"] is True for error in errors.values()):
        return index, label, None
    return (
        index,
        label,
        {error["type"]: exit_code(_kind(error["type"])) for error in errors.values()},
    )


def _kind(name: object) -> type[KpbError]:
    """The error class a result line names; KpbError for a name this version lacks."""
    kind = getattr(kpb_ext, name, None) if isinstance(name, str) else None
    return kind if isinstance(kind, type) and issubclass(kind, KpbError) else KpbError


# -- output ------------------------------------------------------------------------------


class _Output:
    """JSON Lines, each line flushed as it is written; a file is created 0600."""

    def __init__(self, target: str, *, append: bool, cut_at: int | None) -> None:
        self.to_file = target != "-"
        self.name = target if self.to_file else "standard output"
        self.lines = 0
        try:
            self.stream: IO[str] = (
                open_private(target, "a" if append else "w") if self.to_file else sys.stdout
            )
            if cut_at is not None:
                self.stream.truncate(cut_at)
        except OSError as error:
            raise self._failed(error) from None

    def write(self, line: str) -> None:
        try:
            self.stream.write(line + "\n")
            self.stream.flush()
        except OSError as error:
            raise self._failed(error) from None
        self.lines += 1

    def close(self) -> None:
        """Flush to the disk (a file) and close; raises :class:`_Stop` when that fails."""
        try:
            self.stream.flush()
            if self.to_file:
                os.fsync(self.stream.fileno())
                self.stream.close()
        except OSError as error:
            raise self._failed(error) from None

    def abandon(self) -> None:
        """Close after a failed write, writing nothing more."""
        with contextlib.suppress(OSError):
            if self.to_file:
                self.stream.close()
            else:  # no later flush of stdout may fail again at exit
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    def _failed(self, error: OSError) -> _Stop:
        written = f"; the {self.lines} lines before are kept" if self.lines else ""
        if isinstance(error, BrokenPipeError) and not self.to_file:
            # `kpb lookup ... | head`: the reader has all it wanted
            return _Stop(f"The reader of standard output went away{written}.", ExitCode.PIPE_CLOSED)
        step = (
            "free space or give another --output, then run the same command with --resume"
            if self.to_file and self.lines
            else "give another --output"
        )
        reason = error.strerror or str(error)
        return _Stop(
            f"Cannot write {self.name}: {reason}{written}. Next step: {step}.",
            ExitCode.WRITE_FAILED,
        )


# -- signals -----------------------------------------------------------------------------


class _InputEnded(Exception):
    """A signal came while the batch waited for its next input line."""


class _Interrupts:
    """Records SIGINT, SIGTERM and SIGHUP instead of dying of them.

    A signal that was ignored when the command started (``nohup``, a background job)
    stays ignored. ``wake`` is called from the handler, to wake an event loop.
    """

    def __init__(self) -> None:
        self.received: list[signal.Signals] = []
        self.wake: Callable[[], object] | None = None
        self._previous: dict[signal.Signals, Any] = {}
        self._waiting = False

    @contextlib.contextmanager
    def waiting_for_input(self) -> Iterator[None]:
        """While the block waits for input, a signal ends the wait (:class:`_InputEnded`):
        otherwise a batch reading a quiet pipe would never see it."""
        self._waiting = True
        try:
            if self.received:
                raise _InputEnded
            yield
        finally:
            self._waiting = False

    def __enter__(self) -> _Interrupts:
        for signum in STOP_SIGNALS:
            if signal.getsignal(signum) is signal.SIG_IGN:
                continue
            try:
                self._previous[signum] = signal.signal(signum, self._handle)
            except ValueError:  # not the main thread: signals stay as they are
                break
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signal.Signals(signum))
        if self.wake is not None:
            self.wake()
        if self._waiting:
            self._waiting = False
            raise _InputEnded

    def __exit__(self, *exc_info: object) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)


# -- the batch ---------------------------------------------------------------------------


@attrs.define
class _Tally:
    """Counts per number, in constant memory: no result or error is kept."""

    looked_up: int = 0
    without_errors: int = 0
    by_kind: Counter[str] = attrs.field(factory=Counter)
    worst: ExitCode | None = None

    def add(self, result: LookupResult) -> None:
        self.count({type(error).__name__: exit_code(error) for error in result.errors.values()})

    def count(self, kinds: dict[str, ExitCode]) -> None:
        """One number, with the kinds of its errors (none when it succeeded)."""
        self.looked_up += 1
        if not kinds:
            self.without_errors += 1
            return
        self.by_kind.update(kinds.keys())
        codes = [*kinds.values(), *([self.worst] if self.worst is not None else [])]
        self.worst = min(codes, key=_SEVERITY.index)

    def summary(self) -> str:
        text = f"{self.looked_up} numbers looked up, {self.without_errors} without errors"
        if self.by_kind:
            kinds = ", ".join(f"{n} {name}" for name, n in self.by_kind.most_common())
            text += f"; numbers with errors: {kinds}"
        return text


@attrs.define
class _Batch:
    """One run of the batch and how it ended."""

    source: _Source
    output: _Output
    interrupts: _Interrupts
    what: What
    concurrency: int
    stop_after_unanswered: int | None
    rate: str
    advance: Callable[[], None]
    tally: _Tally = attrs.field(factory=_Tally)
    bad_input: _Stop | None = None
    unavailable: KpbUnavailableError | None = None
    write_failed: _Stop | None = None
    stopped_by: signal.Signals | None = None
    cancelled: bool = False

    def _numbers(self) -> Iterator[tuple[int, str]]:
        """The input, until its end, a bad line, or a signal."""
        try:
            for item in self.source.items():
                if self.interrupts.received:
                    return
                yield item
        except _InputEnded:
            return
        except _Stop as stop:
            self.bad_input = stop

    async def run(self, client_arguments: dict[str, Any]) -> None:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(None) as deadline:

                def stop_in_flight() -> None:
                    grace = GRACE_SECONDS if len(self.interrupts.received) == 1 else 0.0
                    when = loop.time() + grace
                    current = deadline.when()
                    with contextlib.suppress(RuntimeError):  # expired, or the batch is over
                        deadline.reschedule(when if current is None else min(current, when))

                self.interrupts.wake = functools.partial(loop.call_soon_threadsafe, stop_in_flight)
                if self.interrupts.received:
                    stop_in_flight()
                await self._look_up(client_arguments)
        except TimeoutError:
            if not self.interrupts.received:
                raise
            self.cancelled = True
        finally:
            self.interrupts.wake = None
            if self.interrupts.received:
                self.stopped_by = self.interrupts.received[0]

    async def _look_up(self, client_arguments: dict[str, Any]) -> None:
        async with AsyncKpbClient(**client_arguments) as kpb:
            batch = kpb.lookup_many(
                self._numbers(),
                what=self.what,
                concurrency=self.concurrency,
                skip=self.source.done,
                stop_after_unanswered=self.stop_after_unanswered,
                rate=self.rate,
            )
            try:
                async with contextlib.aclosing(batch):  # type: ignore[type-var]
                    async for result in batch:
                        self.output.write(result.to_json())
                        self.tally.add(result)
                        self.advance()
            except KpbUnavailableError as error:
                self.unavailable = error
            except _Stop as stop:
                self.write_failed = stop

    def report(
        self, total: int | None, done_before: int, earlier: ExitCode | None = None
    ) -> ExitCode:
        """Print the summary and what stopped the batch; the exit code, which *earlier*
        (the worst failure among the results a resumed batch skipped) also decides."""
        summary = self.tally.summary()
        if total is not None:
            left = total - done_before - self.tally.looked_up
            if left > 0:
                summary += f"; {left} not looked up"
        click.echo(summary, err=True)
        if self.write_failed is not None:
            self.output.abandon()
            click.echo(self.write_failed, err=True)
            return self.write_failed.code
        try:
            self.output.close()
        except _Stop as stop:
            click.echo(stop, err=True)
            return ExitCode.WRITE_FAILED
        if self.stopped_by is not None:
            click.echo(self._interrupted(self.stopped_by), err=True)
            return ExitCode.INTERRUPTED
        if self.bad_input is not None:
            resume = " (with --resume, to skip what is done)" if self.output.lines else ""
            click.echo(f"{str(self.bad_input).removesuffix('.')}{resume}.", err=True)
            return ExitCode.USAGE
        if self.unavailable is not None:
            with reported_errors():
                raise self.unavailable
        failures = [code for code in (self.tally.worst, earlier) if code is not None]
        return min(failures, key=_SEVERITY.index, default=ExitCode.OK)

    def _interrupted(self, stopped_by: signal.Signals) -> str:
        name = stopped_by.name
        in_flight = (
            f"the lookups still in flight after {GRACE_SECONDS:g} s were cancelled"
            if self.cancelled
            else "the lookups in flight were finished"
        )
        step = (
            "run the same command with --resume to look up the numbers left"
            if self.output.to_file
            else "to be able to resume, write to a file with --output FILE"
        )
        return (
            f"Stopped by {name}: {in_flight}, and every answer received is in "
            f"{self.output.name}. "
            f"Next step: {step}."
        )


def _progress(total: int | None, completed: int) -> tuple[Any, Callable[[], None]]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not sys.stderr.isatty(),
    )
    task = progress.add_task("Looking up", total=total, completed=completed)
    return progress, lambda: progress.advance(task)


# -- the command -------------------------------------------------------------------------


def _rate(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        check_rate(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    return value


_HELP: Final = f"""Look up many CPR numbers and write one JSON line per number.

Each line holds "index" (the line number in --from-file, or the place of the CPR
argument), the masked number, and either KPB's data or a typed error with its next step.
One failing number never stops the batch; a repeated number is looked up once. Each line
is written as soon as its number is done. On SIGINT, SIGTERM or SIGHUP, the lookups in
flight get {GRACE_SECONDS:g} seconds to finish, then the summary is printed (exit 6);
--resume continues. The exit code is 0 when every number succeeded (with --resume, the
ones already in the output too), otherwise that of the most serious failure (network,
KPB error, certificate, invalid input).
"""


@click.command(help=_HELP)
@click.argument("cprs", nargs=-1, metavar="[CPR]...")
@click.option(
    "--from-file",
    type=click.File("rb"),
    metavar="FILE",
    help="Read CPR numbers from FILE ('-' for stdin), one per line, in UTF-8; # starts a comment.",
)
@click.option(
    "--what",
    type=click.Choice(["applications", "medical-certificates", "both"]),
    default="both",
    show_default=True,
    help="Which services to call for each number.",
)
@click.option("--concurrency", type=click.IntRange(1, 256), default=8, show_default=True)
@click.option(
    "--rate",
    default="auto",
    show_default=True,
    metavar="RATE",
    callback=_rate,
    help=f"The most requests to send to KPB a second, minute or hour, evenly spaced, retries "
    f"included (--what both makes two a number); auto: {DEFAULT_RATE}, none on loopback; "
    "none: no limit.",
)
@click.option(
    "--output",
    default="-",
    metavar="FILE",
    help="Write JSON Lines to FILE (created readable by you only) instead of stdout.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Append to the --output FILE, skipping the numbers it already holds an answer for.",
)
@click.option(
    "--stop-after-unanswered",
    type=click.IntRange(0),
    default=10,
    show_default=True,
    metavar="N",
    help="Stop once N numbers in a row got no answer from KPB (network or TLS failure, "
    "timeout, 429/502/503/504 after retries); 0 never stops.",
)
@pass_options
def lookup(
    options: TargetOptions,
    cprs: tuple[str, ...],
    from_file: BinaryIO | None,
    what: str,
    concurrency: int,
    rate: str,
    output: str,
    resume: bool,
    stop_after_unanswered: int,
) -> None:
    if cprs and from_file is not None:
        raise click.UsageError("give CPR numbers as arguments or with --from-file, not both")
    if not cprs and from_file is None:
        raise click.UsageError("give CPR numbers as arguments or with --from-file")
    if resume and output == "-":
        raise click.UsageError("--resume needs --output FILE: the file to continue")
    kinds: What = "medical_certificates" if what == "medical-certificates" else what  # type: ignore[assignment]
    with _Interrupts() as interrupts:
        try:
            code = _lookup(
                options,
                _Source(
                    name=_input_name(from_file),
                    stream=from_file,
                    arguments=cprs,
                    output=output,
                    interrupts=interrupts,
                ),
                interrupts,
                output=output,
                resume=resume,
                what=kinds,
                concurrency=concurrency,
                stop_after_unanswered=stop_after_unanswered or None,
                rate=rate,
            )
        except _Stop as stop:
            click.echo(stop, err=True)
            code = stop.code
    if code:
        raise click.exceptions.Exit(code)


def _input_name(from_file: BinaryIO | None) -> str:
    if from_file is None:
        return "the arguments"
    name = str(getattr(from_file, "name", "-"))
    return "standard input" if name.startswith("<") or name == "-" else name


def _lookup(
    options: TargetOptions,
    source: _Source,
    interrupts: _Interrupts,
    *,
    output: str,
    resume: bool,
    what: What,
    concurrency: int,
    stop_after_unanswered: int | None,
    rate: str,
) -> ExitCode:
    if source.is_file(output):
        raise _Stop(
            f"--output {output} is the input file: writing would destroy it. Give another "
            "--output.",
            ExitCode.USAGE,
        )
    earlier = _read_done(output) if resume else _Earlier()
    source.done = earlier.done
    counted = source.survey(interrupts)
    total, done_before = counted if counted is not None else (None, len(source.done))
    if resume:
        failed = earlier.tally.looked_up - earlier.tally.without_errors
        with_errors = f" ({failed} of them with errors)" if failed else ""
        torn = "; its incomplete last line was dropped" if earlier.cut_at is not None else ""
        click.echo(
            f"Resuming: {done_before} numbers already in {output} are skipped{with_errors}{torn}.",
            err=True,
        )
    with reported_errors(), options.target() as target:
        client_arguments = target.client_arguments()  # the certificate is loaded here
        progress, advance = _progress(total, done_before)
        batch = _Batch(
            source,
            _Output(output, append=resume, cut_at=earlier.cut_at),
            interrupts,
            what,
            concurrency,
            stop_after_unanswered,
            rate,
            advance,
        )
        with progress:
            asyncio.run(batch.run(client_arguments))
    return batch.report(total, done_before, earlier.tally.worst)
