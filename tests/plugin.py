"""What `make test` adds to pytest: time per app, and one pytest process of their own for the tests
that swap the process's Celery broker (marker `own_process`).

Loaded by the root conftest.py (`pytest_plugins`).

Per-app times: every test report reaches the controller (with xdist, the workers send theirs
there), which sums setup + call + teardown per top-level directory and prints the sums with each
app's outcomes after the run.

own_process: such a test points this process's Celery app at a private Redis and runs a worker in
a thread (notifications/tests/test_worker.py) or publishes to a worker process it starts
(routing/tests/test_worker.py). Whatever that leaves in the process (kombu's pools, a broker URL,
threads) must not meet another test, nor another test's leftovers meet it. So in the run that
collects them, each is replaced by a stand-in that reports what a separate `pytest -n 0` run of all
of them, started once, said about it. Nothing is deselected: `make test` is one pytest run, and its
counts and skip reasons include these tests. They are grouped on one xdist worker and go first, so
the separate run overlaps the rest of the suite instead of following it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Set in the separate run's environment; routing/tests/workers.py refuses to swap the broker without it.
OWN_PROCESS_ENV = "MOTCUA_OWN_PROCESS"
OWN_PROCESS_TIMEOUT = 15 * 60
_RESULTS = pytest.StashKey[dict]()
_SECONDS = "own_process_seconds"


def pytest_addoption(parser):
    parser.addoption(
        "--own-process-results",
        default="",
        help="internal: this is the separate run of the own_process tests; write their results here",
    )


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller, or a run without xdist
        config.pluginmanager.register(AppTimes(), "motcua-app-times")
    if config.getoption("own_process_results"):
        config.pluginmanager.register(ResultWriter(config), "motcua-own-process-writer")


# --- Time per app -------------------------------------------------------------------------------


class AppTimes:
    """Sums each test's setup + call + teardown per top-level directory, and counts its outcomes."""

    def __init__(self):
        self.seconds: Counter[str] = Counter()
        self.outcomes: dict[str, str] = {}

    def pytest_runtest_logreport(self, report):
        app = report.nodeid.split("/", 1)[0].split("::", 1)[0]
        seconds = dict(report.user_properties).get(_SECONDS, report.duration)
        self.seconds[app] += seconds
        test = report.nodeid
        if report.failed:
            self.outcomes[test] = "failed" if report.when == "call" else "error"
        elif report.skipped and self.outcomes.get(test) not in ("failed", "error"):
            self.outcomes[test] = "skipped"
        elif report.when == "call" and test not in self.outcomes:
            self.outcomes[test] = "passed"

    def pytest_terminal_summary(self, terminalreporter):
        if not self.seconds:
            return
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for test, outcome in self.outcomes.items():
            counts[test.split("/", 1)[0].split("::", 1)[0]][outcome] += 1
        terminalreporter.write_sep("=", "time per app (setup + call + teardown, summed over the workers)")
        for app, seconds in self.seconds.most_common():
            tally = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts[app].items()))
            terminalreporter.write_line(f"{app:<16} {seconds:7.1f} s   {tally}")
        terminalreporter.write_line(f"{'all':<16} {sum(self.seconds.values()):7.1f} s")


# --- own_process: one pytest process of their own --------------------------------------------------


def _own_process(item) -> bool:
    return item.get_closest_marker("own_process") is not None


@pytest.hookimpl(tryfirst=True)  # before xdist names the groups
def pytest_collection_modifyitems(session, config, items):
    if config.getoption("own_process_results"):
        return  # this is the separate run: its tests run here, as they are
    own = [item for item in items if _own_process(item)]
    if not own:
        return
    stand_ins = []
    for item in own:
        stand_in = OwnProcessItem.from_parent(item.parent, name=item.name, original=item)
        stand_in.add_marker(pytest.mark.xdist_group("own_process"))
        stand_ins.append(stand_in)
    items[:] = stand_ins + [item for item in items if not _own_process(item)]


class OwnProcessFailed(Exception):
    """What the separate run reported for a test that failed there (its traceback, as text)."""


