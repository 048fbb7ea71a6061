"""Dispatch: incidents, recommendation, assignment, escalation, response-time clock."""
