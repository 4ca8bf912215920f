"""The README's examples run (doctest of its python blocks)."""

import doctest
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_readme_examples():
    text = README.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README has no python examples"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    namespace: dict = {}  # the README's examples build on each other, top to bottom
    for i, block in enumerate(blocks):
        test = parser.get_doctest(block, namespace, f"README[{i}]", str(README), 0)
        runner.run(test, clear_globs=False)
        namespace.update(test.globs)  # DocTest copies its globals
    result = runner.summarize(verbose=False)
    assert result.failed == 0


def test_readme_has_exactly_two_fresh_machine_commands():
    text = README.read_text()
    quick = text.split("## Quick start", 1)[1].split("## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", quick, flags=re.S)
    assert len(commands) == 2
    assert "pytest" in commands[1]
