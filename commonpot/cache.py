"""Django's Redis cache, with one Redis client per connection pool.

Django's backend makes a new `redis.Redis` for every operation; building one
fills its table of some 170 response callbacks, about half a millisecond each
time, and a page kept in the cache takes three operations (the session, the
data version, the page). A `redis.Redis` is safe to share between threads (its
pool hands out the connections), so each pool's is made once.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
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
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
