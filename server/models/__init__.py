"""The whole Haul domain; importing this module registers every table on ``db.metadata``."""

from server.models.access import CustomRole, Department, DepartmentMember
from server.models.approvals import ApprovalDecision, ApprovalDelegation, ApprovalRequest, ApprovalRule
from server.models.audit import AuditEvent
from server.models.devices import DevicePairing
from server.models.email import EmailMessage, EmailSettings
from server.models.evidence import EvidenceItem, ProofOfDelivery
from server.models.fleet import Driver, Vehicle, VehicleType
from server.models.inspection import InspectionAppointment
from server.models.loads import Load, LoadLine, LoadStop
from server.models.market import Award, Bid, CarrierScoreEvent, PickupAuthorization, Tender
from server.models.notify import Notification, Webhook, WebhookAttempt, WebhookDelivery
from server.models.orders import Order, OrderLine
from server.models.routing import Job, Route, RoutePlan, RouteStop
from server.models.settlement import FreightBill, FreightBillLine, Payment, RateAgreement
from server.models.settlement_reconciliation import Dispute, DisputeComment, Statement, StatementLine
from server.models.sites import Dock, Site
from server.models.tenancy import ApiToken, DeviceCredential, Organisation, OrgKind, Role, User
from server.models.tracking import Event, Position, TrackingLink
from server.models.trading import TradingRelationship
from server.models.yard import DockAppointment, YardVisit

__all__ = [
    "ApiToken", "ApprovalDecision", "ApprovalDelegation", "ApprovalRequest", "ApprovalRule", "AuditEvent", "Award",
    "Bid", "CarrierScoreEvent", "CustomRole", "Department", "DepartmentMember", "DeviceCredential", "DevicePairing",
    "Dispute", "DisputeComment", "Dock", "DockAppointment", "Driver", "EmailMessage", "EmailSettings", "Event",
    "EvidenceItem", "FreightBill", "FreightBillLine", "InspectionAppointment", "Job", "Load", "LoadLine", "LoadStop",
    "Notification", "Order", "OrderLine",
    "Organisation", "OrgKind", "Payment", "PickupAuthorization", "Position", "ProofOfDelivery",
    "RateAgreement", "Role", "Route", "RoutePlan", "RouteStop", "Site", "Statement", "StatementLine",
    "Tender", "TrackingLink", "TradingRelationship", "User", "Vehicle", "VehicleType", "Webhook",
    "WebhookAttempt", "WebhookDelivery", "YardVisit",
]
