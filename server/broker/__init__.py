"""The MQTT broker side of Haul: Mosquitto password and ACL files from the database, and the
embedded amqtt broker that ``haul demo`` runs in-process."""
