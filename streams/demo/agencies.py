"""Example agency systems for ``make run``: a newcomer sees deliveries and follow-ups flow.

:func:`start_demo_agencies` starts, on 127.0.0.1 and under ``data_dir/demo-agencies``, three
agency systems with the built-in connector that fits each, configured from the files in
``connectors/examples/``:

- KAB. PRINGSEWU (18.10): a small case-management app receiving signed assignments by webhook;
  its officer accepts and follows up a few seconds later, then responds, by posting signed
  updates to the webhook connector's ``/updates`` endpoint.
- KEMENSOS: a legacy SQLite database (the table mapping of ``kemenkes-sql.yaml``); a clerk
  records TERIMA and PROSES rows for new assignments, later a JAWAB row.
- OJK: a shared folder (``small-institution-filedrop.yaml``); a clerk answers each assignment
  file with a response file and files the assignment away.

The agencies are the ones the demo complaints reach (:mod:`lapor_hub.streams.demo.feed`: regency roads, KTP and
water at 18.10, PKH at KEMENSOS, online loans at OJK); no demo complaint reaches KEMENKES, the
example SQL agency, so its mapping serves KEMENSOS here.

Each connector runs :class:`~lapor_hub.connectors.sdk.runtime.ConnectorRuntime`, the code ``lapor-connect
run`` runs, after the same ``check()``, in a thread of the hub process: the generated webhook
secret stays in memory (never in a file, the environment or a log), and the connectors start and
stop with the hub, with no process left behind after a crash. Log lines name tracking ids and
agencies only, never the reporter or the complaint's text.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from aiohttp import web

from lapor_hub.connectors.sdk import ConnectorRuntime, HttpClient
from lapor_hub.connectors.sdk.config_file import build_config
from lapor_hub.connectors.sdk.inbound import InboundServer
from lapor_hub.connectors.sdk.registry import connector_class
from lapor_hub.connectors.sdk.signing import SIGNATURE_HEADER, SignatureError, sign, verify
from lapor_hub.errors import HubError
from lapor_hub.streams.core.config import HubSettings

__all__ = ["DemoAgencies", "start_demo_agencies", "PRINGSEWU", "LEGACY_DATABASE_AGENCY", "FILE_DROP_AGENCY"]

log = logging.getLogger(__name__)

PRINGSEWU = "18.10"
LEGACY_DATABASE_AGENCY = "KEMENSOS"
FILE_DROP_AGENCY = "OJK"

_EXAMPLES = Path(__file__).resolve().parents[2] / "connectors" / "examples"
_WIB = timezone(timedelta(hours=7))
#: Short waits so that things visibly happen within seconds.
_RUNTIME = {"batch_size": 20, "poll_interval": 1.0, "heartbeat_interval": 5.0, "backoff_initial": 0.5,
            "backoff_max": 5.0, "idle_wait": 0.5, "session_timeout": 10}


class DemoAgencies:
    """What :func:`start_demo_agencies` started; :meth:`stop` (or leaving ``with``) stops it all."""

    def __init__(self) -> None:
        self._stops: list[Callable[[], None]] = []
        self.runtimes: dict[str, ConnectorRuntime] = {}

    def __enter__(self) -> DemoAgencies:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        while self._stops:
            try:
                self._stops.pop()()
            except Exception as exc:  # one part failing to stop must not keep the others running
                log.warning("demo: a part did not stop cleanly (%s)", type(exc).__name__)


def start_demo_agencies(settings: HubSettings, *, reply_after: float = 3.0) -> DemoAgencies:
    """Start the three example agency systems and their connectors against ``settings.broker``.

    ``reply_after`` is how long an agency takes to accept and follow up; its response comes
    twice that long later. The agencies' data lives under ``settings.data_dir/demo-agencies``.
    """
    root = settings.data_dir / "demo-agencies"
    root.mkdir(parents=True, exist_ok=True)
    broker: dict[str, Any] = {"bootstrap": settings.broker}
    if settings.credentials is not None:
        broker.update(username=settings.credentials.username, password=settings.credentials.password,
                      mechanism=settings.credentials.mechanism)
    demo = DemoAgencies()
    try:
        _start_pringsewu(demo, broker, reply_after)
        _start_legacy_database(demo, broker, root / "kemensos.db", reply_after)
        _start_file_drop(demo, broker, root / "ojk", reply_after)
    except BaseException:
        demo.stop()
        raise
    return demo


# -- KAB. PRINGSEWU: a case-management app and the webhook connector -------------------------


class _CaseApp:
    """The agency's app: stores one case per Idempotency-Key; its officer answers later."""

    def __init__(self, secret: str, reply_after: float) -> None:
        self._secret, self._reply_after = secret, reply_after
        self._cases: dict[str, str] = {}  # idempotency key → case reference
        self._agenda: list[tuple[float, str, str, str]] = []  # (due, step, tracking id, case reference)
        self._lock = threading.Lock()
        self._http = HttpClient(timeout=5)
        self.updates_url: str | None = None
        self._server = InboundServer([web.post("/api/lapor/assignments", self._receive)], host="127.0.0.1", port=0)
        self.url = f"http://127.0.0.1:{self._server.start()}/api/lapor/assignments"

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            verify(self._secret, body, request.headers.get(SIGNATURE_HEADER))
        except SignatureError:
            return web.json_response({"error": "bad signature"}, status=401)
        payload = json.loads(body)
        if payload.get("type") == "ping":
            return web.json_response({"pong": True})
        key = request.headers.get("Idempotency-Key", "")
        with self._lock:
            reference = self._cases.get(key)
            if reference is None:  # a repeated key is answered the same way and not stored again
                reference = self._cases[key] = f"SIPP-{len(self._cases) + 1:05d}"
                _delivered(PRINGSEWU, payload["type"], payload["tracking_id"], reference)
                if payload["type"] == "ComplaintDispositioned":
                    self._agenda.append((time.monotonic() + self._reply_after, "follow-up",
                                         payload["tracking_id"], reference))
        return web.json_response({"reference": reference})

    def work(self) -> None:
        """The officer's round: post what is due; what cannot be posted now waits for the next."""
        now = time.monotonic()
        with self._lock:
            due = [item for item in self._agenda if item[0] <= now]
        for item in due:
            _, step, tracking_id, reference = item
            updates = _answers(step, tracking_id, reference, "Tim Dinas PUPR Pringsewu sudah meninjau lokasi")
            if self.updates_url is None or not self._post(self.updates_url, updates):
                continue
            _followed_up(PRINGSEWU, step, tracking_id)
            with self._lock:
                self._agenda.remove(item)
                if step == "follow-up":
                    self._agenda.append((now + 2 * self._reply_after, "response", tracking_id, reference))

    def _post(self, url: str, updates: list[dict]) -> bool:
        body = json.dumps({"updates": updates}).encode()
        try:
            answer = self._http.post(url, body=body, headers={
                "Content-Type": "application/json", SIGNATURE_HEADER: sign(self._secret, body)})
        except HubError:
            return False
        return answer.status == 202

    def stop(self) -> None:
        self._server.stop()


