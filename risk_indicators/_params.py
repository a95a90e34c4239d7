"""One validator for the options of public functions, in scikit-learn's words.

Every option error reads like scikit-learn's (``sklearn/utils/_param_validation.py``)::

    The 'freq' parameter of assign_period must be one of 'month', 'quarter', 'tertial',
    'year'. Got 'weekly' instead.

and is a :class:`~risk_indicators.errors.UsageError` (exit code 2 on the command line). A
function states its constraints once, either with the decorator :func:`validate_params` or
with :func:`check_param` at the point of use:

>>> from risk_indicators._params import Interval, Options, check_param
>>> check_param("tertial", Options("month", "quarter", "tertial", "year"),
...             name="freq", func="assign_period")
'tertial'
>>> check_param(3, Interval(int, 10, None), name="replicates", func="simulate")
Traceback (most recent call last):
...
risk_indicators.errors.UsageError: The 'replicates' parameter of simulate must be an int in
the range [10, inf). Got 3 instead.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from .errors import UsageError

__all__ = ["Constraint", "InstanceOf", "Interval", "Options", "check_param", "validate_params"]

F = TypeVar("F", bound=Callable[..., Any])


class Constraint:
    """A rule an option must follow; :meth:`holds` decides, :meth:`describe` words it."""

    def holds(self, value: Any) -> bool:
        raise NotImplementedError  # pragma: no cover (abstract)

    def describe(self) -> str:
        raise NotImplementedError  # pragma: no cover (abstract)


@dataclass(frozen=True, init=False)
class Options(Constraint):
    """One of a fixed set of values (compared with ``==``; ``True`` is not ``1``)."""

    values: tuple[Any, ...]

    def __init__(self, *values: Any) -> None:
        object.__setattr__(self, "values", tuple(values))

    def holds(self, value: Any) -> bool:
        return any(type(value) is type(v) and value == v for v in self.values) or (
            isinstance(value, str) and value in [v for v in self.values if isinstance(v, str)]
        )

    def describe(self) -> str:
        shown = ", ".join(repr(v) for v in sorted(self.values, key=repr))
        return f"one of {shown}"


@dataclass(frozen=True)
class Interval(Constraint):
    """A number of ``kind`` (``int`` or ``float``) in a range; ``None`` is an open end."""

    kind: type
    low: float | None
    high: float | None
    closed: Literal["both", "left", "right", "neither"] = "left"

    def holds(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return False
        if self.kind is int and not isinstance(value, numbers.Integral):
            return False
        if isinstance(value, float) and math.isnan(value):
            return False
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        if self.low is not None and (value < self.low or (value == self.low and not left)):
            return False
        return not (
            self.high is not None and (value > self.high or (value == self.high and not right))
        )

    def describe(self) -> str:
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        left = "[" if self.closed in ("both", "left") and self.low is not None else "("
        right = "]" if self.closed in ("both", "right") and self.high is not None else ")"
        name = "an int" if self.kind is int else "a float"
        return f"{name} in the range {left}{lo}, {hi}{right}"


@dataclass(frozen=True)
class InstanceOf(Constraint):
    """An instance of one of ``kinds`` (``None`` allowed when listed as ``type(None)``)."""

    kinds: tuple[type, ...]
    words: str = ""

    def holds(self, value: Any) -> bool:
        return isinstance(value, self.kinds) and not (
            isinstance(value, bool) and bool not in self.kinds
        )

    def describe(self) -> str:
        if self.words:
            return self.words
        names = [("None" if k is type(None) else f"an instance of '{k.__name__}'")
                 for k in self.kinds]  # fmt: skip
        return " or ".join(names)


def check_param(
    value: Any, *constraints: Constraint, name: str, func: str, none: bool = False
) -> Any:
    """Return ``value`` if it meets one of ``constraints`` (or is None with ``none``).

    Raises
    ------
    UsageError
        With the scikit-learn wording: "The 'name' parameter of func must be ... Got ...
        instead."
    """
    if none and value is None:
        return value
    if any(c.holds(value) for c in constraints):
        return value
    words = [c.describe() for c in constraints] + (["None"] if none else [])
    rule = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    raise UsageError(f"The '{name}' parameter of {func} must be {rule}. Got {value!r} instead.")


def validate_params(**spec: Constraint | tuple[Constraint, ...]) -> Callable[[F], F]:
    """Decorator: check the named arguments of every call against their constraints.

    ``spec`` maps an argument name to a constraint or a tuple of them (any may hold); a
    default of ``None`` is accepted without a check.

    Examples
    --------
    >>> @validate_params(kind=Options("month", "tertial"))
    ... def periods(kind="tertial"):
    ...     return kind
    >>> periods("weekly")
    Traceback (most recent call last):
    ...
    risk_indicators.errors.UsageError: The 'kind' parameter of periods must be one of 'month',
    'tertial'. Got 'weekly' instead.
    """

    def decorate(fn: F) -> F:
        signature = inspect.signature(fn)
        unknown = sorted(set(spec) - set(signature.parameters))
        if unknown:
            raise TypeError(f"validate_params names unknown parameters of {fn.__name__}: {unknown}")

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(*args, **kwargs)
            for name, rule in spec.items():
                if name not in bound.arguments:
                    continue
                value = bound.arguments[name]
                default = signature.parameters[name].default
                rules = rule if isinstance(rule, tuple) else (rule,)
                check_param(value, *rules, name=name, func=fn.__name__, none=default is None)
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
