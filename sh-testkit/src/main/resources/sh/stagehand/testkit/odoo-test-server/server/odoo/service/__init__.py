"""The server process (server) and its HTTP service (httpd)."""

from . import server
