from django.contrib.sessions.backends import cached_db

from school_logistics.core.sessions._read import PreparedRead


class SessionStore(PreparedRead, cached_db.SessionStore):
    pass
