"""Marketplace pages: the public tender notices (``public``), the lead agency's budgets
(``budgets``) and tenders (``tenders``), the provider's bids (``bidding``), the
evaluation panel (``panel``), awards (``awards``) and each person's tender alerts
(``alerts``).

Views parse input, call one service or selector and render. Every read of a
bid goes through the sealing selectors of ``marketplace.selectors``: before
the submission deadline a bid's price and content are shown to its own
provider only, whoever else asks.
"""
