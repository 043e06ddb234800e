"""Referral pages, by topic: beneficiaries, assessments, matching, unmet needs, consent and
the referral lifecycle (the caseworker's side), the provider's inbox, and deadlines (the
supervisors' overdue list)."""
