"""Messages that reach patients and staff: appointment confirmations and reminders, the
questionnaire links after a dose, staff deadlines; by email or text, queued in the database
and sent by `ketamine-clinic worker`, each with its consent basis and delivery status."""
