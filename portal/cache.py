"""Django's Redis cache with one Redis client per connection pool, not one per operation.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache call, and
redis-py fills some 170 response callbacks into each: about half a millisecond of CPU a call,
as much as a cached page's other cache work (issue 20). A `redis.Redis` is safe to share
between threads (each command takes a connection from the pool), so one per pool is kept.
`CACHE_URL=redis://…` selects this backend (portal.settings).
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    """`get_client` returns the same client for the same pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Django's RedisCache (same options and behaviour) with `RedisCacheClient` above."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
