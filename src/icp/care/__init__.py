"""Care: the patient index, worklists, pathways, care plans, MDT reviews and referrals."""
