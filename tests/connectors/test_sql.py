"""The sql connector against real databases: SQLite (a file), PostgreSQL and MariaDB (session servers)."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa

from lapor_hub.connectors.builtin.sql import SqlConnector
from lapor_hub.connectors.testing import ConnectorConformance, Counterpart, sample_delivery
from lapor_hub.errors import ConfigurationError
from lapor_hub.streams.core import topics
from tests.connectors.support import config_for, running, wait_until


class AgencyDatabase(Counterpart):
    """KEMENKES' legacy complaint tables, as the agency's own application uses them."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = sa.create_engine(url)
        suffix = uuid.uuid4().hex[:8]
        meta = sa.MetaData()
        self.incoming = sa.Table(
            f"pengaduan_masuk_{suffix}", meta,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("lapor_event_id", sa.String(64), nullable=False, unique=True),
            sa.Column("nomor_tracking", sa.String(40), nullable=False),
            sa.Column("judul", sa.String(200)),
            sa.Column("isi", sa.Text),
            sa.Column("kategori", sa.String(80)),
            sa.Column("alamat", sa.String(200), nullable=False),
            sa.Column("tanggal_lapor", sa.DateTime(timezone=True)),
        )
        self.follow_ups = sa.Table(
            f"tindak_lanjut_{suffix}", meta,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("nomor_tracking", sa.String(40), nullable=False),
            sa.Column("jenis", sa.String(20), nullable=False),
            sa.Column("catatan", sa.Text),
            sa.Column("waktu", sa.DateTime),  # naive, in WIB: as the legacy app writes it
        )
        self.state_table = f"lapor_state_{suffix}"
        meta.create_all(self.engine)
        self._lock: sa.Connection | None = None

    def settings(self, **overrides) -> dict:
        return {
            "url": self.url, "busy_timeout": 0.5, "timezone": "Asia/Jakarta", "state_table": self.state_table,
            "assignments": {"table": self.incoming.name, "key_column": "lapor_event_id", "columns": {
                "nomor_tracking": "tracking_id", "judul": "title", "isi": "description",
                "kategori": "category", "alamat": "location.address", "tanggal_lapor": "submitted_at"}},
            "updates": {"table": self.follow_ups.name, "watermark_column": "id", "tracking_id_column": "nomor_tracking",
                        "type_column": "jenis",
                        "type_values": {"PROSES": "FollowUpRecorded", "SELESAI": "ResponseGiven"},
                        "columns": {"text": "catatan", "occurred_at": "waktu"}},
            **overrides,
        }

    def held(self):
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(self.incoming.c.lapor_event_id).order_by(self.incoming.c.id)).scalars())

    def record_follow_up(self, tracking_id, note, update_id, kind="PROSES"):
        with self.engine.begin() as conn:
            conn.execute(sa.insert(self.follow_ups).values(nomor_tracking=tracking_id, jenis=kind, catatan=note,
                                                           waktu=datetime(2024, 5, 2, 9, 0)))

    def go_down(self):
        # a long-running batch job holds the table: the connector's lock wait times out
        self._lock = self.engine.connect()
        if self.engine.dialect.name == "sqlite":
            self._lock.exec_driver_sql("BEGIN EXCLUSIVE")
        elif self.engine.dialect.name in ("mysql", "mariadb"):
            self._lock.exec_driver_sql(f"LOCK TABLES {self.incoming.name} WRITE")
        else:
            self._lock.begin()
            self._lock.execute(sa.text(f"LOCK TABLE {self.incoming.name} IN ACCESS EXCLUSIVE MODE"))

    def come_back(self):
        if self._lock is not None:
            if self.engine.dialect.name in ("mysql", "mariadb"):
                self._lock.exec_driver_sql("UNLOCK TABLES")  # session-scoped: a rollback keeps it
            self._lock.rollback()
            self._lock.close()
            self._lock = None

    def undeliverable(self, agency):
        return sample_delivery(agency, "LPR-no-address", location=None)  # alamat is NOT NULL

    def dispose(self):
        self.come_back()
        self.engine.dispose()


def _connector(database: AgencyDatabase, agency: str = "KEMENKES", bootstrap: str = "127.0.0.1:9",
               connector_id: str | None = None, **overrides):
    return SqlConnector(config_for("sql", agency, database.settings(**overrides), bootstrap=bootstrap,
                                   connector_id=connector_id))


