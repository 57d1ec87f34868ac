"""Rewrite the regression baseline (`make baseline`) after an intended change of results."""

import json
import logging

from tests.regression.cases import BASELINE, CASES, figures

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    data = {name: figures(name) for name in CASES}
    BASELINE.write_text(json.dumps(data, indent=1) + "\n")
    logging.info("wrote %s (%d cases)", BASELINE, len(data))
