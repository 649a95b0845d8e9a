"""The clinic's day: chairs and rooms with their hours, staff working hours, and appointments
booked into them under the clinic's capacity rules (clinical/appointments.py)."""