def _start_pringsewu(demo: DemoAgencies, broker: dict, reply_after: float) -> None:
    secret = secrets.token_urlsafe(32)
    app = _CaseApp(secret, reply_after)
    demo._stops.append(app.stop)
    raw = _example("pringsewu-webhook.yaml", "demo-pringsewu-sipp", PRINGSEWU, broker)
    raw["inbound"] = {"host": "127.0.0.1", "port": 0}
    raw["settings"] = {**raw["settings"], "url": app.url, "secret": secret, "timeout": 5}
    runtime = _run_connector(demo, raw)
    app.updates_url = f"http://127.0.0.1:{runtime.inbound_port}/updates"
    _clerk(demo, "pringsewu-officer", app.work)
    _announce(f"KAB. PRINGSEWU (18.10): case-management app on {app.url}, its updates come back through "
              f"webhook connector demo-pringsewu-sipp on {app.updates_url}")


# -- KEMENSOS: a legacy database and the SQL connector ---------------------------------------


class _LegacyDatabase:
    """The ministry's own tables (names from the example mapping) and a clerk working on them."""

    def __init__(self, path: Path, reply_after: float) -> None:
        self.url = f"sqlite:///{path.resolve()}"
        self._engine = sa.create_engine(self.url, connect_args={"timeout": 5})
        self._reply_after = reply_after
        self._seen: dict[str, float] = {}
        meta = sa.MetaData()
        self._incoming = sa.Table(
            "pengaduan_masuk", meta, sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("lapor_event_id", sa.String(64), unique=True, nullable=False),
            *(sa.Column(name, sa.Text) for name in ("nomor_tracking", "judul", "isi", "kategori", "alamat")),
            sa.Column("tanggal_lapor", sa.DateTime), sa.Column("batas_waktu", sa.DateTime))
        self._updates = sa.Table(
            "tindak_lanjut", meta, sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("nomor_tracking", sa.String(40), nullable=False),
            sa.Column("jenis", sa.String(20), nullable=False),
            sa.Column("catatan", sa.Text), sa.Column("instansi_tujuan", sa.String(20)),
            sa.Column("waktu", sa.DateTime, nullable=False))
        meta.create_all(self._engine)

    def work(self) -> None:
        incoming, updates = self._incoming.c, self._updates.c
        answered = sa.select(updates.nomor_tracking)
        with self._engine.connect() as conn:
            waiting = conn.execute(sa.select(incoming.nomor_tracking).distinct()
                                   .where(incoming.nomor_tracking.not_in(answered))).scalars().all()
            clock = datetime.now(_WIB).replace(tzinfo=None)  # the legacy app writes WIB wall-clock time
            in_progress = conn.execute(
                sa.select(updates.nomor_tracking).where(
                    updates.jenis == "PROSES",
                    updates.waktu <= clock - timedelta(seconds=2 * self._reply_after),
                    updates.nomor_tracking.not_in(sa.select(updates.nomor_tracking).where(updates.jenis == "JAWAB")))
            ).scalars().all()
        now = time.monotonic()
        for tracking_id in waiting:
            if tracking_id not in self._seen:
                _delivered(LEGACY_DATABASE_AGENCY, "ComplaintDispositioned", tracking_id, "pengaduan_masuk")
            if now - self._seen.setdefault(tracking_id, now) >= self._reply_after:
                self._insert(tracking_id, ("TERIMA", None), ("PROSES", "Verifikasi data penerima PKH di dinas sosial"))
                _followed_up(LEGACY_DATABASE_AGENCY, "follow-up", tracking_id)
        for tracking_id in in_progress:
            self._insert(tracking_id, ("JAWAB", "Data penerima sudah diperbaiki; bantuan dicairkan tahap berikutnya"))
            _followed_up(LEGACY_DATABASE_AGENCY, "response", tracking_id)

    def _insert(self, tracking_id: str, *entries: tuple[str, str | None]) -> None:
        clock = datetime.now(_WIB).replace(tzinfo=None)
        with self._engine.begin() as conn:
            conn.execute(sa.insert(self._updates), [{"nomor_tracking": tracking_id, "jenis": kind, "catatan": note,
                                                     "waktu": clock} for kind, note in entries])

    def stop(self) -> None:
        self._engine.dispose()


