"""Workflow services: one function per step, atomic, called by views, admin,
Celery tasks and management commands alike. Modules by area:

- calendar: the business date
- roles: groups and permission checks
- conversions, exercises, redemptions: clerk workflows (SPA 5, Debenture 4)
- sweeps: deadline sweeps feeding the obligations ledger
- company: registration, suspensions, first refusal, defaults, notices, claims
"""
