"""Referrals between organisations: the services directory, the referral (ServiceRequest + Task)
and its state machine, the actions that move it, and the inbox and outbox."""
