"""The whole Haul domain; importing this module registers every table on ``db.metadata``."""

from server.models.devices import DevicePairing
from server.models.evidence import EvidenceItem, ProofOfDelivery
from server.models.fleet import Driver, Vehicle, VehicleType
from server.models.loads import Load, LoadLine
from server.models.market import Award, Bid, CarrierScoreEvent, PickupAuthorization, Tender
from server.models.notify import Notification, Webhook, WebhookAttempt, WebhookDelivery
from server.models.orders import Order, OrderLine
from server.models.routing import Job, Route, RoutePlan, RouteStop
from server.models.sites import Dock, Site
from server.models.tenancy import ApiToken, DeviceCredential, Organisation, OrgKind, Role, User
from server.models.tracking import Event, Position, TrackingLink
from server.models.trading import TradingRelationship
from server.models.yard import DockAppointment, YardVisit

__all__ = [
    "ApiToken", "Award", "Bid", "CarrierScoreEvent", "DeviceCredential", "DevicePairing", "Dock",
    "DockAppointment", "Driver", "EvidenceItem", "Event", "Job", "Load", "LoadLine", "Notification", "Order",
    "OrderLine", "OrgKind", "Organisation", "PickupAuthorization", "Position", "ProofOfDelivery", "Role", "Route",
    "RoutePlan", "RouteStop", "Site", "Tender", "TrackingLink", "TradingRelationship", "User", "Vehicle",
    "VehicleType", "Webhook", "WebhookAttempt", "WebhookDelivery", "YardVisit",
]
