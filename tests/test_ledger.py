"""Tests of risk_indicators.disclosure.ledger: transactions, versions, fail-closed recording."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from risk_indicators.disclosure._protect import protect
from risk_indicators.disclosure.ledger import Ledger
from risk_indicators.errors import DisclosureError

CUBE = pd.DataFrame(
    [("2024T1", a, "15-17", g, p, p, 50)
     for a, g, p in [("A", "man", 3), ("A", "total", 3), ("B", "man", 9), ("B", "total", 9),
                     ("total", "man", 12), ("total", "total", 12)]]
    + [("2024T1", a, "total", g, p, p, 50)
       for a, g, p in [("A", "man", 3), ("A", "total", 3), ("B", "man", 9), ("B", "total", 9),
                       ("total", "man", 12), ("total", "total", 12)]],
    columns=["period", "area", "age_band", "gender", "persons", "reports", "population"],
)  # fmt: skip


def test_record_history_and_versions(tmp_path) -> None:
    ledger = Ledger(tmp_path / "r.sqlite")
    assert ledger.state() == 0 and ledger.history().empty
    release = protect(CUBE, ledger=ledger, release_id="2024T1").release
    assert ledger.record(release, recorded_at="2024-05-02T10:00:00") == (1, True)
    hist = ledger.history()
    # A = 3 is primary; B = 9 or the total 12 must go too (12 - 9 = 3). A margin over all
    # areas costs more to hide than an area's cell, so B goes, persons and reports alike
    # (with B's reports of 9 published, B's persons could not rise to 12 for A = 0), and the
    # total of 12 stays published.
    assert set(hist.loc[hist["status"] == "primary", "area"]) == {"A"}
    assert set(hist.loc[hist["status"] == "secondary", "area"]) == {"B"}
    assert hist.loc[hist["status"] == "published", "low"].eq(12).all()
    assert hist["low"].isna().sum() == (hist["status"] != "published").sum()
    # identical content again: no new version; a changed release: version 2
    again = protect(CUBE, ledger=ledger, release_id="2024T1").release
    assert ledger.record(again) == (1, False)  # the same release: not recorded twice
    changed = protect(CUBE, ledger=ledger, release_id="2024T1", min_count=3).release
    assert ledger.record(changed) == (2, True)
    assert ledger.releases()["version"].tolist() == [1, 2]


def test_failed_record_leaves_the_ledger_unchanged(tmp_path, monkeypatch) -> None:
    ledger = Ledger(tmp_path / "r.sqlite")
    ledger.record(protect(CUBE, ledger=ledger, release_id="first").release)
    before = (ledger.state(), ledger.history(), ledger.snapshot().links)
    release = protect(CUBE, ledger=ledger, release_id="second", min_count=3).release

    def boom(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Ledger, "_insert_links", staticmethod(boom))
    with pytest.raises(RuntimeError, match="disk full"):
        ledger.record(release)
    assert ledger.state() == before[0]
    pd.testing.assert_frame_equal(ledger.history(), before[1])
    pd.testing.assert_frame_equal(ledger.snapshot().links, before[2])


def test_interrupted_record_leaves_the_ledger_unchanged(tmp_path) -> None:
    path = tmp_path / "r.sqlite"
    ledger = Ledger(path)
    ledger.record(protect(CUBE, ledger=ledger, release_id="first").release)
    n_cells = len(ledger.history())
    # a process that dies in the middle of recording (after the cells, before the links)
    script = textwrap.dedent(f"""
        import os, pickle
        import pandas as pd
        from risk_indicators.disclosure._protect import protect
        from risk_indicators.disclosure.ledger import Ledger
        cube = pd.read_pickle({str(tmp_path / "cube.pkl")!r})
        ledger = Ledger({str(path)!r})
        release = protect(cube, ledger=ledger, release_id="second", min_count=3).release
        Ledger._insert_links = staticmethod(lambda *a: os._exit(9))
        ledger.record(release)
    """)
    CUBE.to_pickle(tmp_path / "cube.pkl")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == 9, proc.stderr.decode()
    assert len(Ledger(path).history()) == n_cells
    assert Ledger(path).releases()["release_id"].tolist() == ["first"]


def test_record_refuses_a_release_audited_against_an_older_ledger(tmp_path) -> None:
    ledger = Ledger(tmp_path / "r.sqlite")
    stale = protect(CUBE, ledger=ledger, release_id="late").release
    ledger.record(protect(CUBE, ledger=ledger, release_id="early").release)
    with pytest.raises(DisclosureError, match="changed after release 'late' was audited") as err:
        ledger.record(stale)
    assert err.value.exit_code == 1
    assert ledger.releases()["release_id"].tolist() == ["early"]
