"""Every change to governance data, one function per verb (see DESIGN.md "Actions, not fat views").

Each action takes keyword-only arguments and the acting user `by`, checks permission, writes in
one transaction and records an audit event. Views, the API, the CLI, the demo and tests call these.
"""
