"""Clinical notes: written from an outline, edited until signed, signed once."""
