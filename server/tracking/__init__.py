"""Live tracking around the ingest pipeline: devices, public links, the live page, snapshots, rooms,
load events and position partitions. ``create_app`` registers the Socket.IO snapshot provider
(`snapshot.register_snapshot_provider`), so a client that joins a load or tracking room first gets
the current state, then deltas."""
