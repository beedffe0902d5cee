"""Background jobs: the nightly refreshes, long reports and exports, run by `icp worker`.

A `Job` row is what a person sees (kind, ICP, who started it, progress, outcome, the file it made);
the queue that carries it to a worker is django-q2 over the app database (docs/adr/0155-background-jobs.md).
"""
