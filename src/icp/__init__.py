"""icp: run an Integrated Care Partnership (RICE work and governance) from one codebase."""

__version__ = "0.1.0"
