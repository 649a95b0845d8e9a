"""How the app runs: settings read from the environment, the WSGI entry point, the database
backend and its guards, backups, and the few places that tune Django for load."""
