"""gps_ingest: clean, store and react to vehicle positions from MQTT and OsmAnd HTTP.

The pipeline (`gps_ingest.pipeline`) runs ``decode -> validate -> filter -> order -> enrich ->
store -> detect -> publish``. It is pure Python: the MQTT worker, the SQL `PositionStore` and
the Socket.IO `Publisher` plug in through the protocols re-exported here.
"""

from gps_ingest.acks import AckPolicy, AnyOrderAcks, InOrderAcks
from gps_ingest.decoders import StaticResolver, VehicleResolver
from gps_ingest.eta import PlanProvider, RemainingRoute, StaticPlans
from gps_ingest.metrics import Metrics
from gps_ingest.model import DropReason, Event, Message, Position, ZoneTag
from gps_ingest.pipeline import Pipeline, build_pipeline
from gps_ingest.publish import InMemoryPublisher, Publisher
from gps_ingest.settings import IngestSettings
from gps_ingest.store import InMemoryPositionStore, PositionStore
from gps_ingest.zones import Geofence, ZoneIndex

__all__ = [
    "AckPolicy",
    "AnyOrderAcks",
    "DropReason",
    "Event",
    "Geofence",
    "InMemoryPositionStore",
    "InMemoryPublisher",
    "InOrderAcks",
    "IngestSettings",
    "Message",
    "Metrics",
    "Pipeline",
    "PlanProvider",
    "Position",
    "PositionStore",
    "Publisher",
    "RemainingRoute",
    "StaticPlans",
    "StaticResolver",
    "VehicleResolver",
    "ZoneIndex",
    "ZoneTag",
    "build_pipeline",
]
