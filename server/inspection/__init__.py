"""Independent inspection: sellers and buyers appoint inspection agencies to loads."""
