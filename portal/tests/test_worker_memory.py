"""A worker process frees each task's garbage when the task ends (portal.celery)."""

import subprocess
import sys
import textwrap

from django.conf import settings

# Run in a process of its own: freezing the garbage collector is for the whole process.
WORKER = textwrap.dedent(
    """
    import gc, sys, weakref
    import django
    django.setup()
    from portal.celery import app, worker_process_ready

    freed = []

    class Node:
        pass

    @app.task
    def leave_garbage(import_new_code=False):
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: reference counting alone never frees it
        weakref.finalize(a, freed.append, 1)
        if import_new_code:
            import xml.dom.minidom  # noqa: F401

    gc.disable()  # only the worker's own collection may free it
    leave_garbage.apply()
    print("plain process, freed after the task:", len(freed))
    worker_process_ready()
    print("worker process, freed when it started:", len(freed))
    leave_garbage.apply()
    print("worker process, freed after the task:", len(freed))
    print("objects the collector walks before:", len(gc.get_objects()))
    assert "xml.dom.minidom" not in sys.modules
    leave_garbage.apply(kwargs={"import_new_code": True})
    print("worker process, freed after a task that loaded code:", len(freed))
    print("objects the collector walks after:", len(gc.get_objects()))
    """
)


def test_a_worker_process_frees_each_tasks_garbage_when_the_task_ends():
    run = subprocess.run(
        [sys.executable, "-c", WORKER], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    lines = dict(line.rsplit(":", 1) for line in run.stdout.splitlines())
    assert int(lines["plain process, freed after the task"]) == 0  # no full collection outside workers
    assert int(lines["worker process, freed when it started"]) == 1
    assert int(lines["worker process, freed after the task"]) == 2
    assert int(lines["worker process, freed after a task that loaded code"]) == 3
    # The new module's objects joined the frozen ones, so collecting after a task stays cheap.
    walked_before = int(lines["objects the collector walks before"])
    assert int(lines["objects the collector walks after"]) <= walked_before + 20, run.stdout
