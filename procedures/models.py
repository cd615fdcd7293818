# The procedure catalogue, e-form definitions and dossiers arrive with the e-forms issue.
