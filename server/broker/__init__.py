"""The message broker side of Haul: RabbitMQ as production runs it (its configuration, Haul's
answers to its HTTP auth backend, closing revoked devices' connections), private broker processes
for tests and benchmarks, and the embedded amqtt broker that ``haul demo`` runs in-process."""
