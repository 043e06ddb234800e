"""Referral pages: the caseworker workspace, the provider inbox and supervisor views."""
