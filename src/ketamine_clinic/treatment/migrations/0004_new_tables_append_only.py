from django.db import migrations

from ketamine_clinic.server.dbguards import append_only


class Migration(migrations.Migration):
    dependencies = [("treatment", "0003_clinic_protocols_adjuncts_titration")]
    operations = [
        append_only(
            "treatment_clinicprotocol",
            "treatment_historicaltitrationdecision",
        )
    ]
