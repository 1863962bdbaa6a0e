"""Live tracking around the ingest pipeline: public links, snapshots, rooms, load events, partitions.

Importing this package registers the Socket.IO snapshot provider (`server.tracking.snapshot`),
so a client that joins a load or tracking room first gets the current state, then deltas.
"""

from server.tracking.snapshot import register_snapshot_provider

register_snapshot_provider()
