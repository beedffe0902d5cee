"""Care: worklists, pathways, care plans, MDT reviews and referrals."""
