"""The cube split by detection mode: police-initiated, report from the public, unknown.

Private to :mod:`risk_indicators.fairness`, which re-exports :func:`detection_cubes` and
:func:`has_detection` and computes its figures by mode from these cubes; the fairlearn frames
of :mod:`risk_indicators.fairness._parity` use them as a control feature. A mode says how the police
came to know of a person, so figures by mode separate police effort from reports by others.
"""

from __future__ import annotations

import pandas as pd

from .standardise import TOTAL

__all__ = ["DETECTIONS", "detection_cubes", "has_detection"]

DETECTIONS = ("polisinitierad", "anmalan", "okand")


# --------------------------------------------------------------------------- detection mode
def detection_cubes(detection: pd.DataFrame, cube: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One cube per detection mode (and ``total``), shaped like the main cube.

    ``persons`` and ``reports`` come from ``detection`` (``Analysis.detection``); ``area`` is
    ``total``; ``population`` is that of the same period, age band and gender in the main
    cube, so a rate by mode is the persons found that way per inhabitant. Every function of
    :mod:`risk_indicators.fairness` then works per mode; a share by mode is
    women / (women + men) among the persons found that way.
    """
    pop = cube.loc[cube["area"] == TOTAL, ["period", "age_band", "gender", "population"]]
    out = {}
    for mode in (*DETECTIONS, TOTAL):
        part = detection.loc[detection["detection"] == mode].drop(columns="detection")
        part = part.assign(area=TOTAL).merge(pop, on=["period", "age_band", "gender"], how="left")
        out[mode] = part[["period", "area", "age_band", "gender", "persons", "reports",
                          "population"]]  # fmt: skip
    return out


def has_detection(detection: pd.DataFrame | None) -> bool:
    """True when some person has a known detection mode (not only ``okand``)."""
    if detection is None:
        return False
    known = detection["detection"].isin(DETECTIONS[:2]) & (detection["gender"] == TOTAL)
    return bool(detection.loc[known & (detection["age_band"] == TOTAL), "persons"].sum() > 0)