def _start_legacy_database(demo: DemoAgencies, broker: dict, path: Path, reply_after: float) -> None:
    database = _LegacyDatabase(path, reply_after)
    demo._stops.append(database.stop)
    raw = _example("kemenkes-sql.yaml", "demo-kemensos-pengaduan", LEGACY_DATABASE_AGENCY, broker)
    raw["settings"] = {**{k: v for k, v in raw["settings"].items() if k != "url_file"}, "url": database.url}
    _run_connector(demo, raw)
    _clerk(demo, "kemensos-clerk", database.work)
    _announce(f"KEMENSOS: legacy database {path}, sql connector demo-kemensos-pengaduan")


# -- OJK: a shared folder and the file-drop connector ----------------------------------------


class _SharedFolder:
    """The institution's shared folder; its clerk answers assignment files with response files."""

    def __init__(self, root: Path, reply_after: float) -> None:
        self.outgoing, self.incoming, self.filed = root / "keluar", root / "masuk", root / "keluar" / "diarsipkan"
        for folder in (self.outgoing, self.incoming, self.filed):
            folder.mkdir(parents=True, exist_ok=True)
        self._reply_after = reply_after

    def work(self) -> None:
        for path in sorted(self.outgoing.glob("*.json")):
            if path.name.startswith(".") or time.time() - path.stat().st_mtime < self._reply_after:
                continue
            envelope = json.loads(path.read_text(encoding="utf-8"))
            tracking_id, kind = envelope["tracking_id"], envelope["type"]
            _delivered(FILE_DROP_AGENCY, kind, tracking_id, path.name)
            if kind == "ComplaintDispositioned":
                reference = f"OJK-{envelope['id'][:8]}"
                answers = _answers("all", tracking_id, reference, "Penyelenggara pinjaman online sudah dipanggil OJK")
                target = self.incoming / f"{path.stem}.tanggapan.json"
                temporary = target.with_name(f".{target.name}.tmp")  # the connector skips hidden files
                temporary.write_text(json.dumps({"updates": answers}, ensure_ascii=False), encoding="utf-8")
                os.replace(temporary, target)
                _followed_up(FILE_DROP_AGENCY, "response", tracking_id)
            os.replace(path, self.filed / path.name)


