"""Gunicorn's settings for production: uvicorn workers, bound to PORT, logs through the app.

`gunicorn -c gunicorn.conf.py` (the Dockerfile's command). WEB_CONCURRENCY
sets the number of worker processes (default 2).
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "uvicorn_worker.UvicornWorker"
# The root file system is read-only in Kubernetes; /tmp is a writable emptyDir.
worker_tmp_dir = "/tmp"
graceful_timeout = 20
timeout = 60
keepalive = 5
# Access lines come from the app itself (JSON, with the request id).
accesslog = None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
