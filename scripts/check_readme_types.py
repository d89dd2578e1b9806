"""Type-check the README's Python code blocks and examples/ with mypy.

    python scripts/check_readme_types.py

The README's ```python blocks are read in order as one script (a later block
uses the names an earlier one made, as a reader would run them), written to a
temporary file, and checked together with examples/; errors in the README are
reported at their README line. Exits with mypy's status.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.M | re.S)


def readme_script(readme: str) -> tuple[str, list[int]]:
    """The blocks joined, and for each line of the result its README line number."""
    lines: list[str] = []
    origin: list[int] = []
    for match in BLOCK.finditer(readme):
        first = readme.count("\n", 0, match.start(1)) + 1
        for offset, line in enumerate(match.group(1).splitlines()):
            lines.append(line)
            origin.append(first + offset)
    return "\n".join(lines) + "\n", origin


def main() -> int:
    script, origin = readme_script((ROOT / "README.md").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        snippet = Path(tmp) / "readme_snippets.py"
        snippet.write_text(script)
        result = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict-optional", "--no-error-summary",
             "--ignore-missing-imports", str(snippet), str(ROOT / "examples")],
            capture_output=True, text=True, cwd=ROOT, check=False,
        )
        prefix = re.compile(re.escape(str(snippet)) + r":(\d+):")
        for line in (result.stdout + result.stderr).splitlines():
            print(prefix.sub(lambda m: f"README.md:{origin[int(m.group(1)) - 1]}:", line))
    print("mypy: README and examples/ are clean" if result.returncode == 0
          else "mypy: errors above")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
