"""The command shape shared by ``gridgov report`` and ``gridgov export``: runs in, one file out."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from analysis.load import NotARunError

log = logging.getLogger(__name__)

EXIT_BAD_INPUT = 2
Writer = Callable[[list[str], str | None, str | None, str], Path]


def file_command(
    prog: str, description: str, out_help: str, write: Writer, argv: Sequence[str] | None
) -> int:
    """Parse ``PATHS [--out] [--baseline] [--by]``, write the file, print its path.

    Args:
        prog: The command's name (``gridgov report``).
        description: What it writes.
        out_help: Help of ``--out`` (the file and its default).
        write: Writes the file from (paths, out, baseline, by) and returns its path.
        argv: The arguments (None: the command line's).

    Returns:
        The exit code: 0 (the file's path on stdout), or 2 on bad input (message
        logged, nothing written).
    """
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("paths", nargs="+", help="run or sweep directories")
    parser.add_argument("--out", help=out_help)
    parser.add_argument(
        "--baseline", help="the group to compare against (default: huaian_2020 or the first)"
    )
    parser.add_argument(
        "--by", default="scenario", help="the column naming the groups (default: scenario)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(format="%(levelname)s: %(message)s", level=logging.INFO)
    try:
        target = write(args.paths, args.out, args.baseline, args.by)
    except (NotARunError, ValueError, OSError) as exc:
        log.error("bad input: %s", exc)
        return EXIT_BAD_INPUT
    sys.stdout.write(f"{target}\n")
    return 0
