"""Committee seats and members: who holds each seat, and the ICP manager's pages to fill a seat and
change or end a membership. The changes themselves are the registry's actions
(`icp.partnership.actions`), so the pages, the JSON API and the CLI share one set of rules."""
