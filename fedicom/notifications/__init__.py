"""Telling staff what needs them: an inbox of notifications, and email or webhooks through the job queue."""
