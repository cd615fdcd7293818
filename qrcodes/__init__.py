"""QR images, for every app that prints or shows one: the documents' seals and the ticket PDF
(documents), the ticket and appointment pages (queueing), the two-factor enrolment page (accounts).

An app of its own because it belongs to none of them: kept in documents, it made accounts import
documents, whose result PDFs import accounts' users, a cycle. It imports no other app.
"""
