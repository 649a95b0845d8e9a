"""The PostgreSQL database backend (`ENGINE`): Django's own, with a cheaper health check."""
