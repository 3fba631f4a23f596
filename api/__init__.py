"""The FastAPI application: authentication, REST under ``/api`` and the ``/api/ws`` event stream."""
