"""Session stores that read the session row with a prepared statement.

Every signed-in request reads its session; Django builds and compiles that `get()` anew each
time. `db` is the store without Redis, `cached_db` the one with it (a cache miss reads the row).
"""
