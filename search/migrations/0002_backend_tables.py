"""The text storage of each backend: on SQLite the analysed token columns and an FTS5 table
over them (external content, kept in step by triggers); on PostgreSQL a tsvector with a GIN
index. Only the part for the database in use runs.

On SQLite, a later migration that makes Django rebuild search_document (most AlterField
operations do) drops the triggers: such a migration must create them again."""

from django.db import migrations

FTS_COLUMNS = ("title", "author", "subject", "series", "ident", "notes")
TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* N* M* Co' tokenchars '_'"


def sqlite_forward():
    columns = ", ".join((*FTS_COLUMNS, "tags"))
    new_values = ", ".join(f"new.{c}" for c in (*FTS_COLUMNS, "tags"))
    old_values = ", ".join(f"old.{c}" for c in (*FTS_COLUMNS, "tags"))
    statements = [
        f"ALTER TABLE search_document ADD COLUMN {column} TEXT NOT NULL DEFAULT ''"
        for column in FTS_COLUMNS
    ]
    statements += [
        f"CREATE VIRTUAL TABLE search_fts USING fts5({columns}, content='search_document', "
        f"content_rowid='record_id', tokenize=\"{TOKENIZER}\")",
        f"CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
        f"INSERT INTO search_fts(rowid, {columns}) VALUES (new.record_id, {new_values}); END",
        f"CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {columns}) "
        f"VALUES ('delete', old.record_id, {old_values}); END",
        f"CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {columns}) "
        f"VALUES ('delete', old.record_id, {old_values}); "
        f"INSERT INTO search_fts(rowid, {columns}) VALUES (new.record_id, {new_values}); END",
    ]
    return statements


SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_au",
    "DROP TABLE IF EXISTS search_fts",
] + [f"ALTER TABLE search_document DROP COLUMN {column}" for column in FTS_COLUMNS]

POSTGRES_FORWARD = [
    "ALTER TABLE search_document ADD COLUMN tsv tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX search_document_tsv ON search_document USING gin (tsv)",
    # Availability changes rewrite rows often: room on each page keeps updates in place.
    "ALTER TABLE search_document SET (fillfactor = 90)",
    # Terms and tags compare byte by byte on both backends (prefix ranges such as 'mt_'…'mt`').
    'ALTER TABLE search_term ALTER COLUMN term TYPE varchar(64) COLLATE "C"',
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_tsv",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS tsv",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_forward(), "postgresql": POSTGRES_FORWARD}.get(vendor)
    if statements is None:
        raise RuntimeError(f"Pustaka's search has no backend for {vendor}.")
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
