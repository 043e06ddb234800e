"""Every read of evaluation a page, the API or an export uses, one module per topic
(``outcomes``, ``surveys``, ``assessments``, ``ratings``), scoped to the user and with
a fixed number of queries. Other apps import the topic module."""
