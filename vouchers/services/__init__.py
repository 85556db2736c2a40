"""Business logic: each service owns its transactions and writes the audit log."""
