"""The events Haul publishes, and who should be told of each.

Call ``server.notify.publish_event(kind, organisation_ids=..., load_id=..., data=...)``
*after* the change is committed, with the organisations below. ``data`` is small and
plain (ids, references, times as ISO text or datetimes): receivers fetch the details
through the API, so an event never carries more than its recipients may see.

=================  ==========================================  =================================
kind               when                                        tell
=================  ==========================================  =================================
order_received     an order was created through the API        seller, buyer
orders_imported    a CSV import created orders (one event)     seller; each buyer its own orders
load_built         a load plan was committed, once per load    seller, the load's buyer
tendered           a load went on the board                    seller (invited carriers: board)
tender_opened      a tender reached a carrier (near the        each carrier told of it
                   pickup with a matching truck, or offered)
outbid             another carrier undercut your best bid      the carrier(s) outbid
won                your bid or grab won the load               the winning carrier
lost               the auction was awarded to another          every other bidder (own price only)
closed_without_award  an auction or offer ended unawarded     seller, every bidder
awarded            a carrier won a load                        seller, buyer
truck_needed       a won load opens for pickup within          the carrier (once per load)
                   MARKET_TRUCK_NEEDED_HOURS with no truck
                   and driver assigned
authorized         the buyer authorized carrier/driver/plate   seller, buyer, carrier
authorization_withdrawn  the authorization stopped counting:   seller, buyer, carrier
                   revoked by the buyer, truck or driver
                   changed, award cancelled (``data.reason``;
                   ``data.reauthorize_url`` re-issues it)
dock_scheduled     a load was booked into a dock slot          site's organisation, carrier
dock_rescheduled   the slot moved (re-plan or manager)         site's organisation, carrier
slot_missed        the truck missed its dock slot (no show)    site's organisation, seller, buyer, carrier
arrived            the truck reached a geofence or the gate    seller, buyer, carrier
called             the truck was called to a dock              site's organisation, carrier
loading            loading started at the dock                 seller, carrier
departed           the truck left a site                       seller, buyer, carrier
eta_changed        the ETA moved by more than the threshold    seller, buyer, carrier
delayed            the ETA to the pickup or a delivery moved   seller, buyer (multi-drop: the
                   past that window's latest time (once per    stop's buyer only)
                   crossing; ``data.at`` is pickup|delivery)
delivered          proof of delivery was recorded              seller, buyer, carrier
exception          a refusal at the gate (``data.at`` gate,    the plant, seller, buyer, carrier
                   ``data.reason`` its code), or a proof of    (a proof of delivery off the
                   delivery off the site                       site: buyer)
bill_issued        a freight bill (or credit note) was issued  carrier, payer
bill_approved      the payer approved a bill (or its audit)    carrier, payer
bill_disputed      the payer disputed a line of a bill         carrier, payer
evidence_disputed  a bill dispute cites a load's evidence      the carrier (one per load cited)
dispute_updated    a dispute got a comment or was resolved     carrier, payer
bill_paid          a payment was recorded against a bill       carrier, payer
statement_issued   a reconciliation statement was drawn up     carrier, payer
statement_confirmed  a side confirmed a statement, or raised   carrier, payer
                   differences (``data.status`` says which)
trading_relationship  a seller asked to trade, the buyer       the other side
                   accepted or declined, either ended it
approval_requested  an object waits for an approval chain      the requesting organisation
approval_reminder  a request waited longer than the reminder   the requesting organisation
                   interval (``haul approvals remind``)
approval_decided   a chain approved or rejected its object     the requesting organisation
=================  ==========================================  =================================

The driver's own notifications. An organisation's rows are the office's, and a driver-only login
reads only rows addressed to its user, so these events also add ONE row addressed to the user of the
load's driver (``publish_event(..., driver_id=...)``; none when the driver has no user account), in
the carrier's organisation, with only the data the driver's view shows (``driver_notices.DRIVER_FIELDS``:
no price, no other load, no other driver), pushed live to that user's own socket room only and
mailed by that user's own e-mail choices. No webhook hears of these rows.

=================  ==========================================  =================================
kind               when                                        the driver's own row
=================  ==========================================  =================================
driver_assigned    the carrier put the driver (with a truck)   the driver put on (only the
                   on a load; the same pair again is no news   driver: no organisation row)
driver_unassigned  the driver was taken off the load (another  the driver taken off (only the
                   driver, or the award given back)            driver: no organisation row)
dock_scheduled     as above                                    the load's driver
dock_rescheduled   as above                                    the load's driver
called             as above                                    the load's driver
slot_missed        as above                                    the load's driver
authorized         as above                                    the load's driver
authorization_withdrawn  as above (a changed driver: the new   the load's driver (an unassigned
                   one; a cancelled award has no driver)       one hears ``driver_unassigned``)
exception          at the gate (``data.at == "gate"``,         the load's driver; a proof of
                   ``data.reason`` the refusal's code)         delivery's exception is not told
=================  ==========================================  =================================

Internal kinds, never subscribed to by webhooks: ``webhook_disabled`` (in-app only, to
the endpoint's organisation), ``email_disabled`` (in-app only, to the user whose address bounced) and ``ping`` (a test delivery an admin asks for).
``device_flagged`` and ``device_suspended`` (in-app only, to the carrier whose device login kept
sending garbage: flagged, or suspended until re-enabled; `server.tracking.device_abuse`).
"""

from __future__ import annotations

KINDS: tuple[str, ...] = (
    "order_received", "orders_imported", "load_built", "tendered", "tender_opened", "outbid", "won", "lost",
    "closed_without_award", "awarded", "truck_needed", "authorized", "authorization_withdrawn", "dock_scheduled",
    "dock_rescheduled", "slot_missed", "arrived", "called", "loading", "departed", "eta_changed", "delayed", "delivered", "exception",
    "evidence_disputed",
    "bill_issued", "bill_approved", "bill_disputed", "dispute_updated", "bill_paid", "statement_issued",
    "statement_confirmed",
    "trading_relationship",
    "approval_requested", "approval_reminder", "approval_decided",
)
# In the app and by e-mail to the driver's own user only, never to an organisation or a webhook.
DRIVER_OWN_KINDS: tuple[str, ...] = ("driver_assigned", "driver_unassigned")
WEBHOOK_DISABLED = "webhook_disabled"
EMAIL_DISABLED = "email_disabled"  # in-app only, to the user whose address bounced
PING = "ping"
DEVICE_FLAGGED = "device_flagged"  # in-app only, to the carrier: a device keeps sending garbage
DEVICE_SUSPENDED = "device_suspended"  # in-app only, to the carrier: its login was suspended for it
ALL = "*"  # a webhook subscribed to "*" receives every kind in KINDS
