"""Gunicorn's settings for production: uvicorn workers, bound to PORT, JSON logs.

`gunicorn --config gunicorn.conf.py every_type.main:app` (the Dockerfile's
command). WEB_CONCURRENCY sets the number of worker processes (default: the
CPUs this process may run on); HOST the address to bind (default every
interface, as a container needs).
"""

import os

_level = os.environ.get("LOG_LEVEL", "INFO").upper()

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)))
worker_class = "uvicorn_worker.UvicornWorker"
# The root file system is read-only in Kubernetes; /tmp is a writable emptyDir.
worker_tmp_dir = "/tmp"
graceful_timeout = 20
timeout = 60
keepalive = 5
# No control socket: it would live under $HOME, which is read-only in the container.
control_socket_disable = True
# The app decides the client's address from TRUSTED_PROXIES (client.py); the
# server believes no proxy headers, loopback included, so it cannot disagree.
forwarded_allow_ips = ""
proxy_allow_ips = ""
# The master's lines go through the app's JSON handler too; access lines come
# from the app itself (with the request id), so gunicorn's are off.
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"json": {"()": "every_type.logs.json_handler"}},
    "root": {"level": _level, "handlers": ["json"]},
    "loggers": {
        "gunicorn.error": {"level": _level, "handlers": [], "propagate": True},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
}
