"""Marketplace pages, one module per topic: the public tender notices (``public``), the
lead agency's budgets (``budgets``) and tenders (``tenders``), questions and answers
(``clarifications``), the provider's bids and complaints (``bids``), the evaluation panel
(``panels``), awards and their complaints (``awards``) and each person's tender alerts
(``alerts``).

Views parse input, call one service or selector and render. Every read of a
bid goes through the sealing selectors of ``marketplace.selectors.bids``:
before the submission deadline a bid's price and content are shown to its own
provider only, whoever else asks. Which buttons a page offers is the
lifecycle table (``X_LIFECYCLE.allows``) combined with the ``rules``
predicates.
"""