def _start_file_drop(demo: DemoAgencies, broker: dict, root: Path, reply_after: float) -> None:
    folder = _SharedFolder(root, reply_after)
    raw = _example("small-institution-filedrop.yaml", "demo-ojk-berkas", FILE_DROP_AGENCY, broker)
    raw["settings"] = {**raw["settings"], "outgoing": str(folder.outgoing), "incoming": str(folder.incoming)}
    _run_connector(demo, raw)
    _clerk(demo, "ojk-clerk", folder.work)
    _announce(f"OJK: shared folder {root}, filedrop connector demo-ojk-berkas")


# -- shared -------------------------------------------------------------------------------


def _example(name: str, connector_id: str, agency: str, broker: dict) -> dict:
    """An example config from connectors/examples, pointed at the demo agency and the hub's broker."""
    raw = yaml.safe_load((_EXAMPLES / name).read_text(encoding="utf-8"))
    return {**raw, "id": connector_id, "agency": agency, "broker": broker, "runtime": _RUNTIME}


def _run_connector(demo: DemoAgencies, raw: dict, *, timeout: float = 30.0) -> ConnectorRuntime:
    config = build_config(raw, env={}, origin=f"demo connector {raw['id']}")
    connector = connector_class(config.type)(config)
    connector.check()  # as `lapor-connect run` does: fail before consuming anything
    runtime = ConnectorRuntime(connector)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            runtime.run()
        except BaseException as exc:
            failure.append(exc)
            log.error("demo connector %s stopped: %s", config.id, exc)

    thread = threading.Thread(target=run, name=f"demo-{config.id}", daemon=True)
    thread.start()
    if not runtime.ready.wait(timeout) or failure or not thread.is_alive():
        runtime.stop()
        raise HubError(f"demo connector {config.id} did not start"
                       + (f": {type(failure[0]).__name__}: {failure[0]}" if failure else ""))

    def stop() -> None:
        runtime.stop()
        thread.join(timeout)

    demo._stops.append(stop)
    demo.runtimes[config.id] = runtime
    return runtime


def _clerk(demo: DemoAgencies, name: str, work: Callable[[], None], interval: float = 0.5) -> None:
    """Call ``work`` every ``interval`` seconds in a thread until the demo stops."""
    stopped = threading.Event()

    def rounds() -> None:
        while not stopped.wait(interval):
            try:
                work()
            except Exception as exc:  # an agency's bad moment must not end the demo
                log.warning("demo %s: %s; trying again", name, type(exc).__name__)

    thread = threading.Thread(target=rounds, name=f"demo-{name}", daemon=True)
    thread.start()

    def stop() -> None:
        stopped.set()
        thread.join(10)

    demo._stops.append(stop)


def _answers(step: str, tracking_id: str, reference: str, note: str) -> list[dict]:
    """The agency's updates for one case; update ids from its case reference, stable on a retry."""
    at = datetime.now(_WIB).isoformat(timespec="seconds")
    accept = {"update_id": f"{reference}-terima", "type": "ComplaintAccepted", "tracking_id": tracking_id,
              "occurred_at": at}
    follow_up = {"update_id": f"{reference}-proses", "type": "FollowUpRecorded", "tracking_id": tracking_id,
                 "note": note, "occurred_at": at}
    response = {"update_id": f"{reference}-jawab", "type": "ResponseGiven", "tracking_id": tracking_id,
                "response": "Perbaikan sudah dijadwalkan; terima kasih atas laporan Anda", "occurred_at": at}
    return {"follow-up": [accept, follow_up], "response": [response], "all": [accept, follow_up, response]}[step]


def _announce(line: str) -> None:
    # printed like the hub's other start-up lines: logging is set up later, by the Faust worker
    print(f"demo agency {line}", flush=True)


def _delivered(agency: str, record_type: str, tracking_id: str, reference: str) -> None:
    log.info("demo %s: received %s for %s (%s)", agency, record_type, tracking_id, reference)


def _followed_up(agency: str, step: str, tracking_id: str) -> None:
    log.info("demo %s: %s sent for %s", agency, step, tracking_id)