@pytest.fixture
def sqlite_db(tmp_path):
    database = AgencyDatabase(f"sqlite:///{tmp_path / 'kemenkes.db'}")
    yield database
    database.dispose()


@pytest.fixture
def postgres_db(postgres_url):
    database = AgencyDatabase(postgres_url)
    yield database
    database.dispose()


@pytest.fixture
def mariadb_db(mariadb_url):
    database = AgencyDatabase(mariadb_url)
    yield database
    database.dispose()


class TestSqlOnSqlite(ConnectorConformance):
    @pytest.fixture
    def harness(self, sqlite_db):
        return _connector(sqlite_db), sqlite_db


@pytest.mark.postgres
class TestSqlOnPostgres(ConnectorConformance):
    @pytest.fixture
    def harness(self, postgres_db):
        return _connector(postgres_db), postgres_db


@pytest.mark.mariadb
class TestSqlOnMariaDb(ConnectorConformance):
    @pytest.fixture
    def harness(self, mariadb_db):
        return _connector(mariadb_db), mariadb_db


def test_an_unknown_column_is_a_clear_error_at_check(sqlite_db):
    settings = sqlite_db.settings()
    settings["assignments"]["columns"]["judul_pengaduan"] = "title"
    connector = SqlConnector(config_for("sql", "KEMENKES", settings))
    with pytest.raises(ConfigurationError) as failure:
        connector.check()
    message = str(failure.value)
    assert "settings.assignments.columns" in message and "'judul_pengaduan' does not exist" in message
    assert sqlite_db.incoming.name in message and "fix the mapping" in message


def test_an_unknown_assignment_field_is_a_config_error(sqlite_db):
    settings = sqlite_db.settings()
    settings["assignments"]["columns"]["judul"] = "headline"
    with pytest.raises(ConfigurationError,
                       match=r"settings.assignments.columns: unknown assignment field\(s\) headline"):
        config_for("sql", "KEMENKES", settings)


def test_an_unreachable_database_is_a_clear_error_without_the_password(sqlite_db):
    settings = sqlite_db.settings(url="postgresql+psycopg2://lapor:hunter2-secret@127.0.0.1:1/none")
    with pytest.raises(ConfigurationError) as failure:
        SqlConnector(config_for("sql", "KEMENKES", settings)).check()
    assert "cannot use the database" in str(failure.value) and "hunter2" not in str(failure.value)


def test_naive_legacy_timestamps_are_read_in_the_configured_zone(sqlite_db):
    sqlite_db.record_follow_up("LPR-9", "Diproses", "x")
    [update] = _connector(sqlite_db).poll()
    assert update.occurred_at.isoformat() == "2024-05-02T09:00:00+07:00"


@pytest.mark.kafka
@pytest.mark.postgres
def test_end_to_end_on_postgres_with_a_durable_watermark(kafka_broker, hub, agency, postgres_db):
    connector = _connector(postgres_db, agency, kafka_broker.bootstrap, connector_id=f"kemenkes-{agency}")
    with running(connector):
        ids = [hub.assign(agency, f"LPR-{n}") for n in range(3)]
        wait_until(lambda: sorted(postgres_db.held()) == sorted(ids), what="3 rows in pengaduan_masuk")
        postgres_db.record_follow_up("LPR-1", "Obat sudah dikirim ke puskesmas", "x")
        postgres_db.record_follow_up("LPR-1", "Pelapor sudah dihubungi", "x", kind="SELESAI")
        postgres_db.record_follow_up("LPR-2", "?", "x", kind="TIDAK-DIKENAL")  # not a known update type
        events = hub.read(topics.outbox(agency), lambda es: len(es) >= 2)
        letters = hub.read(topics.DEADLETTER, bool,
                           where=lambda e: e.value["source_topic"] == f"agency-system:{connector.config.id}")
    assert [e.record_type for e in events] == ["FollowUpRecorded", "ResponseGiven"]
    assert events[1].value["response"] == "Pelapor sudah dihubungi"
    assert [e.value["reason"].split(":")[0] for e in letters] == ["'TIDAK-DIKENAL' is not an agency update"]
    restarted = _connector(postgres_db, agency, kafka_broker.bootstrap, connector_id=f"kemenkes-{agency}")
    assert restarted.poll() == [], "the watermark survived the restart"
