from django.db import migrations

from ketamine_clinic.server.dbguards import append_only


class Migration(migrations.Migration):
    dependencies = [("treatment_sessions", "0001_initial")]
    operations = [
        append_only(
            "treatment_sessions_historicaltreatmentsession",
            "treatment_sessions_transition",
            "treatment_sessions_predosecheck",
            "treatment_sessions_vitalsigns",
            "treatment_sessions_administration",
            "treatment_sessions_observation",
            "treatment_sessions_adverseevent",
        )
    ]
