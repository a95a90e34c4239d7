"""What the command line prints and how errors become exit codes (private to ``cli``).

Exit codes: 0 done; 1 the data failed; 2 usage error or unusable input; 3 internal error;
130 interrupted (Ctrl-C, SIGINT or SIGTERM). Errors are printed as plain sentences; a traceback
only with ``--debug``. An interrupted run unwinds like a failed one: the folder being built is
removed, an open ledger transaction is rolled back, so no partial ``public/`` is left.
"""

from __future__ import annotations

import contextlib
import logging
import re
import signal
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import typer

from risk_indicators.errors import RiskIndicatorsError
from risk_indicators.intake import scrub

__all__ = ["Console", "guard"]


class _LiveLine(logging.Handler):
    """Shows each progress record as the live line's detail (the audit's rounds)."""

    def __init__(self, bar: Any, task: Any) -> None:
        super().__init__()
        self.bar, self.task = bar, task

    def emit(self, record: logging.LogRecord) -> None:
        # the elapsed time has its own column
        detail = re.sub(r"\s*\(\d+ s\)$", "", record.getMessage().strip())
        self.bar.update(self.task, detail=f": {detail}")


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler on whatever ``sys.stderr`` is when a record comes: a handler holding
    the stream of its creation writes to a closed file once that stream is replaced (a test
    runner's captured streams, a library caller's redirect)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


class Console:
    """Prints to the terminal according to -q / -v."""

    def __init__(self, quiet: bool, verbose: bool) -> None:
        self.quiet, self.verbose = quiet, verbose
        self._live: tuple[Any, Any] | None = None
        # the long steps (the disclosure audit) report their progress on stderr unless -q
        steps = logging.getLogger("risk_indicators.progress")
        for handler in list(steps.handlers):
            if getattr(handler, "_risk_indicators_console", False):
                steps.removeHandler(handler)
        if not quiet:
            handler = _Stderr()
            handler.setFormatter(logging.Formatter("%(message)s"))
            handler._risk_indicators_console = True  # type: ignore[attr-defined]
            steps.addHandler(handler)
        steps.setLevel(logging.INFO if not quiet else logging.WARNING)
        steps.propagate = False

    def step(self, text: str) -> None:
        """A step of long work begins: the live line on a terminal, else a printed line."""
        if self._live is not None:
            bar, task = self._live
            bar.update(task, description=text.rstrip(" ."), detail="")
        else:
            self.say(text)

    @contextlib.contextmanager
    def live(self) -> Iterator[None]:
        """While the block runs on a terminal (and without -q): one live line on stderr with a
        spinner, the current step and the time so far (rich, which typer brings), and the
        audit's progress in it instead of printed lines. Elsewhere (a log file, a pipe, CI)
        the lines are printed as they come, so logs keep them."""
        if self.quiet or not sys.stderr.isatty():
            yield
            return
        from rich.console import Console as RichConsole
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        bar = Progress(SpinnerColumn(), TextColumn("{task.description}{task.fields[detail]}"),
                       TimeElapsedColumn(), console=RichConsole(file=sys.stderr),
                       transient=True)  # fmt: skip
        task = bar.add_task("", total=None, detail="")
        steps = logging.getLogger("risk_indicators.progress")
        lines = [h for h in steps.handlers if getattr(h, "_risk_indicators_console", False)]
        handler = _LiveLine(bar, task)
        for h in lines:
            steps.removeHandler(h)
        steps.addHandler(handler)
        self._live = (bar, task)
        try:
            with bar:
                yield
        finally:
            self._live = None
            steps.removeHandler(handler)
            for h in lines:
                steps.addHandler(h)

    def say(self, text: str) -> None:
        if self.quiet:
            return
        if self._live is not None:  # above the live line, which stays at the bottom
            self._live[0].console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            typer.echo(text)

    def detail(self, text: str) -> None:
        if self.verbose and not self.quiet:
            typer.echo(text)

    def warn(self, text: str) -> None:
        """A warning on stderr; shown also with -q (it asks the analyst to act)."""
        typer.echo(f"Warning: {text}", err=True)


INTERRUPTED = 130


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C (cleanup runs) while a command works."""
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: leave the signal alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def guard(debug: bool, work: Callable[[], int | None]) -> None:
    """Run ``work``, mapping errors onto exit codes and plain messages."""
    with warnings.catch_warnings(record=True) as caught, _sigterm_unwinds():
        warnings.simplefilter("always")
        try:
            code = work() or 0
        except KeyboardInterrupt:
            typer.echo(
                "Interrupted: the folder being written was removed and the ledger left as it "
                "was; no partial public/ folder is left. Run the command again.",
                err=True,
            )
            raise typer.Exit(INTERRUPTED) from None
        except RiskIndicatorsError as exc:
            typer.echo(f"Error: {scrub(str(exc))}", err=True)
            if debug:
                traceback.print_exc()
            raise typer.Exit(exc.exit_code) from None
        except typer.Exit:
            raise
        except Exception as exc:  # the last line of defence: never a bare traceback
            typer.echo(
                f"Internal error ({type(exc).__name__}): {scrub(str(exc))}. This is a bug in "
                "risk_indicators; run again with --debug and report the output.",
                err=True,
            )
            if debug:
                traceback.print_exc()
            raise typer.Exit(3) from None
        finally:
            for w in caught:
                if issubclass(w.category, UserWarning):
                    typer.echo(f"Warning: {scrub(str(w.message))}", err=True)
    raise typer.Exit(code)
