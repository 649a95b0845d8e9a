"""What tests build their records with, in one place: each module makes one kind of
record through the API or the actions, as staff would."""
