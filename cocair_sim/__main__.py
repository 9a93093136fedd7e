"""`python -m cocair_sim` is the `cocair` command."""

from cocair_sim.cli import main

main()
