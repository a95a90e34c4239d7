"""``python -m risk_indicators.synthetic``: regenerate the bundled data (see its README)."""

import sys

from ._generator import main

sys.exit(main())
