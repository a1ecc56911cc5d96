"""Redis-backed stores (prepared orders) and the Redis connection."""
