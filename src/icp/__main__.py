"""`python -m icp` is the `icp` command."""

from icp.cli import main

main()
