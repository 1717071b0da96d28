from __future__ import annotations

import uuid

import fakeredis
from django.conf import settings

from config.redis_cache import ReusingRedisCache


def test_one_redis_client_serves_every_call_on_a_pool():
    cache = ReusingRedisCache("redis://127.0.0.1:6379/0", {})
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client("any-key") is client
    assert client.connection_pool is cache._cache.get_client().connection_pool


def test_each_server_keeps_its_own_client():
    cache = ReusingRedisCache("redis://127.0.0.1:6379/0,redis://127.0.0.1:6379/1", {})
    writer = cache._cache.get_client(write=True)
    reader = cache._cache.get_client()  # reads go to the second server
    assert writer is not reader
    assert writer.connection_pool.connection_kwargs["db"] == 0
    assert reader.connection_pool.connection_kwargs["db"] == 1


def test_values_round_trip_through_redis():
    """Against the real Redis when REDIS_URL is set (always in CI); else against fakeredis's
    in-process server, through the same client and pool code."""
    options: dict[str, object] = {}
    url = settings.REDIS_URL
    if not url:
        url, options = (
            "redis://127.0.0.1:6379/0",
            {"connection_class": fakeredis.FakeRedisConnection},
        )
    cache = ReusingRedisCache(url, {"KEY_PREFIX": f"test-reuse-{uuid.uuid4()}", "OPTIONS": options})
    cache.set("list", b"\x00bytes", 30)
    cache.set("n", 41, 30)
    assert cache.incr("n") == 42
    assert cache.get_many(["list", "n", "missing"]) == {"list": b"\x00bytes", "n": 42}
    cache.delete_many(["list", "n"])
    assert cache.get("list") is None
