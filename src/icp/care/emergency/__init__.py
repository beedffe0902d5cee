"""Emergency-response lists of vulnerable people (seed 004: the shielded, community support hubs),
outreach contacts with the needs found, and referral to a hub or voluntary organisation from them."""
