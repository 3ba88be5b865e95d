"""Django's PostgreSQL backend with a connection pool that fails fast (``core.postgres.base``)."""
