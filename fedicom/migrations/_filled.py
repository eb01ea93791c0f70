"""`AddFilledField`: the `AddField` for a NOT NULL column with a default, usable on a table that holds
rows. A model's `default=` lives in Python alone, so a plain `AddField` adds the column without one:
SQLite refuses it ("Cannot add a NOT NULL column with default value NULL") and PostgreSQL finds the
existing rows null, whenever the table is not empty, i.e. on every upgrade of a live server.

The column is created with the default as its database default, which fills the rows already there;
the migration state keeps the field as written (no `db_default`), so the models and the state agree.

Migrations that use it import it from here; like every migration, this file never changes behaviour
once released (a leading underscore keeps the migration loader from reading it as a migration).
"""

from __future__ import annotations

from typing import Any

from tortoise.fields.base import DB_DEFAULT_NOT_SET
from tortoise.migrations import operations as ops


class AddFilledField(ops.AddField):
    async def database_forward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if not state_editor:
            return
        model = new_state.apps.get_model(f"{app_label}.{self.model_name}")
        field = model._meta.fields_map[self.name]
        if field.null or field.has_db_default() or field.default is None or callable(field.default):
            raise ValueError(f"{self.model_name}.{self.name}: AddFilledField needs a NOT NULL field with a constant default")
        field.db_default = field.default
        try:
            await state_editor.add_field(model, self.name)
        finally:
            field.db_default = DB_DEFAULT_NOT_SET
