"""Kör periodens uppföljning: från polisens uttag till en publicerbar rapport.

Analytikerns skript för varje tertial (eller kvartal). Det läser inställningarna i
``reports/config.toml``, kontrollerar indata med ``risk-indicators validate``, kör
``risk-indicators run`` för perioden och skriver ut vad som får publiceras. Resultatet hamnar i
``reports/<period>/`` (``public/``, ``internal/`` och ``audit/``).

Exempel (från projektmappen)::

    export RISK_INDICATORS_KEY=...          # samma hemliga nyckel varje gång
    python reports/run_followup.py --reports indata/anmalda.xlsx \\
        --population indata/befolkning.csv               # senaste hela perioden
    python reports/run_followup.py ... --period 2024T1     # en bestämd period
    python reports/run_followup.py ... --dry-run           # visa bara kommandona

Utan ``--period`` väljs den senaste hela perioden i uttaget med paketets egen regel
(``risk_indicators.periods.last_complete_period``); då läses uttaget en extra gång med nyckeln.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLI = [sys.executable, "-m", "risk_indicators.cli"]


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Kör uppföljningen av medborgarlöftet för en period.",
    )
    parser.add_argument(
        "--reports", required=True, type=Path, help="Polisens uttag (.xlsx, .csv eller .parquet)."
    )
    parser.add_argument(
        "--population", required=True, type=Path, help="Befolkning per år, ålder och kön (SCB)."
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=HERE / "config.toml",
        help="Inställningar (standard: reports/config.toml).",
    )
    parser.add_argument(
        "--activity",
        type=Path,
        default=None,
        help="Aktiviteterna i löftet (.xlsx eller .csv); utan den är insatserna okända.",
    )
    parser.add_argument(
        "--period", default=None, help="Perioden, t.ex. 2024T1 (standard: senaste hela perioden)."
    )
    parser.add_argument(
        "--out-root",
        type=Path,
        default=HERE,
        help="Mappen där periodmappen skapas (standard: reports/).",
    )
    parser.add_argument(
        "--skip-validate", action="store_true", help="Hoppa över kontrollen av indata."
    )
    parser.add_argument("--dry-run", action="store_true", help="Visa kommandona utan att köra dem.")
    return parser.parse_args(argv)


def last_complete_period(reports: Path, config: Path) -> str:
    """Den senaste hela perioden i uttaget, med samma regel som ``risk-indicators run``."""
    import risk_indicators as ri
    from risk_indicators.intake.pseudonymise import key_from_env
    from risk_indicators.periods import last_complete_period as rule

    cfg = ri.load_config(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # run shows the data warnings once, later
        records = ri.read_reports(
            reports, config=cfg, key=key_from_env(cfg.pseudonymisation.key_env)
        )
    last = records.last_date
    if last is None:
        raise SystemExit(f"Uttaget {reports} har inga användbara rader; inget att följa upp.")
    return rule(last, kind=cfg.period).code


def _show(command: list[str]) -> str:
    shown = ["risk-indicators" if part == "risk_indicators.cli" else part for part in command]
    return shlex.join(shown[2:] if shown[:2] == [sys.executable, "-m"] else shown)


def _call(command: list[str], dry_run: bool) -> int:
    print("$ " + _show(command), flush=True)
    if dry_run:
        return 0
    return subprocess.run(command, check=False).returncode


def _publish_list(out: Path) -> None:
    public = out / "public"
    if not public.is_dir():
        print(
            f"\nIngen mapp {public} skrevs: det finns inget att publicera från den här "
            "körningen. Läs meddelandena ovan."
        )
        return
    print(f"\nKontrollera först {out / 'audit'}:")
    print("  rejected_rows.csv  avvisade rader: rätta uttaget om det är många eller viktiga")
    print("  disclosure.csv     dolda celler (–) och varför")
    print("  run.json           version, inställningar och kontrollsummor för indata")
    print(f"\nFår publiceras (allt i {public}):")
    for path in sorted(public.rglob("*")):
        if path.is_file():
            print(f"  {path.relative_to(out)}")
    print(f"\nText att klistra in i uppföljningen: {public / 'followup.md'}")
    print(f"Publicera aldrig {out / 'internal'} (exakta tal) eller {out / 'audit'}.")


def main(argv: list[str] | None = None) -> int:
    """Kör kontroll och analys för perioden; returnerar CLI:ts slutkod."""
    args = _arguments(argv)
    from risk_indicators.errors import RiskIndicatorsError

    try:
        period = args.period or last_complete_period(args.reports, args.config)
    except RiskIndicatorsError as error:  # a missing key or a bad file: its sentence, no traceback
        print(f"Fel: {error}", file=sys.stderr)
        return error.exit_code
    out = args.out_root / period
    inputs = [
        "--reports",
        str(args.reports),
        "--population",
        str(args.population),
        "--config",
        str(args.config),
    ]
    activity = ["--activity", str(args.activity)] if args.activity is not None else []
    print(f"Uppföljning för {period} -> {out}")
    if not args.skip_validate:
        code = _call([*CLI, "validate", *inputs], args.dry_run)
        if code != 0:
            print(f"\nKontrollen av indata misslyckades (kod {code}); rätta uttaget och kör igen.")
            return code
    code = _call(
        [*CLI, "run", *inputs, *activity, "--period", period, "--out", str(out)], args.dry_run
    )
    if code != 0:
        print(f"\nKörningen misslyckades (kod {code}); inget nytt publicerades.")
        return code
    if not args.dry_run:
        _publish_list(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
