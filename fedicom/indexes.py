"""The indexes the models declare, checked against the database and put back where missing.

tortoise-orm changes a SQLite column by rebuilding its table (create, copy, drop, rename), and the
rebuild keeps neither the table's indexes nor its multi-column unique constraints. Migrations
0014 and 0016 rebuilt `post`, `membership` and `report` that way, which left lookups by object
id scanning the whole table and `(group, object_id)` no longer unique. `storage.migrate` restores
what is missing after every run, so a future rebuild cannot lose them either; `fedicom doctor`
and the tests ask `missing` on both databases.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.models import Model

from fedicom.errors import FedicomError


@dataclass(frozen=True)
class Index:
    table: str
    name: str
    columns: tuple[str, ...]
    unique: bool

    def create_sql(self) -> str:
        kind = "UNIQUE INDEX" if self.unique else "INDEX"
        columns = ", ".join(f'"{c}"' for c in self.columns)
        return f'CREATE {kind} IF NOT EXISTS "{self.name}" ON "{self.table}" ({columns})'

    def __str__(self) -> str:
        return f"{'unique ' if self.unique else ''}{self.table} ({', '.join(self.columns)})"


def _column(model: type[Model], field: str) -> str:
    found = model._meta.fields_map[field]
    return str(getattr(found, "source_field", None) or field)


def declared(conn: BaseDBAsyncClient) -> list[Index]:
    """Every index and multi-column unique constraint the models ask for (not primary keys nor
    single unique columns, which a rebuild keeps), named as tortoise names them."""
    namer = conn.schema_generator(conn)
    found: list[Index] = []
    for app in Tortoise.apps.values():
        for model in app.values():
            meta = model._meta
            table = meta.db_table
            for names in meta.unique_together or ():
                columns = tuple(_column(model, n) for n in names)
                found.append(Index(table, namer._get_index_name("uid", model, columns), columns, True))
            for names in meta.indexes or ():
                if isinstance(names, tuple | list):
                    columns = tuple(_column(model, n) for n in names)
                    found.append(Index(table, namer._get_index_name("idx", model, columns), columns, False))
            for name, field in meta.fields_map.items():
                if field.index and not field.pk and not field.unique and name in meta.db_fields:
                    column = (_column(model, name),)
                    found.append(Index(table, namer._get_index_name("idx", model, column), column, False))
    return found


async def existing(conn: BaseDBAsyncClient) -> set[tuple[str, tuple[str, ...], bool]]:
    """(table, columns, unique) of every index in the database, whatever its name."""
    if conn.capabilities.dialect == "postgres":
        rows = await conn.execute_query_dict(
            "SELECT t.relname AS tbl, ix.indisunique AS uniq, "
            "array_agg(a.attname ORDER BY k.n) AS cols "
            "FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid "
            "JOIN pg_namespace ns ON ns.oid = t.relnamespace AND ns.nspname = current_schema() "
            "CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n) "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum "
            "GROUP BY ix.indexrelid, t.relname, ix.indisunique"
        )
        return {(r["tbl"], tuple(r["cols"]), bool(r["uniq"])) for r in rows}
    found = set()
    tables = await conn.execute_query_dict("SELECT name FROM sqlite_master WHERE type = 'table'")
    for table in (t["name"] for t in tables):
        for index in await conn.execute_query_dict(f'PRAGMA index_list("{table}")'):
            info = await conn.execute_query_dict(f'PRAGMA index_info("{index["name"]}")')
            columns = tuple(str(c["name"]) for c in sorted(info, key=lambda c: c["seqno"]))
            found.add((str(table), columns, bool(index["unique"])))
    return found


async def missing(conn: BaseDBAsyncClient) -> list[Index]:
    """The declared indexes the database lacks (an equal unique index stands in for a plain one)."""
    have = await existing(conn)
    return [
        i
        for i in declared(conn)
        if (i.table, i.columns, True) not in have and (i.unique or (i.table, i.columns, False) not in have)
    ]


async def restore(conn: BaseDBAsyncClient) -> list[Index]:
    """Create the missing indexes; returns them. A unique one that rows already break stops here
    with the table and columns named: which duplicate to keep is the operator's call."""
    absent = await missing(conn)
    for index in absent:
        try:
            await conn.execute_script(index.create_sql())
        except (IntegrityError, OperationalError) as exc:
            raise FedicomError(
                f"cannot restore the {index} index: rows share the same values ({exc}); "
                "see docs/upgrading.md, 'Missing indexes'"
            ) from exc
    return absent
