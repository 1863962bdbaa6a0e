"""The app's glue between the Kivy screens and the Kivy-free core (platform-specific services are
in ``driver_app.platform_services``).

Kivy-free (tested headless): ``controller`` (the actions screens call: sign in, refresh,
check in, submit), ``explain`` (failures as messages, runners), ``load_view`` (texts and links
shown for loads, tenders and visits), ``submissions`` (forms into the outbox),
``tracking_glue`` (GPS with or without MQTT), ``settings_store`` and ``alerts`` (what a dock
call does besides the screen). Kivy-side: ``ui_thread`` (network calls off the UI thread,
results back on it), ``translation`` (runtime language switching in .kv rules),
``qr_texture``, ``signature_pad``, ``photo_chooser`` and ``dock_sound``. What differs between
Android and a desktop is in ``driver_app.platform_services``.
"""
