"""The agent console: a Vue front end built into ``agent_ui/dist`` and served by the API."""
