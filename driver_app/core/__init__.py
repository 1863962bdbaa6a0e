"""Kivy-free core of the Haul driver app.

Everything the driver app does that is not drawing a screen lives here: the REST and MQTT
clients, the store-and-forward outboxes, the GPS provider interface, the simulated GPS and
the publishing policy, the driver's day as a plain state machine, form validation and
translations. Nothing in this package imports Kivy, nor anything Android-only (that is in
``driver_app.platform_services``), so it runs and is tested on any machine; the Kivy screens
bind thinly to it.
"""
