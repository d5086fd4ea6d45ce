"""`make retention`: rows past their retention go, and the purge is audited."""

import uuid

import pytest
import sqlalchemy as sa

from lend_well import audit, cli, models
from lend_well.db import get_engine, get_sessionmaker
from lend_well.models import AuditEvent
from tests.conftest import Api
from tests.factories import make

# Its writes must commit: retention runs on the engine's own connections.
pytestmark = pytest.mark.committed


def _purge_events() -> list[AuditEvent]:
    with get_sessionmaker()() as db:
        statement = sa.select(AuditEvent).where(AuditEvent.action == "retention_purge")
        return list(db.scalars(statement.order_by(AuditEvent.seq)).all())


def _old_event(days: int) -> uuid.UUID:
    """An audit event dated `days` ago (inserting is allowed, changing is not)."""
    event_id = uuid.uuid4()
    with get_engine().begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO audit_events (id, at, action)"
                " VALUES (:id, now() - make_interval(days => :days), 'login')"
            ),
            {"id": event_id, "days": days},
        )
    return event_id


def _exists(event_id: uuid.UUID) -> bool:
    with get_sessionmaker()() as db:
        return db.get(AuditEvent, event_id) is not None


def test_retention_prints_counts_and_records_one_purge_event(
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = len(_purge_events())
    assert cli.main(["retention"]) == 0
    printed = capsys.readouterr().out
    events = _purge_events()
    assert len(events) == before + 1
    counts: list[str] = events[-1].fields or []
    for name in cli.RETAINED:
        assert f"{name}: 0 deleted" in printed
        assert f"{name}:0" in counts


def test_rows_older_than_their_retention_are_deleted(admin: Api) -> None:
    old = make(admin, "LoanApplication")
    new = make(admin, "LoanApplication")
    model = models.LoanApplication
    with get_engine().begin() as connection:
        connection.execute(
            sa.update(model)
            .where(model.id == uuid.UUID(old["id"]))
            .values(
                created_at=sa.func.now()
                - sa.cast(sa.literal("7 years"), sa.Interval())
                - sa.text("interval '1 day'")
            )
        )
    with get_sessionmaker()() as db:
        counts = cli.purge(db)
        db.commit()
    assert counts["LoanApplication"] == 1
    with get_sessionmaker()() as db:
        assert db.get(model, uuid.UUID(old["id"])) is None
        assert db.get(model, uuid.UUID(new["id"])) is not None
    assert "LoanApplication" + ":1" in (_purge_events()[-1].fields or [])


def test_audit_events_past_the_audit_retention_are_purged_and_no_others() -> None:
    assert audit.RETENTION_DAYS == 366
    expired = _old_event(audit.RETENTION_DAYS + 1)
    kept = _old_event(audit.RETENTION_DAYS - 1)
    # Without the purge, even an expired event cannot be deleted.
    with pytest.raises(sa.exc.DBAPIError), get_engine().begin() as connection:
        connection.execute(sa.text("DELETE FROM audit_events WHERE id = :id"), {"id": expired})
    with get_sessionmaker()() as db:
        counts = cli.purge(db)
        db.commit()
    assert counts["audit_events"] >= 1
    assert not _exists(expired)
    assert _exists(kept)
