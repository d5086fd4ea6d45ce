"""The outbox worker: `python -m lend_well.mail.worker` (`make worker`).

It sends due mail through the providers in the spec's order (`sendgrid`),
then sleeps a little; `--once` sends what is due and stops. Several workers
may run at once: each row is claimed by one.
"""

import argparse
import logging
import signal
import threading
from collections.abc import Sequence
from types import FrameType

from lend_well.db import get_sessionmaker
from lend_well.integrations import sendgrid
from lend_well.logs import configure_logging
from lend_well.mail.outbox import Provider, drain
from lend_well.settings import get_settings

logger = logging.getLogger(__name__)

PROVIDERS: Sequence[Provider] = (sendgrid.PROVIDER,)
IDLE_SECONDS = 2.0


def run(once: bool, stop: threading.Event) -> int:
    """Sends due mail until `stop` is set (or once); the number of rows handled."""
    handled = 0
    sessionmaker = get_sessionmaker()
    while True:
        with sessionmaker() as db:
            handled += drain(db, PROVIDERS)
        if once or stop.wait(IDLE_SECONDS):
            return handled


def main(argv: list[str] | None = None) -> None:
    """The worker's entry point."""
    parser = argparse.ArgumentParser(description="Sends the mail of the outbox.")
    parser.add_argument("--once", action="store_true", help="send what is due, then stop")
    args = parser.parse_args(argv)
    configure_logging(get_settings().log_level)
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    handled = run(args.once, stop)
    logger.info("mail worker stopped after %s rows", handled)


if __name__ == "__main__":
    main()
