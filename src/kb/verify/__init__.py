"""Verification: claims, the snippet runner (child, pool, server, client), records."""
