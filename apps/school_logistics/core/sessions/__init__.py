"""Session stores whose rows name the signed-in user (`UserSession`).

Every signed-in request reads its session and then its user: here one prepared statement reads
both. `db` is the store without Redis, `cached_db` the one with it (a cache miss reads the row;
a hit leaves the user to the authentication backend).
"""
