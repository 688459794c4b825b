"""The instruction-count benchmark's own arithmetic (benchmarks/instructions.py).

Valgrind itself runs only in ``make bench-instructions``; here its output file is read and the
table's figures a page are checked against sums done by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import instructions

CACHEGRIND_OUT = """\
desc: I1 cache: 32768 B, 64 B, 8-way associative
cmd: python -m mkdocs build -q -f mkdocs-plain.yml
events: Ir
fl=???
fn=0x0000000000001000
0 3
summary: 8932613498
"""


def test_the_total_is_read_from_the_summary_line(tmp_path: Path) -> None:
    out = tmp_path / "out.4559"
    out.write_text(CACHEGRIND_OUT, encoding="utf-8")
    assert instructions._summary(out) == 8_932_613_498


def test_a_file_without_a_summary_is_an_error_naming_it(tmp_path: Path) -> None:
    out = tmp_path / "out.1"
    out.write_text(CACHEGRIND_OUT.replace("summary: 8932613498\n", ""), encoding="utf-8")
    with pytest.raises(ValueError, match=r"out\.1: no summary line"):
        instructions._summary(out)


def test_the_table_gives_each_variant_over_plain_a_page_and_against_the_first_size() -> None:
    sizes = [
        (200, 2000, {"plain": 8_932_613_498, "warm": 10_089_776_689}),
        (1000, 2000, {"plain": 97_090_475_853, "warm": 103_123_383_536}),
    ]
    rows = instructions.table(sizes).splitlines()
    assert rows[2] == "| 200 | 2000 | plain | 8.933 |  |  |"
    # (10,089,776,689 - 8,932,613,498) / 200 = 5,785,816 a page
    assert rows[3] == "| 200 | 2000 | warm | 10.090 | 5.79 | 1.00 |"
    # (103,123,383,536 - 97,090,475,853) / 1000 = 6,032,908 a page: 1.04 times the first size's
    assert rows[5] == "| 1000 | 2000 | warm | 103.123 | 6.03 | 1.04 |"
