"""README's list of demo commands is exactly what `seismoalice demo` runs (same order, same
arguments), so that a reader who types them gets the demo's results."""

import shlex
from pathlib import Path

from seismoalice.commands.demo import demo_steps

README = Path(__file__).resolve().parents[1] / "README.md"
INTRO = "`make demo` runs, and prints before each step, the same commands a user types:"


def readme_commands() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    block = text[text.index(INTRO) :].split("```bash\n", 1)[1].split("```", 1)[0]
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


def test_readme_lists_the_demo_commands():
    steps = demo_steps(Path("demo_out"), 2000, 0, Path("configs/demo.yaml"), train=True)
    assert readme_commands() == [["seismoalice", *map(str, argv)] for argv in steps]
