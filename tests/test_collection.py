"""`make test` runs every test module in the repository: none left outside what pytest collects.

Until 2026-12 pyproject.toml listed the apps to collect, and the 53 tests of dashboard/ and
satisfaction/ (the role-permission tests among them) were never run.
"""

import fnmatch
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _test_modules(patterns: list[str]) -> list[Path]:
    """The repository's test modules: tracked files and new ones git does not ignore."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git work tree: the repository's files cannot be listed")
    return sorted(
        ROOT / name
        for name in set(listed)
        if any(fnmatch.fnmatch(Path(name).name, pattern) for pattern in patterns) and (ROOT / name).exists()
    )


def _collected_by_config(path: Path, testpaths: list[Path], norecursedirs: list[str]) -> bool:
    for top in testpaths:
        if top == path or top in path.parents:
            folders = path.relative_to(top).parts[:-1]
            if not any(fnmatch.fnmatch(folder, pattern) for folder in folders for pattern in norecursedirs):
                return True
    return False


def test_every_test_module_lies_where_pytest_collects(pytestconfig):
    testpaths = [(ROOT / p).resolve() for p in pytestconfig.getini("testpaths")]
    norecursedirs = pytestconfig.getini("norecursedirs")
    modules = _test_modules(pytestconfig.getini("python_files"))
    assert modules, "no test module found: the search is broken"
    outside = [
        str(path.relative_to(ROOT))
        for path in modules
        if not _collected_by_config(path, testpaths, norecursedirs)
    ]
    assert outside == [], f"test modules pytest never collects (testpaths / norecursedirs): {outside}"


def test_this_run_collected_every_test_module(pytestconfig, request):
    """The same, as pytest itself saw it: in a whole run, each test module gave this session items."""
    if pytestconfig.args_source != pytest.Config.ArgsSource.TESTPATHS or pytestconfig.option.markexpr:
        pytest.skip("only a whole run (no paths, no -m) collects every module; `make test` is one")
    if pytestconfig.option.keyword:
        pytest.skip("-k leaves modules out on purpose")
    collected = {Path(item.path).resolve() for item in request.session.items}
    modules = _test_modules(pytestconfig.getini("python_files"))
    missing = [str(p.relative_to(ROOT)) for p in modules if p.resolve() not in collected]
    assert missing == [], f"test modules that gave this run no test: {missing}"
