"""gunicorn's settings for the web process: `gunicorn -c portal/gunicorn.conf.py portal.wsgi`.

The Procfile's `web:` line runs it; a deployment may override any setting on the command line
(`--bind 0.0.0.0:8000 --workers 4`), which gunicorn reads after this file.

Slow clients (issue 17). A gthread worker hands each new connection to a thread, which reads the
request line and headers before Django sees anything. gunicorn 27 keeps an idle connection off
the threads (it waits 5 s for a first byte, then parks it in the poller), but a client that drips
a header byte every second holds its thread for as long as it likes: 2 workers × 4 threads = 8
such clients and `/health/` stops answering. No gunicorn 27 setting bounds the header read
(`timeout` is the worker's heartbeat, `keepalive` the idle time between requests). Its `asgi`
worker does read requests without a thread (8 dripping clients did not stall it), but it is beta,
and Django under ASGI costs a new thread and a new database connection per request
(/health/ on PostgreSQL: 84 requests/s against 368 here, persistent connections unusable) and reads
a body whole before any middleware (the body cap, REQUEST_BODY_MAX_BYTES, could no longer refuse
it unread). So the web process stays gthread and production runs it behind a buffering proxy that
reads whole requests before passing them on: portal/deploy/nginx.conf, tested with 8 and 32
dripping clients in portal/tests/test_slow_clients.py (docs/operations.md, "Slow clients").
"""

import os

# The embedded mode (make run) listens on the loopback only; a deployment binds its own address.
bind = [f"127.0.0.1:{os.environ.get('PORT', '8000')}"]
worker_class = "gthread"
workers = 2
# Each thread holds at most one PostgreSQL connection (CONN_MAX_AGE): machines × workers × threads
# must stay under max_connections (docs/operations.md, "Scaling notes").
threads = 4

accesslog = "-"
# Path without the query string: look-ups carry a citizen ID only in POST bodies, never in URLs,
# and the log keeps no query strings at all (docs/security.md).
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)s'