class OwnProcessItem(pytest.Item):
    """Stands for an own_process test in the main run. It sets nothing up here (no fixture, no
    database): it reports what the separate run said about the test it stands for."""

    def __init__(self, *, original: pytest.Item, **kwargs):
        super().__init__(**kwargs)
        self.original_nodeid = original.nodeid
        self.original_location = original.reportinfo()
        self.own_markers.extend(original.own_markers)
        self.keywords.update(original.keywords)

    def reportinfo(self):
        return self.original_location

    def runtest(self):
        result = _own_process_results(self.session).get(self.original_nodeid)
        if result is None:
            raise OwnProcessFailed(
                "the separate run of the own_process tests did not report this test; its output ends:\n"
                + _own_process_results(self.session)["__output__"]
            )
        self.user_properties.append((_SECONDS, result["seconds"]))
        if result["outcome"] == "skipped":
            # Reported at the test's own line, as a skip mark's reason is.
            raise pytest.skip.Exception(result["reason"], _use_item_location=True)
        if result["outcome"] == "failed":
            raise OwnProcessFailed(result["text"])

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, OwnProcessFailed):
            return f"(in the separate pytest run of the own_process tests)\n{excinfo.value}"
        return super().repr_failure(excinfo)


def _own_process_results(session) -> dict:
    """Runs every own_process test of this session in one `pytest -n 0` child, once per process."""
    if _RESULTS in session.stash:
        return session.stash[_RESULTS]
    nodeids = [item.original_nodeid for item in session.items if isinstance(item, OwnProcessItem)]
    with tempfile.TemporaryDirectory(prefix="motcua-own-process-") as folder:
        results_file, log_file = Path(folder) / "results.jsonl", Path(folder) / "output.log"
        started = time.monotonic()
        with open(log_file, "wb") as log:
            try:
                subprocess.run(
                    [sys.executable, "-m", "pytest", "-n", "0", "-q", f"--own-process-results={results_file}"]
                    + nodeids,
                    cwd=ROOT,
                    env=_own_process_env(session.config),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    timeout=OWN_PROCESS_TIMEOUT,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                log.write(f"\n[killed after {OWN_PROCESS_TIMEOUT} s]\n".encode())
        results = _read_results(results_file)
        results["__output__"] = log_file.read_bytes()[-4000:].decode(errors="replace")
        results["__seconds__"] = time.monotonic() - started
    session.stash[_RESULTS] = results
    return results


def _own_process_env(config) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_XDIST_", "PYTEST_CURRENT_TEST"))}
    env[OWN_PROCESS_ENV] = "1"
    # A test database of its own: this run's "test_<name>" must not be the one a `pytest -n 0`
    # parent is using (xdist's workers use test_<name>_gwN).
    url = env.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urllib.parse.urlsplit(url)
        worker = getattr(config, "workerinput", {}).get("workerid", "main")
        env["DATABASE_URL"] = parts._replace(path=f"{parts.path}_own_{worker}").geturl()
    return env


def _read_results(path: Path) -> dict:
    """Per test: passed, failed (with the text of each failed phase) or skipped (with the reason);
    the seconds of its setup, call and teardown."""
    results: dict = {}
    if not path.exists():
        return results
    for line in path.read_text().splitlines():
        report = json.loads(line)
        result = results.setdefault(report["nodeid"], {"outcome": "passed", "seconds": 0.0, "text": ""})
        result["seconds"] += report["duration"]
        if report["outcome"] == "failed":
            result["outcome"] = "failed"
            result["text"] += f"--- {report['when']} ---\n{report['text']}\n"
        elif report["outcome"] == "skipped" and result["outcome"] == "passed":
            result["outcome"], result["reason"] = "skipped", report["text"]
    return results


class ResultWriter:
    """In the separate run: one JSON line per report, for the main run's stand-ins to read."""

    def __init__(self, config):
        self.path = Path(config.getoption("own_process_results"))

    def pytest_runtest_logreport(self, report):
        text = ""
        if report.failed:
            text = str(report.longrepr)
            for title, content in report.sections:
                text += f"\n--- {title} ---\n{content[-3000:]}"
        elif report.skipped:
            longrepr = report.longrepr
            text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
            text = text.removeprefix("Skipped: ")
        line = {
            "nodeid": report.nodeid,
            "when": report.when,
            "outcome": report.outcome,
            "duration": report.duration,
            "text": text,
        }
        with open(self.path, "a") as out:
            out.write(json.dumps(line) + "\n")
