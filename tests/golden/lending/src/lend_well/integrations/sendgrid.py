"""Mail through SendGrid's v3 Web API (`POST /v3/mail/send`), with httpx.

The outbox worker (mail/worker.py) hands it each mail; it sends a plain-text
and an HTML part, tagged with the outbox row's id (`custom_args`), to
`SENDGRID_API_URL` (SendGrid's by default; tests point it at a local
stand-in) with `SENDGRID_API_KEY`. Unconfigured (no key), it is skipped.
Any answer but 200 or 202, a timeout or a connection error is a failed try;
the error names the status or the kind, never the address or the key.
"""

from typing import Any

import httpx
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from lend_well.mail.outbox import DeliveryError, Message
from lend_well.settings import get_settings

SEND_PATH = "/v3/mail/send"


class SendgridSettings(BaseSettings):
    """The API key and where the API is, from the environment."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    sendgrid_api_key: str = ""
    sendgrid_api_url: str = "https://api.sendgrid.com"
    sendgrid_sandbox: bool = False
    sendgrid_timeout: float = Field(default=10.0, gt=0)


def payload(message: Message, sandbox: bool) -> dict[str, Any]:
    """The body of `POST /v3/mail/send` for one mail."""
    return {
        "personalizations": [{"to": [{"email": message.to}]}],
        "from": {"email": get_settings().email_from},
        "subject": message.subject,
        "content": [
            {"type": "text/plain", "value": message.text},
            {"type": "text/html", "value": message.html},
        ],
        "custom_args": {"outbox_id": str(message.id)},
        "mail_settings": {"sandbox_mode": {"enable": sandbox}},
    }


class Sendgrid:
    """The SendGrid provider of the outbox."""

    name = "sendgrid"

    def __init__(self, settings: SendgridSettings | None = None) -> None:
        """With `settings`, those; else the environment's, read at every send."""
        self._settings = settings

    def settings(self) -> SendgridSettings:
        """The settings a send uses."""
        return self._settings if self._settings is not None else SendgridSettings()

    def configured(self) -> bool:
        """Whether `SENDGRID_API_KEY` is set."""
        return bool(self.settings().sendgrid_api_key)

    def send(self, message: Message) -> None:
        """Posts the mail to SendGrid, or raises DeliveryError."""
        settings = self.settings()
        try:
            response = httpx.post(
                settings.sendgrid_api_url.rstrip("/") + SEND_PATH,
                json=payload(message, settings.sendgrid_sandbox),
                headers={"Authorization": f"Bearer {settings.sendgrid_api_key}"},
                timeout=settings.sendgrid_timeout,
            )
        except httpx.HTTPError as error:
            raise DeliveryError(type(error).__name__) from None
        if response.status_code not in (200, 202):
            raise DeliveryError(f"SendGrid answered {response.status_code}")


PROVIDER = Sendgrid()
