"""``haul bench ...``: benchmark commands for the engines and the services, one module each.

Each module defines one click command; ``server.cli.bench`` names them all in the ``bench`` group.
These are commands, like ``server.cli``: they may build apps and start processes.
"""
