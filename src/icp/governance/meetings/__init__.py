"""Committee meetings: scheduling, agendas and papers, attendance and quorum, minutes, decisions and
actions. Models, actions (one function per verb), pages and the JSON API live side by side here."""
