"""What connects the engine to the world outside the database: the webhook notifier (HTTP) and
the resident scheduler (APScheduler)."""
