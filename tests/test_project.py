"""The project's promises about itself: README commands, CI, examples."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    setup = text.split("## Set-up: two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", setup)


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one() -> None:
    commands = _readme_commands()
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci == commands[1]


def test_readme_example_command_names_an_existing_example() -> None:
    example = _readme_commands()[0].split("python ")[-1].split()[0]
    assert (ROOT / example).is_file()


def test_fit_curve_example_runs_quick_and_leaks_nothing() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "fit_curve.py"), "--quick"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "besides the 4 variables: 0" in out.stdout
    first, last = map(float, re.search(r"loss: ([\d.]+) -> ([\d.]+)", out.stdout).groups())
    assert last < first


def test_readme_python_snippet_runs(capsys) -> None:
    text = (ROOT / "README.md").read_text()
    snippet = re.search(r"```python\n(.+?)\n```", text, re.S).group(1)
    exec(compile(snippet, "README.md", "exec"), {})
    assert capsys.readouterr().out.startswith("Tensor\n    [2, 0, 6]\n")
