"""State of the local runner in SQLite: accounts, projects, jobs, runs, steps and tokens.

Resources other than runs are kept as JSON documents (one row each), so a field the API accepts
is kept and answered back even when nothing here knows it: a job exported from dbt Cloud and
imported here comes back whole. Runs and steps have real columns because the executor updates
them from worker processes while the server reads them; SQLite in WAL mode lets those processes
write while the server answers.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dbt_cloud.local.clock import now, to_api

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL,
    id INTEGER NOT NULL,
    account_id INTEGER,
    project_id INTEGER,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS objects_by_account ON objects (kind, account_id);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL,
    job_id INTEGER,
    project_id INTEGER,
    environment_id INTEGER,
    trigger_id INTEGER,
    status INTEGER NOT NULL,
    status_message TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    dequeued_at TEXT,
    started_at TEXT,
    finished_at TEXT,
    last_heartbeat_at TEXT,
    has_docs_generated INTEGER NOT NULL DEFAULT 0,
    has_sources_generated INTEGER NOT NULL DEFAULT 0,
    artifacts_saved INTEGER NOT NULL DEFAULT 0,
    worker_pid INTEGER,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_account ON runs (account_id, id);
CREATE INDEX IF NOT EXISTS runs_by_job ON runs (job_id, id);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status);
CREATE TABLE IF NOT EXISTS run_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    name TEXT NOT NULL,
    command TEXT NOT NULL,
    status INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    log_path TEXT,
    debug_log_path TEXT,
    UNIQUE (run_id, idx)
);
CREATE TABLE IF NOT EXISTS tokens (
    digest TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""

#: Columns of `runs` a caller may filter on or set.
RUN_COLUMNS = (
    "account_id",
    "job_id",
    "project_id",
    "environment_id",
    "trigger_id",
    "status",
    "status_message",
    "created_at",
    "updated_at",
    "dequeued_at",
    "started_at",
    "finished_at",
    "last_heartbeat_at",
    "has_docs_generated",
    "has_sources_generated",
    "artifacts_saved",
    "worker_pid",
)
STEP_COLUMNS = ("status", "started_at", "finished_at", "log_path", "debug_log_path", "updated_at")

#: Tokens start with this, so a leaked one is recognisable (and our redaction masks it anyway).
TOKEN_PREFIX = "dbtl_"


def token_digest(token: str) -> str:
    # Only a digest is stored: the data directory holds no usable secret.
    return hashlib.sha256(token.encode()).hexdigest()


class Store:
    """One SQLite database. Safe to share between the server's threads; each process opens its own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        with self._lock:
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- resources kept as documents ------------------------------------------------------------
    #
    # Every resource kind of the API is one document per row: `all` lists a kind, `get` reads one,
    # `insert` creates, `update_with` changes one atomically. Kind names come from spec.py
    # (`spec.operations()` gives each operation's `kind`).

    def insert(self, kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """Store a new resource; gives it an id and timestamps and answers the stored document."""
        with self.transaction() as db:
            row = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM objects WHERE kind = ?", (kind,)).fetchone()
            stamp = to_api(now())
            document = {**data, "id": row[0], "created_at": stamp, "updated_at": stamp}
            db.execute(
                "INSERT INTO objects (kind, id, account_id, project_id, data) VALUES (?, ?, ?, ?, ?)",
                (
                    kind,
                    row[0],
                    document.get("account_id"),
                    _integer_or_none(document.get("project_id")),
                    json.dumps(document),
                ),
            )
        return document

    def get(self, kind: str, object_id: int) -> dict[str, Any] | None:
        """The stored document of a kind (`job`, `webhook_subscription`, ...; spec.py names them), deleted
        ones (state 2) included, or None. Ids the API answers as strings are stored as integers."""
        with self._lock:
            row = self._db.execute("SELECT data FROM objects WHERE kind = ? AND id = ?", (kind, object_id)).fetchone()
        return None if row is None else dict(json.loads(row["data"]))

    def update_with(
        self, kind: str, object_id: int, change: Callable[[dict[str, Any]], Mapping[str, Any]]
    ) -> dict[str, Any]:
        """Apply `change` to the stored document and store its result, in one transaction: two updates
        sent at once both apply, the second to what the first wrote. `change` may raise to abort."""
        with self.transaction() as db:
            row = db.execute("SELECT data FROM objects WHERE kind = ? AND id = ?", (kind, object_id)).fetchone()
            if row is None:
                raise KeyError(f"{kind} {object_id}")
            current = dict(json.loads(row["data"]))
            document = {**change(current), "id": object_id, "updated_at": to_api(now())}
            document["created_at"] = current.get("created_at")
            db.execute(
                "UPDATE objects SET data = ?, account_id = ?, project_id = ? WHERE kind = ? AND id = ?",
                (
                    json.dumps(document),
                    document.get("account_id"),
                    _integer_or_none(document.get("project_id")),
                    kind,
                    object_id,
                ),
            )
        return document

    def put(self, kind: str, object_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
        """Store a document under an id the caller chose (kinds the API addresses by an id it did not
        hand out, such as a user's license permission)."""
        stamp = to_api(now())
        document = {**data, "id": object_id, "created_at": stamp, "updated_at": stamp}
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO objects (kind, id, account_id, project_id, data) VALUES (?, ?, ?, ?, ?)",
                (
                    kind,
                    object_id,
                    document.get("account_id"),
                    _integer_or_none(document.get("project_id")),
                    json.dumps(document),
                ),
            )
        return document

    def replace(self, kind: str, object_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
        document = {**data, "id": object_id, "updated_at": to_api(now())}
        with self.transaction() as db:
            db.execute(
                "UPDATE objects SET data = ?, account_id = ?, project_id = ? WHERE kind = ? AND id = ?",
                (
                    json.dumps(document),
                    document.get("account_id"),
                    _integer_or_none(document.get("project_id")),
                    kind,
                    object_id,
                ),
            )
        return document

    def all(self, kind: str, account_id: int | None = None, *, include_deleted: bool = False) -> list[dict[str, Any]]:
        """Every resource of a kind (of one account), by id; deleted ones (state 2) only when asked."""
        with self._lock:
            if account_id is None:
                rows = self._db.execute("SELECT data FROM objects WHERE kind = ? ORDER BY id", (kind,)).fetchall()
            else:
                rows = self._db.execute(
                    "SELECT data FROM objects WHERE kind = ? AND account_id = ? ORDER BY id", (kind, account_id)
                ).fetchall()
        documents = [dict(json.loads(row["data"])) for row in rows]
        return documents if include_deleted else [d for d in documents if d.get("state", 1) != 2]

    def insert_many(self, kind: str, documents: Iterable[Mapping[str, Any]]) -> list[int]:
        """Bulk insert (for seeding large test and benchmark data sets in one transaction)."""
        ids = []
        with self.transaction() as db:
            next_id = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM objects WHERE kind = ?", (kind,)).fetchone()[0]
            stamp = to_api(now())
            rows = []
            for offset, data in enumerate(documents):
                document = {**data, "id": next_id + offset, "created_at": stamp, "updated_at": stamp}
                ids.append(document["id"])
                rows.append(
                    (kind, document["id"], document.get("account_id"), document.get("project_id"), json.dumps(document))
                )
            db.executemany("INSERT INTO objects (kind, id, account_id, project_id, data) VALUES (?, ?, ?, ?, ?)", rows)
        return ids

    # -- runs -----------------------------------------------------------------------------------

    def insert_run(self, columns: Mapping[str, Any], data: Mapping[str, Any]) -> int:
        return self.insert_runs([columns], [data])[0]

    def insert_runs(self, columns: Sequence[Mapping[str, Any]], data: Sequence[Mapping[str, Any]]) -> list[int]:
        names = [name for name in RUN_COLUMNS if name in columns[0]]
        sql = f"INSERT INTO runs ({', '.join([*names, 'data'])}) VALUES ({', '.join('?' * (len(names) + 1))})"
        ids = []
        with self.transaction() as db:
            for row, extra in zip(columns, data, strict=True):
                cursor = db.execute(sql, [*(row[name] for name in names), json.dumps(extra)])
                ids.append(int(cursor.lastrowid or 0))
        return ids

    def get_run(self, run_id: int) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else _run_row(row)

    def update_run(self, run_id: int, only_if_status: Iterable[int] | None = None, **changes: Any) -> bool:
        """Set columns of a run; with `only_if_status`, only while the run is in one of those states
        (so a worker finishing and a user cancelling cannot overwrite each other). True if it changed."""
        unknown = set(changes) - set(RUN_COLUMNS) - {"data"}
        if unknown:
            raise ValueError(f"unknown run columns: {sorted(unknown)}")
        changes.setdefault("updated_at", to_api(now()))
        if "data" in changes:
            changes["data"] = json.dumps(changes["data"])
        sql = f"UPDATE runs SET {', '.join(f'{name} = ?' for name in changes)} WHERE id = ?"
        values = [*changes.values(), run_id]
        if only_if_status is not None:
            statuses = list(only_if_status)
            sql += f" AND status IN ({', '.join('?' * len(statuses))})"
            values.extend(statuses)
        with self.transaction() as db:
            return db.execute(sql, values).rowcount > 0

    def list_runs(
        self,
        filters: Mapping[str, Any],
        order_by: str = "id",
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """Runs matching `filters` (column -> value, or column -> list of values), one page, and the total."""
        clauses: list[str] = []
        values: list[Any] = []
        for name, value in filters.items():
            if name not in RUN_COLUMNS and name != "id":
                raise ValueError(f"cannot filter runs by {name}")
            if isinstance(value, list | tuple):
                clauses.append(f"{name} IN ({', '.join('?' * len(value))})")
                values.extend(value)
            else:
                clauses.append(f"{name} = ?")
                values.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        descending = order_by.startswith("-")
        column = order_by.lstrip("-")
        if column not in ("id", *RUN_COLUMNS):
            raise ValueError(f"cannot order runs by {column}")
        order = f"{column} {'DESC' if descending else 'ASC'}, id {'DESC' if descending else 'ASC'}"
        with self._lock:
            total = self._db.execute(f"SELECT COUNT(*) FROM runs {where}", values).fetchone()[0]
            rows = self._db.execute(
                f"SELECT * FROM runs {where} ORDER BY {order} LIMIT ? OFFSET ?", [*values, limit, offset]
            ).fetchall()
        return [_run_row(row) for row in rows], int(total)

    def runs_in_status(self, statuses: Iterable[int]) -> list[dict[str, Any]]:
        wanted = list(statuses)
        with self._lock:
            rows = self._db.execute(
                f"SELECT * FROM runs WHERE status IN ({', '.join('?' * len(wanted))}) ORDER BY id", wanted
            ).fetchall()
        return [_run_row(row) for row in rows]

    # -- run steps ------------------------------------------------------------------------------

    def add_step(self, run_id: int, account_id: int, index: int, name: str, command: str, status: int) -> int:
        stamp = to_api(now())
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO run_steps (run_id, account_id, idx, name, command, status, created_at, updated_at,"
                " started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, account_id, index, name, command, status, stamp, stamp, stamp),
            )
            return int(cursor.lastrowid or 0)

    def update_step(self, step_id: int, **changes: Any) -> None:
        unknown = set(changes) - set(STEP_COLUMNS)
        if unknown:
            raise ValueError(f"unknown step columns: {sorted(unknown)}")
        changes.setdefault("updated_at", to_api(now()))
        with self.transaction() as db:
            db.execute(
                f"UPDATE run_steps SET {', '.join(f'{name} = ?' for name in changes)} WHERE id = ?",
                [*changes.values(), step_id],
            )

    def steps_of_run(self, run_id: int) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM run_steps WHERE run_id = ? ORDER BY idx", (run_id,)).fetchall()
        return [dict(row) for row in rows]

    def get_step(self, step_id: int) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM run_steps WHERE id = ?", (step_id,)).fetchone()
        return None if row is None else dict(row)

    # -- tokens ---------------------------------------------------------------------------------

    def create_token(self, account_id: int, name: str) -> str:
        """A new token for an account. Only its digest is kept: the caller shows it once."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO tokens (digest, account_id, name, prefix, created_at) VALUES (?, ?, ?, ?, ?)",
                (token_digest(token), account_id, name, token[:9], to_api(now())),
            )
        return token

    def revoke_tokens(self, name: str) -> None:
        """Tokens created under `name` stop authenticating (a deleted service token's)."""
        with self.transaction() as db:
            db.execute("DELETE FROM tokens WHERE name = ?", (name,))

    def account_of_token(self, token: str) -> int | None:
        with self._lock:
            row = self._db.execute("SELECT account_id FROM tokens WHERE digest = ?", (token_digest(token),)).fetchone()
        return None if row is None else int(row["account_id"])

    def tokens(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT account_id, name, prefix, created_at FROM tokens ORDER BY created_at")
            return [dict(row) for row in rows.fetchall()]


def _integer_or_none(value: Any) -> int | None:
    # The `project_id` column indexes documents; a body may hold anything there until it is checked.
    return value if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63 else None


def _run_row(row: sqlite3.Row) -> dict[str, Any]:
    record = dict(row)
    record["data"] = json.loads(record["data"])
    for flag in ("has_docs_generated", "has_sources_generated", "artifacts_saved"):
        record[flag] = bool(record[flag])
    return record
