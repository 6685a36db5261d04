"""Everything that knows the database: imported only when the catalogue is on (app.py), so a function without a
database never loads PyMySQL.

- ``catalogue``: one row per source object and size, written and removed as the thumbnails are
- ``schema``: the table, as migrations applied once each
- ``credentials``: where the database is and how to log in (a Secrets Manager secret, or DB_* variables)
"""
