"""The siège: head-office sync server (HTTP API) and its admin command line."""
