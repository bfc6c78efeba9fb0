"""The code on the README, the getting-started page and the user guide runs, and prints what
the page shows.

Each page's ```python blocks run in order in one namespace (a block may use what an
earlier one made), in a temporary directory. A ```text block right after a python block
is what that block prints: compared as doctest compares with ``ELLIPSIS`` (``...`` matches
anything) and whitespace normalised, and as pytest's ``NUMBER`` option does, a float
written with fewer decimals matching any float that rounds to it. A float or a percentage
may also differ by ``DRIFT`` of its value: a trained network's figures differ by a few
percent between CPU types (Intel and AMD kernels round differently), and the page shows
one machine's; integers (row numbers, counts) must match exactly. A block that cannot run
here (it needs ``torchrun``, or a file of the user's) follows a line
``<!-- not run: the reason -->``.
"""

import contextlib
import doctest
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
NOT_RUN = re.compile(r"<!-- not run: [^>]+ -->\s*$")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
FLOAT = re.compile(r"[-+]?\d*\.\d+(?:[eE][-+]?\d+)?|\d+(?=%)")
#: How far, relative to its value, a printed float or percentage may be from the page's.
DRIFT = 0.08
#: The pages whose snippets take minutes (several fits): with the slow tests.
SLOW_PAGES = {
    "getting_started.md",
    "anomaly.md",
    "features.md",
    "images.md",
    "saving.md",
    "scaling.md",
    "synthetic.md",
    "tables.md",
    "training.md",
}


def snippets(page):
    """``(line, code, expected output or None, run)`` of each python block of a page."""
    text = page.read_text()
    blocks = list(FENCE.finditer(text))
    found = []
    for i, block in enumerate(blocks):
        if block.group(1) != "python":
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        expected = None
        if (
            following is not None
            and following.group(1) == "text"
            and not text[block.end() : following.start()].strip()
        ):
            expected = following.group(2)
        line = text.count("\n", 0, block.start()) + 1
        run = not NOT_RUN.search(text[: block.start()])
        found.append((line, block.group(2), expected, run))
    return found


PAGES = [
    ROOT / "README.md",
    ROOT / "docs" / "getting_started.md",
    *sorted((ROOT / "docs" / "user_guide").glob("*.md")),
]


def at_written_precision(expected, printed):
    """``printed`` with each float (or percentage) replaced by the one at the same place in
    ``expected`` where the two agree to the decimals ``expected`` writes (pytest's
    ``NUMBER``) or within ``DRIFT`` of its value."""
    wanted, got = list(FLOAT.finditer(expected)), list(FLOAT.finditer(printed))
    if len(wanted) != len(got):
        return printed
    pieces, end = [], 0
    for w, g in zip(wanted, got, strict=True):
        decimals = len(w.group().partition(".")[2].lower().split("e")[0])
        tolerance = max(0.5 * 10**-decimals * (1 + 1e-9), DRIFT * abs(float(w.group())))
        same = abs(float(w.group()) - float(g.group())) <= tolerance
        pieces += [printed[end : g.start()], w.group() if same else g.group()]
        end = g.end()
    return "".join(pieces) + printed[end:]


def page_param(page):
    marks = [pytest.mark.slow] if page.name in SLOW_PAGES else []
    return pytest.param(page, id=str(page.relative_to(ROOT)), marks=marks)


def check_printed(where, code, expected, printed):
    """Fail, saying where and how, unless ``printed`` is what the page shows."""
    checker = doctest.OutputChecker()
    output = at_written_precision(expected, printed)
    if not checker.check_output(expected, output, FLAGS):
        difference = checker.output_difference(doctest.Example(code, expected), output, FLAGS)
        pytest.fail(f"{where}:\n{difference}")


@pytest.mark.parametrize("page", [page_param(p) for p in PAGES if snippets(p)])
def test_snippets_run_and_print_what_the_page_shows(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # what a snippet saves lands here
    matplotlib.use("Agg")
    namespace = {"__name__": "__main__"}
    for line, code, expected, run in snippets(page):
        if not run:
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, f"{page.name}, block at line {line}", "exec"), namespace)
        if expected is not None:
            check_printed(f"{page.name}, block at line {line}", code, expected, printed.getvalue())


def test_the_main_example_prints_what_the_readme_shows():
    """The README's quick start runs examples/plot_anomaly_detection.py and shows, in the
    text block after that command, every line it prints."""
    readme = (ROOT / "README.md").read_text()
    blocks = list(FENCE.finditer(readme))
    command = next(i for i, b in enumerate(blocks) if "plot_anomaly_detection.py" in b.group(2))
    shown = blocks[command + 1]
    assert shown.group(1) == "text", "the README shows no output after the main example"
    environment = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "MPLBACKEND": "Agg"}
    run = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "plot_anomaly_detection.py")],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
        cwd=ROOT,
    )
    check_printed("README.md, the main example's output", "", shown.group(2), run.stdout)


@pytest.mark.parametrize(
    "shown, passes",
    [
        ("0.667 [1, 2] 50%", True),
        ("0.67 [1, 2] 50%", True),
        ("0.69 [1, 2] 52%", True),  # within DRIFT (8%) of 0.6667 and of 50
        ("0.73 [1, 2] 50%", False),
        ("0.667 [1, 2] 55%", False),
        ("0.667 [1, 3] 50%", False),
    ],
)
def test_a_page_showing_another_value_fails(tmp_path, monkeypatch, shown, passes):
    """Compared at the precision the page writes or within DRIFT of the value: 2/3 shown as
    0.67 or 0.69 passes, as 0.73 fails; integers and every other character count."""
    page = tmp_path / "page.md"
    code = "print(round(2 / 3, 4), [1, 2], '50%')"
    page.write_text(f"```python\n{code}\n```\n\n```text\n{shown}\n```\n")
    if passes:
        test_snippets_run_and_print_what_the_page_shows(page, tmp_path, monkeypatch)
    else:
        with pytest.raises(pytest.fail.Exception, match="block at line 1"):
            test_snippets_run_and_print_what_the_page_shows(page, tmp_path, monkeypatch)


def test_a_block_after_a_not_run_comment_is_not_run(tmp_path, monkeypatch):
    page = tmp_path / "page.md"
    page.write_text("<!-- not run: needs torchrun -->\n```python\nraise SystemExit\n```\n")
    test_snippets_run_and_print_what_the_page_shows(page, tmp_path, monkeypatch)
