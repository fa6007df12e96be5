"""acme: order tracking."""
__version__ = "0.4.1"
