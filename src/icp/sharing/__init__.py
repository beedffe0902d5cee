"""Information sharing: data sharing agreements, consent and opt-outs, the access decision."""
