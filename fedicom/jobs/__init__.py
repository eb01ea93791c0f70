"""The durable job queue: work that must happen later or survive a crash (emails, webhooks, schedules,
clean-ups)."""
